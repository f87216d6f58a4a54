"""The data model of one edition of The AI Morning Post.

Every section of the published editions has a field here. Models are strict: unknown
fields are rejected, numbers are not read from strings, and every piece of copy is
length-bounded so that hostile input cannot make a build run away.

Real editions vary: every section but the edition, the lead and the deep dive may be left
out or left empty (a section with no items prints nothing, heading included), and numbers
the desk did not get (stars, downloads) may be left out. Section and sub-list titles are
data, with the paper's own as defaults.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from . import messages, urls

FIRST_ISSUE_DATE = dt.date(2026, 1, 29)
"""Issue #1 appeared on this date; the paper is daily, so the number follows from the date."""



def first_issue_date() -> dt.date:
    """The date of issue #1 of the paper in use: its printpost.toml's [paper] first_issue,
    or FIRST_ISSUE_DATE (the built-in paper's)."""
    from .paper import first_issue

    return first_issue()


def issue_number(date: dt.date) -> int:
    """The paper is daily: the number follows from the date."""
    return (date - first_issue_date()).days + 1


def _refused_characters() -> re.Pattern:
    """Characters no output can carry, however they were written (raw, or as a JSON or YAML
    escape such as "\\ufffe"): what XML 1.0 forbids (C0 controls but tab and line feed,
    lone UTF-16 halves, U+FFFE, U+FFFF), which would make the site's feed ill-formed; the
    C1 controls and DEL, which XML allows but nothing prints; Unicode's other noncharacters
    (U+FDD0 to U+FDEF and the last two of every plane); and the line and paragraph
    separators, which would break a line the copy does not."""
    noncharacters = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
                            for plane in range(0x10000, 0x110000, 0x10000))
    return re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
                      f"\ufdd0-\ufdef\ufffe\uffff{noncharacters}]")


_REFUSED = _refused_characters()
# Characters that print nothing although they are neither white space nor format characters
# (category Cf: ZWSP, joiners, soft hyphen, BOM, bidi marks): fillers, the blank Braille
# pattern, the combining grapheme joiner and variation selectors. Copy of only these, or of
# white space and format characters, is empty copy.
_BLANK = re.compile("[\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0\u034f\ufe00-\ufe0f"
                    "\U000e0100-\U000e01ef]")


def _visible(char: str) -> bool:
    return not (char.isspace() or _BLANK.match(char)
                or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp"))


def _what(char: str) -> str:
    point = ord(char)
    if point < 0x20 or 0x7F <= point <= 0x9F:
        return "a control character"
    if 0xD800 <= point <= 0xDFFF:
        return "half of a UTF-16 pair"
    if point in (0x2028, 0x2029):
        return "a line or paragraph separator"
    return "a noncharacter"


def refused_character(value: str) -> str | None:
    """Why `value` cannot be printed, put in a feed or a PDF (None when it can)."""
    if match := _REFUSED.search(value):
        char = match.group()
        return (f"holds U+{ord(char):04X} ({_what(char)}) at character {match.start() + 1}, "
                "which no output can carry; remove it")
    return None


def _printable_copy(value: str) -> str:
    """Copy every output can carry, with something to see, and links that go somewhere."""
    if problem := refused_character(value):
        raise ValueError(problem)
    if not any(map(_visible, value)):
        raise ValueError("has no visible character (only white space or invisible characters "
                         "such as U+200B); write the copy")
    if "[" in value:
        from . import markup  # markdown-it is loaded only for copy with brackets

        for text, destination in markup.links(value):
            if problem := urls.problem(destination):
                raise ValueError(f"the link [{messages.excerpt(text)[1:-1]}](…) {problem}")
    return value


def _good_url(value: str) -> str:
    if problem := refused_character(value) or urls.problem(value):
        raise ValueError(problem)
    return value


def _text(max_length: int) -> type[str]:
    """A non-empty, stripped, bounded piece of copy."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_printable_copy),
    ]


Label = _text(80)
Headline = _text(200)
Dek = _text(600)
Paragraph = _text(6000)
Blurb = _text(400)
# Checked with a URL parser (urls.problem); the pattern is for editors' JSON Schema tools.
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_good_url),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": 500,
                    "pattern": "^https?://[^\\s<>\"']+$"}),
]
Body = Annotated[list[Paragraph], Field(min_length=1, max_length=40)]

# All the copy of one edition, in characters. Layout costs about 0.1 s of CPU per 1 000
# characters of copy (more in the opinion row and listings), measured with
# bench/reliability.py (README, Reliability): this keeps the largest edition the schema
# accepts within its formats' layout limits (layout_seconds in layouts/formats.toml).
# The samples have 6 300-6 900.
MAX_EDITION_COPY = 30_000


def copy_length(model: BaseModel) -> int:
    """Characters of copy in a model (every string in it but addresses, defaults included)."""
    total = 0
    for name in type(model).model_fields.keys() - {"url"}:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, str):
                total += len(item)
            elif isinstance(item, BaseModel):
                total += copy_length(item)
    return total


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: object) -> object:
    """Dates are written YYYY-MM-DD; a number or a timestamp is not read as a date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value.strip()} is not a day of the calendar; write the date "
                             "YYYY-MM-DD") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got {messages.kind_of(value)}")


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Weather(Model):
    temperature_c: Annotated[int, Field(ge=-60, le=60)]
    condition: Label


