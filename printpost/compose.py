"""Compose step: a validated `Issue` and a `Format` → the edition's HTML.

All markup lives in `layouts/`; this module only prepares values for the templates.
Copy is always escaped (autoescape on); the one inline markup editors may use is
`*emphasis*`, `**strong**` and `[text](https://link)`, parsed by `markup`.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import qrcode
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import roles, sections, wordbreaks
from .formats import Format
from .markup import inline, plain  # the templates' filters; split_lead and tests use them
from .models import Issue
from .resources import layout_dirs


def breakable_inline(text: str) -> Markup:
    """The `inline` filter: copy as HTML (markup.inline), a very long word given break
    opportunities so that its layout time stays linear in its length (wordbreaks.py)."""
    return Markup(wordbreaks.break_long_runs(str(inline(text))))


def compact_number(value: int) -> str:
    """157000 → 157k, 1250000 → 1.3M: how star counts are printed."""
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if value >= limit:
            short = f"{value / limit:.1f}".removesuffix(".0")
            return f"{short}{suffix}"
    return str(value)


# A trend arrow already in a value ("↑ Rising"): the layout adds none of its own. Arrows,
# supplemental arrows, arrows in Miscellaneous Symbols and Arrows, and the pointing triangles.
_ARROW = re.compile("[\u2190-\u21ff\u27f0-\u27ff\u2900-\u297f\u2b00-\u2bff\u25b2-\u25c5]")
TREND_MARKS = {"up": "▲", "down": "▼", "flat": "▶"}


def trend_mark(value: str, trend: str | None) -> str:
    """The arrow printed after a metric's value for its trend; none when the value already
    starts or ends with one of its own."""
    shown = plain(value).strip()
    if not trend or (shown and (_ARROW.match(shown[0]) or _ARROW.match(shown[-1]))):
        return ""
    return TREND_MARKS[trend]


# Quotation marks a pull quote may be written in: opening mark → closing marks.
_QUOTES = {'"': '"', "“": "”", "„": "“”", "'": "'", "‘": "’", "‚": "‘’", "«": "»", "»": "«",
           "‹": "›", "「": "」", "『": "』"}


def unquoted(text: str) -> str:
    """A pull quote without the quotation marks it was written in (the layout sets its own):
    a pair that encloses the whole quote, and nothing but the quote, is taken off."""
    text = text.strip()
    closing = _QUOTES.get(text[:1], "")
    if len(text) > 2 and text[-1] in closing:
        inner = text[1:-1]
        if not any(mark in inner for mark in closing + text[0]):
            return inner.strip()
    return text


def quoted(text: str) -> bool:
    """Whether copy starts with a quotation mark of its own (after `unquoted`, a quote that
    is not enclosed whole, such as one followed by its source): the layout adds none."""
    return text.strip()[:1] in _QUOTES


@cache
def qr_data_uri(url: str, color: str = "#000000") -> str:
    """The subscribe QR code as a vector SVG data URI (with its 4-module quiet zone) in
    `color` (the format's): one path with a rectangle per run of dark modules in a row
    (layouts/qr.svg.j2), a third of the rectangles of qrcode's own SVG (one per module) for
    WeasyPrint to parse and draw."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    rows = code.get_matrix()  # the quiet zone included
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start},{y}H{x}V{y + 1}H{start}z")
    svg = environment().get_template("qr.svg.j2").render(size=len(rows), path="".join(runs),
                                                            color=color)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _bytecode_cache():
    """Compiled templates kept between processes (Jinja's per-user cache directory in the
    temporary directory, keyed by each template's source): compiling the edition's layout
    is a fifth of a second of every cold build. None where that directory cannot be made."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def environment(dirs: tuple[Path, ...] | None = None) -> Environment:
    """The layouts' templates, found in `dirs` in order (by default the paper's own layouts
    first, then printpost's: resources.layout_dirs)."""
    return _environment(tuple(dirs) if dirs else tuple(layout_dirs()))


