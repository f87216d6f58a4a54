"""Preflight findings in a reader's words: pages by number, places by section name.

Preflight names the element it measured (`briefs-cols`, `opinion-2-p3`) and page 0 for the
edition as a whole; an editor reads "page 2, the listings" and "the edition".
"""

from __future__ import annotations

import re

# Element ids of layouts/edition.html.j2 → the section as the editor knows it.
PLACES = {
    "lead": "the lead story",
    "lead-jump": "the lead story, continued",
    "deep-dive": "the deep dive",
    "opinion": "Opinion",
    "briefs": "the listings (tools, trending, movers, reading)",
    "tools": "Tools of the Week",
    "trending": "Trending",
    "movers": "Biggest Movers",
    "reading": "Weekend Reading",
    "subscribe": "the subscribe box",
    "nameplate": "the nameplate",
    "contents": "Inside Today",
    "metrics": "the metrics box",
}
# Preflight errors that make a PDF defective, whatever its design: text drawn with no glyph,
# text overset past its column or page, type too small to read, a QR code that does not
# scan. `build` fails on these (unless --draft); page-design findings (fill, balance,
# widows, the grid…) it reports, and `check` fails on them.
DEFECTS = frozenset({"missing-glyph", "overflow", "small-text", "qr-size", "qr-quiet-zone"})

_PART = re.compile(r"-(cols(-\d+)?|p\d+)$")


def place(element_id: str) -> str:
    """'briefs-cols' → 'the listings (…)'; 'opinion-2-p3' → 'opinion column 2, paragraph 3'."""
    name, paragraph = element_id, ""
    while match := _PART.search(name):
        if match.group(1).startswith("p"):
            paragraph = f", paragraph {match.group(1)[1:]}"
        name = name[:match.start()]
    if column := re.fullmatch(r"opinion-(\d+)", name):
        return f"opinion column {column.group(1)}{paragraph}"
    return PLACES.get(name, name.replace("-", " ")) + paragraph


def finding(item) -> str:
    """One preflight finding as a line: 'error: page 2, the deep dive: <what> (check)'."""
    where = f"page {item.page}" if item.page else "the edition"
    if item.story:
        where += f", {place(item.story)}"
    return f"{item.severity}: {where}: {item.message} ({item.check})"