class Edition(Model):
    title: Label = "The AI Morning Post"
    tagline: Label = "Artificial Intelligence • Machine Learning • Future Tech"
    motto: Label = "Your Daily AI Intelligence Briefing"
    established: Annotated[int, Field(ge=1900, le=2100)] = 2025
    date: Annotated[dt.date, Field(strict=False), BeforeValidator(_iso_date)]
    issue: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Optional: derived from the date when left out."
    )
    location: Label
    weather: Weather

    @field_validator("date")
    @classmethod
    def _not_before_first_issue(cls, date: dt.date) -> dt.date:
        if date < first_issue_date():
            raise ValueError(
                f"{date.isoformat()} is before issue #1 ({first_issue_date().isoformat()})"
            )
        return date

    @field_validator("issue")
    @classmethod
    def _issue_agrees_with_date(cls, issue: int | None, info: ValidationInfo) -> int | None:
        date = info.data.get("date")
        if issue is not None and date is not None and issue != issue_number(date):
            raise ValueError(
                f"issue #{issue} disagrees with the date {date.isoformat()}, "
                f"which is issue #{issue_number(date)}"
            )
        return issue

    @model_validator(mode="after")
    def _derive_issue(self) -> Edition:
        if self.issue is None:
            object.__setattr__(self, "issue", issue_number(self.date))
        return self

    @property
    def number(self) -> int:
        assert self.issue is not None  # set by the validator
        return self.issue

    @property
    def weekday(self) -> str:
        return self.date.strftime("%A")

    @property
    def long_date(self) -> str:
        return f"{self.weekday}, {self.date.day} {self.date.strftime('%B %Y')}"


class MetricRow(Model):
    label: Label
    value: Label
    trend: Literal["up", "down", "flat"] | None = None


class MetricsBox(Model):
    title: Label = "By the Numbers"
    rows: Annotated[list[MetricRow], Field(min_length=1, max_length=12)]


class LeadStory(Model):
    kicker: Label = "Lead Story"
    score: Annotated[int, Field(ge=0, le=10, description="Editor's score out of 10")]
    headline: Headline
    dek: Dek
    body: Body
    metrics: MetricsBox | None = None


class DeepDive(Model):
    kicker: Label = "Deep Dive"
    label: Label = "Analysis"
    headline: Headline
    dek: Dek | None = None
    body: Body
    pull_quote: Blurb | None = None


class Column(Model):
    role: Label = Field(description="For example \"Editor's Column\" or \"Guest Column\"")
    headline: Headline
    byline: Label | None = None
    body: Body


class Opinion(Model):
    title: Label = "Opinion & Analysis"
    columns: Annotated[list[Column], Field(max_length=4)] = []


class Tool(Model):
    name: Label
    description: Blurb
    url: Url | None = None


class ToolsOfTheWeek(Model):
    title: Label = "Tools of the Week"
    intro: Blurb | None = "Every week we curate tools that deserve your attention."
    items: Annotated[list[Tool], Field(max_length=20)] = []


class HubEntry(Model):
    name: Label
    kind: Literal["model", "dataset", "space"] = "model"
    tags: Annotated[list[Label], Field(max_length=8)] = []
    downloads: Label | None = None


