"""The words of load errors: what an editor reads when issue data is refused.

Every message says what is wrong and how to fix it, in the editor's terms (a mapping, a
list, copy, a whole number), never in the validator's. Values from the file are untrusted
and may be secrets (a file linked from elsewhere): a message quotes at most a short excerpt.
"""

from __future__ import annotations

import difflib
import re

EXCERPT = 20  # characters of a value a message may quote

# Names editors reach for (from other newsletters, older schemas and the printed page's own
# words), each with the fields it may mean: the one the section has is suggested.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "issue_number": ("issue",), "issue_no": ("issue",), "number": ("issue",), "no": ("issue",),
    "edition_number": ("issue",), "volume": ("issue",),
    "weekend_reading": ("reading",), "further_reading": ("reading",), "reads": ("reading",),
    "links": ("reading",), "long_reads": ("reading",),
    "biggest_movers": ("movers",), "top_movers": ("movers",), "gainers": ("movers",),
    "subtitle": ("dek", "tagline", "label"), "sub_headline": ("dek",), "subhead": ("dek",),
    "standfirst": ("dek",), "deck": ("dek",), "summary": ("dek", "description", "blurb"),
    "strapline": ("dek", "tagline"), "slogan": ("motto", "tagline"),
    "qr_caption": ("scan_label",), "qr_label": ("scan_label",), "qr_text": ("scan_label",),
    "caption": ("scan_label",), "scan_text": ("scan_label",),
    "cta": ("call_to_action",), "button": ("call_to_action",), "button_text": ("call_to_action",),
    "title": ("headline", "name"), "head": ("headline",), "hed": ("headline",),
    "text": ("body", "description", "blurb"), "content": ("body",), "paragraphs": ("body",),
    "copy": ("body", "blurb"), "story": ("body",),
    "quote": ("pull_quote",), "pullquote": ("pull_quote",), "pull": ("pull_quote",),
    "author": ("byline",), "by": ("byline",), "writer": ("byline",), "type": ("role", "kind"),
    "rating": ("score",), "editor_score": ("score",), "editors_score": ("score",),
    "link": ("url",), "href": ("url",), "website": ("url",), "subscribe_url": ("url",),
    "desc": ("description",), "details": ("description",), "about": ("description",),
    "star_count": ("stars",), "stargazers": ("stars",), "github_stars": ("stars",),
    "lang": ("language",), "programming_language": ("language",),
    "delta": ("change",), "movement": ("change",), "percent": ("change",), "trend": ("direction",),
    "city": ("location",), "place": ("location",), "dateline": ("location",),
    "temperature": ("temperature_c",), "temp": ("temperature_c",), "celsius": ("temperature_c",),
    "conditions": ("condition",), "forecast": ("condition",), "sky": ("condition",),
    "day": ("date",), "published": ("date",), "est": ("established",), "founded": ("established",),
    "since": ("established",), "name": ("title",), "paper": ("title",), "masthead": ("edition",),
    "header": ("edition",), "meta": ("edition",),
    "main_story": ("lead",), "lead_story": ("lead",), "top_story": ("lead",), "headline_story": ("lead",),
    "analysis": ("deep_dive",), "feature": ("deep_dive",), "deepdive": ("deep_dive",),
    "opinions": ("opinion",), "op_ed": ("opinion",), "commentary": ("opinion",),
    "tools_of_the_week": ("tools",), "tool": ("tools",), "trends": ("trending",),
    "trending_models": ("trending",), "hugging_face": ("huggingface",), "hf": ("huggingface",),
    "models": ("huggingface",), "datasets": ("huggingface",), "repos": ("github",),
    "repositories": ("github",), "subscription": ("subscribe",), "newsletter": ("subscribe",),
    "stats": ("metrics",), "numbers": ("metrics",), "by_the_numbers": ("metrics",),
    "entries": ("items", "rows", "columns"), "list": ("items", "rows"), "opinion_columns": ("columns",),
    "tag": ("tags",), "labels": ("tags",), "download_count": ("downloads",),
}


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """A value as a message may show it: quoted, one printable line, at most `limit`
    characters of it."""
    if not isinstance(value, str):
        return kind_of(value)
    shown = "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in value)
    if len(shown) > limit:
        shown = shown[:limit] + "…"
    return "'" + shown.replace("'", "\\'") + "'"