@cache
def _environment(dirs: tuple[Path, ...]) -> Environment:
    env = Environment(
        loader=FileSystemLoader(list(dirs)),  # the paper's own layouts first
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(inline=breakable_inline, plain=plain, compact_number=compact_number,
                       trend_mark=trend_mark, unquoted=unquoted)
    env.tests.update(quoted=quoted)
    env.globals.update(qr_code=qr_data_uri)
    return env


def document_title(issue: Issue) -> str:
    edition = issue.edition
    return f"{edition.title} — Issue #{edition.number} — {edition.long_date.replace(',', '')}"


def contents_ids(issue: Issue) -> list[str]:
    """The element ids of the sections "Inside Today" lists for this edition (those it
    prints), in page order: their pages are measured and printed."""
    registry = sections.of(issue)
    return [section.id for section in registry.contents if issue.present(section.name)]


def jump_ids(issue: Issue) -> tuple[str, str] | None:
    """(the jumping story's id, the id it is continued under), or None."""
    story = sections.of(issue).jumping
    return (story.id, roles.jump_id(story.id)) if story else None


def guessed_contents(issue: Issue, fmt: Format) -> dict[str, int]:
    """The format's first guess at the pages "Inside Today" points to (formats.toml
    contents_guess); a section it does not name is guessed on the page of the one before."""
    guess, page = {}, 1
    for name in contents_ids(issue):
        page = (fmt.contents_guess or {}).get(name, page)
        guess[name] = page
    return guess


NO_PLAN = {"tier": 0, "ad_style": "box", "inside_strip": False, "side_chart": None, "side_bars": 0, "band_charts": [],
           "band_bars": 0}  # the layout as the format's stylesheets set it


def compose(issue: Issue, fmt: Format, contents: dict[str, int] | None = None,
            jump=None, page_plan: dict | None = None) -> str:
    """The edition as one HTML document for the given print format: the page frame
    (layouts/edition.html.j2) around each section's partial, in page order
    (layouts/sections/, printpost/sections.py).

    `contents` gives the page of each section "Inside Today" lists (contents_ids), and of
    the jump (jump_ids). They are measured from a layout and passed in
    (pipeline.Typesetter.render), not left to CSS target-counter(): that makes WeasyPrint
    lay the front page out two more times. `jump` (a jumps.Jump) cuts the jumping story
    where the front page ends; the rest is continued. `page_plan`
    (planner.template_options) sets the sizes, charts and house ad the page planner chose.
    """
    registry = sections.of(issue)
    env = environment(registry.dirs)
    contents = contents or {}
    story = registry.jumping
    body = getattr(issue, story.name).body if story else []
    front, rest = split_lead(body, jump) if jump else (body, [])
    listed = [(section.contents_label(getattr(issue, section.name)), section.id)
              for section in registry.contents if issue.present(section.name)]
    common = dict(
        issue=issue, edition=issue.edition, fmt=fmt, contents=contents,
        front=front, rest=rest,
        # The cut fell inside a paragraph: its front part ends on a full, justified line.
        cut=len(front) + len(rest) > len(body),
        jump_id=roles.jump_id(story.id) if story else "",
        inside=[(label, target, contents.get(target, 1)) for label, target in listed],
        # "Inside Today" points inside: not printed when all it would list is on the front.
        inside_today=any(contents.get(target, 1) > 1 for _, target in listed),
        page_plan=page_plan or NO_PLAN,
    )

    def partial(template: str, section, **extra) -> str:
        value = getattr(issue, section.name, None) if section.kind == "section" else None
        return env.get_template(template).render(common, section=section, value=value, **extra)

    blocks = []
    for block in registry.blocks():
        section = block.section
        if block.continuation:
            blocks.append(partial(block.template, section) if rest else "")
        elif section.kind == "group":
            # Each member where it is, an absent one as nothing (with its separator).
            members = [partial(member.template, member) if issue.present(member.name) else ""
                       for member in registry.members(section.name)]
            blocks.append(partial(block.template, section, members=Markup("\n".join(members)))
                          if any(members) else "")
        elif section.kind == "plan":
            # Set only when the page plan gives it something (a chart band, say).
            blocks.append(partial(block.template, section)
                          if section.planned(common["page_plan"]) else "")
        else:
            blocks.append(partial(block.template, section) if issue.present(section.name)
                          else "")
    return env.get_template("edition.html.j2").render(
        common, title=document_title(issue), blocks=Markup("\n".join(blocks)),
        section_stylesheets=_hrefs(registry, None),
        format_section_stylesheets=_hrefs(registry, fmt.rules or fmt.name))


def _hrefs(registry, rules: str | None) -> list[str]:
    """The sections' stylesheets (or their rules for a format) that some layouts directory
    has, by their names relative to one: the render's base URL is printpost's layouts, and
    its fetcher serves a name from the first directory that has it (a paper's own first)."""
    return list(registry.stylesheet_paths(rules))


def split_lead(body: list[str], jump) -> tuple[list[str], list[str]]:
    """The lead's paragraphs on the front page and those continued, cut at `jump` (a
    jumps.Jump, measured on the last pass); a cut inside inline markup (*emphasis*,
    **strong**, a link) moves back to before it."""
    words = body[jump.paragraph].split()
    keep = min(jump.words, len(words))
    while keep > 0:
        head, tail = " ".join(words[:keep]), " ".join(words[keep:])
        if not tail or f"{plain(head)} {plain(tail)}" == plain(" ".join(words)):
            break
        keep -= 1
    front = body[:jump.paragraph] + ([" ".join(words[:keep])] if keep else [])
    rest = ([" ".join(words[keep:])] if keep < len(words) else []) + body[jump.paragraph + 1:]
    return front, rest