class Repository(Model):
    name: Label
    description: Blurb
    stars: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Optional: left out when the count is not known.")
    language: Label | None = None


class Trending(Model):
    title: Label = "Trending: What's Gaining Momentum"
    intro: Blurb | None = "Weekly snapshot of trends across key AI ecosystem platforms."
    huggingface_title: Label = "Models & Datasets of the Week"
    huggingface: Annotated[list[HubEntry], Field(max_length=30)] = []
    github_title: Label = "AI/ML Repositories of the Week"
    github: Annotated[list[Repository], Field(max_length=30)] = []


class Listing(Model):
    """A section that is a titled list, which may also be written as the bare list of its
    items (`reading: [...]` for `reading: {items: [...]}`), the title then the default."""

    @model_validator(mode="wrap")
    @classmethod
    def _bare_list(cls, data, handler):
        if not isinstance(data, list):
            return handler(data)
        try:
            return handler({"items": data})
        except ValidationError as error:
            # Problems are reported where they are in the file: movers[0].name, not
            # movers.items[0].name.
            raise ValidationError.from_exception_data(error.title, [
                InitErrorDetails(type=PydanticCustomError(detail["type"], detail["msg"]),
                                 loc=detail["loc"][1:], input=detail["input"])
                for detail in error.errors(include_url=False)]) from None

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        schema = handler(core_schema)
        items = handler.resolve_ref_schema(schema)["properties"]["items"]
        bare = {key: value for key, value in items.items() if key not in ("default", "title")}
        return {"anyOf": [bare, schema]}


class Mover(Model):
    name: Label
    change: Label = Field(description='The move as printed, for example "+312%" or "↑ 12 places"')
    direction: Literal["up", "down"]
    note: Blurb | None = None


class Movers(Listing):
    title: Label = "Biggest Movers This Week"
    items: Annotated[list[Mover], Field(max_length=20)] = []


class Reading(Model):
    title: Headline
    description: Blurb
    url: Url | None = None


class WeekendReading(Listing):
    title: Label = "Weekend Reading"
    items: Annotated[list[Reading], Field(max_length=12)] = []


class Subscribe(Model):
    headline: Headline = "Subscribe to AI Morning Post"
    blurb: Blurb
    call_to_action: Label = "Subscribe Now"
    scan_label: Label = "Scan to subscribe on mobile"
    url: Url


class Issue(Model):
    """One edition: everything printed in it."""

    edition: Edition
    lead: LeadStory
    deep_dive: DeepDive
    opinion: Opinion | None = None
    tools: ToolsOfTheWeek | None = None
    trending: Trending | None = None
    movers: Movers | None = None
    reading: WeekendReading | None = None
    subscribe: Subscribe | None = None

    def present(self, name: str) -> bool:
        """Whether the section `name` is printed: given, and not empty."""
        return not is_empty(getattr(self, name))

    @model_validator(mode="after")
    def _bounded_copy(self) -> Issue:
        total = copy_length(self)
        if total > MAX_EDITION_COPY:
            sizes = sorted(((copy_length(section) if isinstance(section, BaseModel) else 0, name)
                            for name in type(self).model_fields
                            for section in [getattr(self, name)]), reverse=True)
            largest = ", ".join(f"{name} {size:,}" for size, name in sizes[:3])
            raise ValueError(
                f"the edition has {total:,} characters of copy, more than the {MAX_EDITION_COPY:,} "
                f"one edition may have (about four times a usual one); the largest sections: "
                f"{largest}: shorten them")
        return self

    def headlines(self) -> list[str]:
        """Every headline printed in the edition, in page order."""
        return [
            self.lead.headline,
            self.deep_dive.headline,
            *(column.headline for column in (self.opinion.columns if self.opinion else [])),
            *(reading.title for reading in (self.reading.items if self.reading else [])),
            *([self.subscribe.headline] if self.subscribe else []),
        ]


def is_empty(section: BaseModel | None) -> bool:
    """A section left out, or whose lists are all empty (a listing with no items): it is
    not printed. A section without lists (the subscribe box) is empty only when left out."""
    if section is None:
        return True
    lists = [value for value in section.__dict__.values() if isinstance(value, list)]
    return bool(lists) and not any(lists)