def kind_of(value: object) -> str:
    """What a value is, in an editor's words."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        shown = repr(value)
        return f"the number {shown if len(shown) <= EXCERPT else shown[:EXCERPT] + '…'}"
    if isinstance(value, str):
        return f"the text {excerpt(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _normal(name: str) -> str:
    """issueNumber, Issue-Number, 'issue number' → issue_number."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[\s\-.]+", "_", name).lower()


def did_you_mean(name: str, fields: list[str]) -> str | None:
    """The field of `fields` that an unknown key most likely meant: a common other name for
    it, the same name written differently, or the nearest spelling."""
    normal = _normal(name)
    if normal in fields and normal != name:
        return normal
    for meant in COMMON_NAMES.get(normal, ()):
        if meant in fields:
            return meant
    close = difflib.get_close_matches(normal, fields, n=1, cutoff=0.7)
    if close:
        return close[0]
    # A longer name that holds a field's whole name: headline_text → headline.
    holding = [field for field in fields if len(field) > 2 and field in normal.split("_")]
    return holding[0] if len(holding) == 1 else None


def listed(names: list[str], limit: int = 10) -> str:
    """`a`, `b` and `c`; past `limit`, the first ones and how many more."""
    shown = [f"`{name}`" for name in names[:limit]]
    if len(names) > limit:
        return ", ".join(shown) + f" and {len(names) - limit} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" and {shown[-1]}"


# YAML syntax errors: the parser's words (problem, then context) → the usual cause and fix.
# `{key}` is the key of the line the error is on.
_SYNTAX_CAUSES: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed",
     "copy holds a colon followed by a space, which YAML reads as a new key; quote copy "
     "that holds a colon: {key}: '…: …'"),
    ("found character '\\t'", "a tab character; indent with spaces, not tabs"),
    ("found undefined alias", "copy starts with *, which YAML reads as an alias; quote copy "
     "that starts with *: {key}: '*New* …'"),
    ("expected alphabetic or numeric character", "copy starts with * or &, which YAML reads "
     "as an alias or anchor; quote copy that starts with them: {key}: '*New* …'"),
    ("found character '@'", "copy starts with @ or `, which YAML reserves; quote it: {key}: '@…'"),
    ("found character '`'", "copy starts with @ or `, which YAML reserves; quote it: {key}: '`…'"),
    ("found unknown escape character", "a backslash in \"double quotes\" starts an escape; "
     "write \\\\ for a backslash, or use 'single quotes'"),
    ("while scanning a quoted scalar", "a quotation mark opened here is never closed; close it "
     "(inside 'single quotes' write '' for an apostrophe)"),
    ("while scanning a block scalar", "nothing but a comment may follow > or | on its line; "
     "start the copy on the next line, indented"),
    ("sequence entries are not allowed", "a list entry (- …) where copy was expected; "
     "put the list on the lines below its key, indented, or quote copy that starts with -"),
    ("could not find expected ':'", "a line that is neither key: value nor a continued line "
     "of copy; indent copy that goes on more than its key, or quote it"),
    ("while parsing a flow sequence", "a [ list is not closed, or copy starts with [; quote "
     "copy that starts with [ or {: {key}: '[…] …'"),
    ("while parsing a flow mapping", "an entry of a { } mapping is not followed by a comma, "
     "or a { is not closed (in JSON, put a comma between entries)"),
    ("expected ',' or ']'", "an entry of a [ ] list is not followed by a comma, or copy "
     "starts with [; quote copy that starts with [: {key}: '[…] …'"),
    ("expected ',' or '}'", "an entry of a { } mapping is not followed by a comma (in JSON, "
     "put a comma between entries)"),
    ("found undefined tag handle", "copy starts with !, which YAML reads as a tag; quote it: "
     "{key}: '!…'"),
    ("could not determine a constructor for the tag", "copy starts with !, which YAML reads "
     "as a tag; quote it: {key}: '!…'"),
    ("expected <block end>", "this line is indented differently from the keys beside it, or "
     "copy goes on after a closing quotation mark; line keys of one section up, and quote "
     "the whole of the copy"),
    ("expected <document start>", "a line at the top of the file that is not key: value; "
     "sections start at the left margin (edition:, lead:, …)"),
    ("found unexpected end of stream", "the file ends inside a value; close what is open "
     "(a quotation mark, a [ or a {)"),
    ("while scanning a simple key", "a line of copy without key: before it; indent copy that "
     "goes on more than its key, or quote it"),
)


def syntax_cause(parser_words: str, key: str) -> str:
    """The usual cause of a YAML syntax error, with its fix."""
    for words, cause in _SYNTAX_CAUSES:
        if words in parser_words:
            return cause.replace("{key}", key or "key")
    return ""
