"""The roles contract: every class and id of the layouts' HTML that printpost's Python reads.

The layouts (layouts/sections/*/section.html.j2) put these on their elements; balance,
preflight, page measures, copyfit, jumps and the page planner find what they work on by
them, never by a section's own name. A section type declares the roles it plays (`roles = [...]` in its
section.toml, SECTION_ROLES below) and its partial carries the classes of each
(tests/test_sections.py checks every declared role against the composed HTML).
docs/architecture.md walks through the contract with an example.
"""

from __future__ import annotations

import re

# ---- section roles, declared in section.toml -----------------------------------------------

STORY = "story"  # story copy set in balanced columns: an element of class STORY_BODY
COLUMN = "column"  # story copy in columns of its own, side by side: elements of COLUMN_COPY
LISTING = "listing"  # a list of items: its outer element has class LISTING
BOX = "box"  # a box that stays whole, on one page and in one column: a class of WHOLE
JUMP = "jump"  # a story that may be cut at the front page's foot and continued later: the
# lead, whose side boxes (SIDE) and columns (columns_id) the page planner sets
AD = "ad"  # the house ad, last: the page planner sizes its box to the room the copy leaves
BAND = "band"  # a block of charts the page planner sets, as deep as the page has left
SECTION_ROLES = frozenset({STORY, COLUMN, LISTING, BOX, JUMP, AD, BAND})

# ---- classes ---------------------------------------------------------------------------------

# Story copy in a multi-column block: balance sets it from its lines (level columns, one
# column narrower when they cannot be), preflight's uneven columns are errors there,
# copyfit re-sets its paragraphs, its lines are body lines on the baseline grid.
STORY_BODY = "story-body"
# Story copy set in a column of its own (an opinion column): body lines, text columns.
COLUMN_COPY = "opinion-column"
# Body copy: lines counted on the baseline grid.
BODY_COPY = frozenset({STORY_BODY, COLUMN_COPY})
# A listing: items (<li>) stay whole, uneven columns are a warning, a column set holding
# listings is a listing set; its paragraphs are text columns.
LISTING_CLASS = "listing"
LISTING_ITEM = "li"  # the element of one item of a listing, kept whole
# A listing group's block of columns (the briefs' columns): balance sets it in fewer, wider
# columns when it holds few items (never fewer than its data-min-columns) and feathers its
# columns level at their foot; the page planner counts its items and spreads it.
LISTING_SET = "listings"
LISTING_PIECES = frozenset({LISTING_ITEM, "h2", "h3"})  # the pieces of a listing set, by tag
ITEM_TEXT = "item-text"  # an item's description: the listing's measure is read from its lines
TEXT = frozenset({STORY_BODY, COLUMN_COPY, LISTING_CLASS})  # their paragraphs: text columns
# Boxes that stay whole: the subscribe box, fact boxes, pull quotes, charts, and any box
# of a section of its own (class BOX_CLASS).
BOX_CLASS = "box"
WHOLE = frozenset({"subscribe", "factbox", "pull-quote", "chart", BOX_CLASS})
# Heads: a head ending a column or page while its copy starts on the next is stranded.
HEADINGS = frozenset({"headline", "kicker", "section-head", "listing-head", "factbox-title"})
# Heads with what is set with them (page measures' stranded head groups).
HEAD_GROUP = HEADINGS | {"dek", "listing-intro", "byline", "jump-head"}
BYLINE = "byline"
# Lines that are not text copy though they sit in text columns (page measures).
NOT_TEXT = frozenset({"headline", "kicker", "byline", "dek", "section-head", "listing-head",
                      "jump-line", "item-name", "item-meta", "item-url", "number", "stars"})
QR_CODE = "qr-code"  # the QR code's <img>: its size and quiet zone are measured
# The page planner's landmarks on the front page (printpost/planner.py): the jumping story's
# side boxes, its fact box of metrics and its contents box ("Inside Today", across the page
# when it has class CONTENTS_STRIP), and a chart (the one beside the lead has SIDE_CHART_ID).
SIDE = "lead-side"
METRICS = "metrics"
CONTENTS_BOX = "inside"
CONTENTS_STRIP = "strip"
CHART = "chart"
SIDE_CHART_ID = "chart-side"
JUMP_LINE = "jump-line"  # "Continued on page N" at the foot of a jumped story

# ---- ids ---------------------------------------------------------------------------------------

# A section's outer element has the id its declaration gives (`id`, by default its name
# with dashes): the contents, the page planner (the house ad, the chart band) and copyfit
# find it by it. A story's paragraphs are <id>-p1, <id>-p2…: copyfit re-sets one by its id,
# jumps count the jumping story's lines by them; its columns are <id>-cols (the planner
# measures the lead's). A jumped story goes on in <id>-jump.
PARAGRAPH_ID = re.compile(r"-p\d+$")


def paragraph_id(section_id: str, number: int) -> str:
    return f"{section_id}-p{number}"


def columns_id(section_id: str) -> str:
    """The id of a story's (first) block of columns."""
    return f"{section_id}-cols"


def jump_id(section_id: str) -> str:
    """The id of the element a jumped story is continued in."""
    return f"{section_id}-jump"
