"""Print formats as data: page size, margins, columns, gutter, type and bleed.

The profiles live in `layouts/formats.toml`; adding a format is adding a table there (and,
if it needs rules of its own, `layouts/formats/<name>.css`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from functools import cache

from .resources import find_layout

DEFAULT_FORMAT = "a4"
PX_PER_MM = 96 / 25.4  # CSS px, as WeasyPrint lays out
PX_PER_PT = 96 / 72


def length_px(css: str) -> float:
    """A length of a profile ("3.8mm", "10pt") in CSS px."""
    value, unit = re.fullmatch(r"([\d.]+)(pt|px|mm|in)", css.strip()).groups()
    return float(value) * {"pt": PX_PER_PT, "px": 1, "mm": PX_PER_MM, "in": 96}[unit]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    page_width: str
    page_height: str
    margin_top: str
    margin_bottom: str
    margin_inner: str
    margin_outer: str
    columns: int
    gutter: str
    font_size: str
    line_height: str
    label: str = ""  # in a reader's words, for the site's download buttons ("US Letter")
    bleed: str = "0mm"
    crop_marks: bool = False
    pdf_variant: str | None = None
    # The page counts an edition may have (the planner picks the fewest the copy fits; None:
    # as many as it takes). A press prints in sheets of 2 or 4 pages.
    page_counts: tuple[int, ...] | None = None
    rules: str | None = None  # whose layouts/formats/<rules>.css to use; default: its own name
    # Where the front page's contents usually point: the first guess, before a layout of
    # this format has been measured by the typesetter (pipeline.Typesetter.render).
    contents_guess: dict | None = None
    # Lines per column the lead may take on the front page of a fixed-length edition before
    # it jumps inside (printpost/jumps.py), so that the next story starts on the front too.
    lead_front_lines: int | None = None
    # The colour of the QR code, drawn as an image outside the CSS: process black alone on a
    # press (an RGB black prints in four inks, and plates out of register blur the modules).
    qr_color: str = "#000000"
    # Preflight's page measures (printpost/pages.py): the least share of its text area a page
    # must fill (the last page less), the gap between pieces still counted as filled, how far
    # apart listing columns may end, and the measure of a text column, in characters.
    min_page_fill_pct: float = 85.0
    min_last_page_fill_pct: float = 50.0
    fill_gap_lines: float = 2.0
    max_listing_spread_lines: float = 2.0
    measure_chars: tuple[int, int] = (25, 75)
    # Bounded work (printpost/limits.py): the time one edition may take to lay out in this
    # format, over all its passes, and the most pages it may run to; --max-seconds and
    # --max-pages override them.
    layout_seconds: float | None = None
    max_pages: int | None = None
    # The fewest columns a short listing is set in (each wider): fewer would be too wide.
    listing_min_columns: int = 2

    @property
    def stylesheet(self) -> str | None:
        """The format's own stylesheet, relative to layouts/, when it has one."""
        name = self.rules or self.name
        return f"formats/{name}.css" if find_layout(f"formats/{name}.css").is_file() else None


@cache
def formats() -> dict[str, Format]:
    with open(find_layout("formats.toml"), "rb") as file:
        table = tomllib.load(file)
    known = {field.name for field in fields(Format)}
    result = {}
    for name, values in table.items():
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"layouts/formats.toml [{name}]: unknown keys {sorted(unknown)}")
        values = {key: tuple(value) if key in ("measure_chars", "page_counts") else value
                  for key, value in values.items()}
        result[name] = Format(name=name, **values)
    return result


def get_format(name: str) -> Format:
    try:
        return formats()[name]
    except KeyError:
        raise KeyError(
            f"unknown format {name!r}; known formats: {', '.join(formats())}"
        ) from None
