"""The page planner: fits an edition's copy to its pages.

A format's stylesheet sets the sections in order, one after another, in the page's grid of
columns; where a page ends is where the copy runs out of it. What the planner decides, from
one measured layout of the copy (`Geometry.of`), is what a desk decides around that flow:

- the page count, within what the format allows (`page_counts` in layouts/formats.toml:
  press 2 or 4, home print 2 to 4, the e-reader any): the fewest pages the copy and the
  house ad fit;
- the house ad (the subscribe box, always last): sized to the space the copy leaves on the
  last page, or the whole back page when the copy ends a page before it — a back page goes to
  the house ad only when there is one to spare;
- short copy filled with the edition's own content, never invented copy: heads, the pull
  quote and the fact boxes a size larger (`tier`), the lead in fewer, longer columns beside
  wider boxes, and charts drawn from the edition's numbers (GitHub stars, downloads, the
  movers' changes): one under the lead's side boxes, as deep as the lead's columns, and a
  band as deep as the page has left;
- long copy: the lead jumps (printpost/jumps.py) and copyfit tightens (printpost/copyfit.py),
  as before.

Every length is measured on the layout, in px; a plan is turned into CSS (layouts/plan.css.j2)
and template options (the tier, the charts, the ad's style).
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field, replace

from . import roles, sections
from .compose import environment

AD_STYLES = ("box", "panel", "page")  # the house ad: a box, a panel across the page, a page
PANEL_SHARE = 0.22  # of the text area: from here the ad is set as a panel
PAGE_HALF = 0.5  # and from here as the back page's ad is set
MAX_TIER = 3  # heads, pull quote and boxes: the format's sizes (0) and up to three larger
MIN_TIER = -2  # and two smaller, for copy that runs over the format's most pages
MAX_SHORT_TIER = 2  # larger sizes stop here: a chart and spread listings fill the rest
CHART_MIN_LINES = 5  # a chart shorter than this is left out (title, two bars, room)
CHART_MAX_LINES_PER_BAR = 3  # a bar and its label take one to three grid lines
MIN_FILL_MARGIN = 0.04  # aim this share of a page above the least fill (layouts vary a little)


@dataclass(frozen=True)
class Chart:
    """One chart of the edition's numbers."""

    key: str
    title: str
    unit: str
    bars: tuple[tuple[str, float, str], ...]  # (label, value, value as printed)


@dataclass(frozen=True)
class Plan:
    pages: int | None = None  # the page count aimed at (None: as many as the copy takes)
    tier: int = 0
    lead_columns: int | None = None  # None: all the grid's columns but the side box's
    listing_height: float = 0.0  # px the listings' columns reach on their last page (0: as
    # balanced)
    inside_strip: bool = False  # the contents across the page (not beside the lead)
    side_chart_lines: int = 0  # 0: no chart under the lead's side boxes
    band_chart_lines: int = 0  # 0: no chart band
    ad: str = "box"
    ad_height: float = 0.0  # px, border box; 0: as the ad's style sets it
    ad_pad: float = 0.0  # px added above a box's content, to centre it in its height
    ad_natural: float = field(default=0.0, compare=False)  # px the ad takes as a box
    ad_alone: bool = False  # the ad has the back page to itself
    ad_gap: float = field(default=0.0, compare=False)  # px between the copy and the ad
    front_set: bool = field(default=False, compare=False)  # the lead's columns are chosen
    tier_ceiling: int = MAX_TIER  # a larger tier took the copy over its pages
    tier_floor: int = 0
    notes: tuple[str, ...] = field(default=(), compare=False)  # what was decided, and why

    def describe(self) -> dict:
        return {"pages": self.pages, "tier": self.tier, "lead_columns": self.lead_columns,
                "side_chart_lines": self.side_chart_lines,
                "band_chart_lines": self.band_chart_lines, "ad": self.ad,
                "inside_strip": self.inside_strip,
                "listing_height_px": round(self.listing_height, 1),
                "ad_height_px": round(self.ad_height, 1), "notes": list(self.notes)}

    def settled(self, decided: Plan, geometry: Geometry) -> bool:
        """Whether a pass laid out with this plan can be kept although `decided` was decided
        from it: the same plan, the ad as high to a line, and on that pass the ad fitted its
        page (a few px less than its room leaves no blank a reader sees)."""
        if replace(self, ad_height=0.0, ad_pad=0.0) != replace(decided, ad_height=0.0,
                                                              ad_pad=0.0):
            return False
        return (abs(self.ad_height - decided.ad_height) < 1 and abs(self.ad_pad - decided.ad_pad) < 1
                or (geometry.ad_fits and 0 <= decided.ad_height - self.ad_height <= geometry.line + 0.5))


# ---- the edition's numbers -------------------------------------------------------------

_COMPACT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([kKmM]?)\s*$")
_PERCENT = re.compile(r"^\s*([+\-−]?)\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def _compact_value(text: str) -> float | None:
    """'4.2k' → 4200, '1.3M' → 1300000, '12,345' → 12345; None for anything else."""
    text = text.replace(",", "") if re.fullmatch(r"\s*[0-9]{1,3}(,[0-9]{3})+\s*", text) else text
    match = _COMPACT.match(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    return value * {"": 1, "k": 1e3, "m": 1e6}[match.group(2).lower()]


def charts(issue) -> list[Chart]:
    """Charts of the numbers the edition prints, in the order they are placed; a set of
    numbers needs two values at least to be drawn."""
    from .compose import compact_number, plain

    found = []
    trending = getattr(issue, "trending", None)
    repos = [repo for repo in getattr(trending, "github", None) or ()
             if getattr(repo, "stars", None) is not None]
    if len(repos) >= 2:
        found.append(Chart("stars", "GitHub stars this week", "★", tuple(
            (repo.name, float(repo.stars), compact_number(repo.stars))
            for repo in sorted(repos, key=lambda r: (-r.stars, r.name)))))
    hub = [(entry.name, value, entry.downloads)
           for entry in getattr(trending, "huggingface", None) or ()
           if getattr(entry, "downloads", None)
           and (value := _compact_value(entry.downloads)) is not None]
    if len(hub) >= 2:
        found.append(Chart("downloads", "HuggingFace downloads", "", tuple(
            sorted(hub, key=lambda bar: (-bar[1], bar[0])))))
    movers = getattr(issue, "movers", None)
    movers = getattr(movers, "items", movers) or ()
    moves = []
    for mover in movers:
        match = _PERCENT.match(plain(mover.change))
        if match:
            sign = -1 if match.group(1) in "-−" and match.group(1) else 1
            if mover.direction == "down":
                sign = -1
            moves.append((mover.name, sign * float(match.group(2)), mover.change))
    if len(moves) >= 2:
        found.append(Chart("movers", "Biggest movers, change this week", "%", tuple(
            sorted(moves, key=lambda bar: (-bar[1], bar[0])))))
    return found


# ---- the measured layout ---------------------------------------------------------------

@dataclass(frozen=True)
class Landmarks:
    """The ids and classes the planner measures an edition's layout by, as its section types
    declare them (printpost/roles.py): the lead (the story with the jump role), the house ad
    (role ad), the group of the listings and the chart band (role band)."""

    lead: str = "lead"
    ad: str = "subscribe"
    listings: str = "briefs"
    band: str = "numbers"

    @classmethod
    def of(cls, issue) -> Landmarks:
        registry = sections.of(issue)
        lead, ad, band = (registry.jumping, registry.playing(roles.AD),
                          registry.playing(roles.BAND))
        listings = registry.group_of(roles.LISTING)
        # A paper without one of them: an id no element has.
        return cls(lead=lead.id if lead else "", ad=ad.id if ad else "",
                   listings=listings.css_class if listings else "", band=band.id if band else "")


@dataclass
class Geometry:
    """What the planner needs of one laid-out pass, in px (page 0 is the front page)."""

    pages: int
    area_height: float
    line: float
    copy_end: tuple[int, float]  # page, and depth below the text area's top, where the
    # copy before the house ad ends
    ad_page: int | None
    ad_top: float  # depth of the ad's border box below its page's text area top
    ad_height: float  # its border box
    ad_margin_top: float
    lead_grid_lines: float  # lines of the lead's body on the front page, as if each were a
    # grid column wide
    lead_depth: float  # how deep the lead's columns reach below their top
    side_depth: float  # and the side boxes (0: none)
    side_chart_depth: float  # of which the side chart
    metrics_depth: float  # the metrics box, with the space above it
    inside_depth: float  # the contents box beside the lead, with the space above it
    inside_entries: int
    band_depth: float = 0.0  # the chart band, with its margins (0: none)
    band_chart_depth: float = 0.0  # its charts
    listing_items: int = 0  # items (and heads) of the listings
    listing_chars: float = 0.0  # characters in a full line of the listings, as set
    listing_columns: int = 0  # as the layouts set them
    listing_columns_set: int = 0  # as the plan set them
    fills: tuple[float, ...] = ()  # each page's fill (preflight's measure), % of its text area
    depths: tuple[float, ...] = ()  # how deep each page's copy reaches (the ad left out)
    band_page: int = 0  # the page the chart band is on, or would be (where the copy before
    # the listings ends)
    listings_page: int = -1  # the page the listings end on
    listings_depth: float = 0.0  # how deep their columns reach there (the set's height)
    listings_last_items: int = 0  # their items and heads on that page
    area_width: float = 0.0
    ad_overflows: bool = False  # the ad's content is taller than the height it was given

    @property
    def ad_gap(self) -> float | None:
        """Space between the end of the copy and the ad's box, where the pass set them on one
        page."""
        page, depth = self.copy_end
        if self.ad_page == page and self.ad_top > depth:
            return self.ad_top - depth
        return None

    @property
    def ad_fits(self) -> bool:
        """The ad is on the last page, whole, its content inside it."""
        return (self.ad_page == self.pages - 1 and not self.ad_overflows
                and self.ad_top + self.ad_height <= self.area_height + 0.5)

    @property
    def end(self) -> float:
        """Where the copy ends, in pages (1.5: halfway down the second page)."""
        page, depth = self.copy_end
        return page + depth / self.area_height

    @classmethod
    def of(cls, document, fmt, line: float, landmarks: Landmarks = Landmarks()) -> Geometry:
        from weasyprint.formatting_structure import boxes

        from .engine.linebreaks import line_text

        pages = document.pages
        area_height = pages[0]._page_box.height
        area_width = pages[0]._page_box.width
        copy_end = (0, 0.0)
        depths, band_page = [], 0
        ad = None
        lead = side = chart = metrics = inside = band = band_chart = None
        entries = 0
        items, listing_columns, listing_columns_set, chars = 0, 0, 0, []
        listings_element, listings_page, listings_depth, last_items = None, -1, 0.0, 0
        lead_lines = 0
        lead_columns = roles.columns_id(landmarks.lead)
        for number, page in enumerate(pages):
            page_box = page._page_box
            top = page_box.content_box_y()
            bottom = _copy_bottom(page_box, boxes, ad_ids={landmarks.ad})
            depths.append(bottom - top if bottom is not None else 0.0)
            if bottom is not None:
                copy_end = (number, bottom - top)
            body = next((box for box in _descendants(page_box)
                         if getattr(box, "element_tag", None) == "body"), None)
            for child in getattr(body, "children", ()):
                if landmarks.listings in _class(child) or _id(child) == landmarks.ad:
                    break
                if _id(child) == landmarks.band or child.element_tag in ("article", "section"):
                    band_page = number  # holds copy that comes before the band

            for box in _descendants(page_box):
                element_id = _id(box)
                if element_id == landmarks.ad and ad is None:
                    ad = (number, box.border_box_y() - top, box.border_height(), box.margin_top,
                          _overflows(box))
                elif number == 0 and element_id == lead_columns and lead is None:
                    lead = box
                    grid = _grid_column(page_box.width, fmt)
                    lead_lines = sum(
                        column.width / grid for column in box.children
                        for line_box in _descendants(column) if isinstance(line_box, boxes.LineBox))
                elif number == 0 and roles.SIDE in _class(box) and side is None:
                    side = box
                elif number == 0 and element_id == roles.SIDE_CHART_ID and chart is None:
                    chart = box
                elif roles.LISTING_SET in _class(box) and box.style["column_count"] != "auto":
                    listing_columns_set = box.style["column_count"]
                    listing_columns = listing_columns or listing_columns_set
                    if box.element is not listings_element or number != listings_page:
                        listings_element, listings_page = box.element, number
                        listings_depth = box.border_height()
                        last_items = 0
                    for piece in _descendants(box):
                        if getattr(piece, "element_tag", None) in roles.LISTING_PIECES:
                            items += isinstance(piece, boxes.BlockBox)
                            last_items += isinstance(piece, boxes.BlockBox)
                        if isinstance(piece, boxes.BlockBox) and roles.ITEM_TEXT in _class(piece):
                            lines = [child for child in piece.children
                                     if isinstance(child, boxes.LineBox)]
                            chars += [len(line_text(line).strip()) for line in lines[:-1]]
                elif element_id == landmarks.band and band is None:
                    band = box
                elif roles.CHART in _class(box) and band is not None and band_chart is None:
                    band_chart = box
                elif number == 0 and roles.METRICS in _class(box) and metrics is None:
                    metrics = box
                elif number == 0 and roles.CONTENTS_BOX in _class(box) and inside is None:
                    inside = box
                    entries = sum(1 for item in _descendants(box) if getattr(item, "element_tag", None)
                                  == roles.LISTING_ITEM
                                  and isinstance(item, boxes.BlockBox))
        return cls(
            pages=len(pages), area_height=area_height, line=line, copy_end=copy_end,
            ad_page=ad[0] if ad else None, ad_top=ad[1] if ad else 0.0,
            ad_height=ad[2] if ad else 0.0, ad_margin_top=ad[3] if ad else 0.0,
            lead_grid_lines=lead_lines,
            lead_depth=_depth(lead), side_depth=_depth(side), side_chart_depth=_depth(chart),
            metrics_depth=_depth(metrics, margin=True), inside_depth=_depth(inside, margin=True)
            if inside is not None and roles.CONTENTS_STRIP not in _class(inside) else 0.0,
            inside_entries=entries,
            band_depth=_depth(band, margin=True), band_chart_depth=_depth(band_chart),
            listing_items=items, listing_columns=listing_columns, area_width=area_width,
            listing_columns_set=listing_columns_set,
            listing_chars=statistics.median(chars) if chars else 0.0,
            depths=tuple(depths), band_page=band_page, listings_page=listings_page,
            listings_depth=listings_depth, listings_last_items=last_items,
            ad_overflows=bool(ad and ad[4]))


def _grid_column(width: float, fmt) -> float:
    from .formats import length_px

    return (width - (fmt.columns - 1) * length_px(fmt.gutter)) / fmt.columns


def _descendants(box):
    stack = [box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(reversed(getattr(box, "children", ())))


def _id(box) -> str | None:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return None
    return element.get("id")


def _class(box) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())


def _overflows(box) -> bool:
    """Whether a box's in-flow content reaches below its content box."""
    children = [child for child in getattr(box, "children", ()) if child.is_in_normal_flow()]
    if not children:
        return False
    bottom = max(child.position_y + child.margin_height() for child in children)
    return bottom > box.content_box_y() + box.height + 0.5


def _depth(box, margin: bool = False) -> float:
    if box is None:
        return 0.0
    return box.margin_height() if margin else box.border_height()


def _copy_bottom(page_box, boxes, ad_ids) -> float | None:
    """The lowest bottom of the copy on a page (lines and drawn boxes), the ad left out."""
    from weasyprint.formatting_structure.boxes import MarginBox

    bottom = None
    stack = [page_box]
    while stack:
        box = stack.pop()
        if isinstance(box, MarginBox) or _id(box) in ad_ids:
            continue
        if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
            end = box.position_y + box.margin_height()
            bottom = end if bottom is None else max(bottom, end)
            continue
        stack.extend(getattr(box, "children", ()))
    return bottom


# ---- deciding ------------------------------------------------------------------------------

def allowed_pages(fmt, pages: int) -> int:
    """The fewest pages the format allows that hold `pages` (its most, when none does)."""
    if not fmt.page_counts:
        return pages
    fitting = [count for count in fmt.page_counts if count >= pages]
    return min(fitting) if fitting else max(fmt.page_counts)


def decide(fmt, plan: Plan, geometry: Geometry, edition_charts: list[Chart]) -> Plan:
    """The next plan, from a pass laid out with `plan`: where the contents go, the lead's
    columns and the side chart, then the page count, the sizes for short copy and the house
    ad."""
    notes = []
    if plan.ad == "box" and not plan.ad_height and geometry.ad_height:
        plan = replace(plan, ad_natural=geometry.ad_height + geometry.ad_margin_top)
    plan, moved = _front(fmt, plan, geometry, edition_charts, notes)
    area, line = geometry.area_height, geometry.line
    end = geometry.end + moved / area  # where the copy will end, in pages
    natural = plan.ad_natural or 9 * line
    # The copy and the ad (as a box) on as few pages as the format allows.
    needed = math.floor(end + natural / area - 1e-9) + 1
    if plan.pages and needed > plan.pages and plan.tier > plan.tier_floor:
        # Larger sizes took the copy past the pages it was planned on: a tier back, for good.
        notes.append(f"tier {plan.tier} ran over {plan.pages} pages: back to {plan.tier - 1}")
        return replace(plan, tier=plan.tier - 1, tier_ceiling=plan.tier - 1,
                       notes=tuple(notes))
    pages = allowed_pages(fmt, max(needed, 2 if fmt.page_counts else 1))
    if needed > pages and MIN_TIER < plan.tier <= 0:
        notes.append(f"long copy (it needs {needed} pages, {fmt.name} has at most {pages}): "
                     "sizes a tier smaller")
        return replace(plan, tier=plan.tier - 1, tier_ceiling=plan.tier - 1,
                       notes=tuple(notes))
    if needed > pages:
        notes.append(f"the copy and the house ad need {needed} pages; {fmt.name} has at most "
                     f"{pages}")
    last = pages - 1
    if end > last:
        # The copy reaches the last page: the ad takes the rest of it.
        gap = geometry.ad_gap if geometry.ad_gap is not None else (plan.ad_gap or 1.5 * line)
        room = (pages - end) * area - gap - 0.5
        style = ("page" if room >= max(PAGE_HALF * area, 4 * natural)
                 else "panel" if room >= max(PANEL_SHARE * area, 2.2 * natural) else "box")
        if geometry.ad_overflows and plan.ad == style:
            style = AD_STYLES[max(0, AD_STYLES.index(style) - 1)]  # too big for its room
        notes.append(f"the copy ends {100 * (end - last):.0f} % down page {pages}; the house "
                     f"ad ({style}) takes the rest")
        pad = max(0.0, (room - natural) / 2) if style == "box" else 0.0
        plan = _band_on(fmt, plan, geometry, edition_charts, last, end, notes)
        return replace(plan, pages=pages, ad=style, ad_height=max(room, natural), ad_pad=pad,
                       ad_alone=False, ad_gap=gap, notes=tuple(notes))
    # The copy ends a page early: the back page is the house ad's, and the page before it
    # must be full. Short copy by much is set a size larger; then a chart band of the
    # edition's numbers, and the listings' columns spread to the page's foot, fill the rest.
    plan = replace(plan, pages=pages, ad="page", ad_height=area - 0.5, ad_pad=0.0,
                   ad_alone=True)
    page = last - 1
    fill = _fill(geometry, page, end)
    least = fmt.min_page_fill_pct / 100 + MIN_FILL_MARGIN
    foot = _foot(geometry, page, end)
    band_room = _band_room(plan, geometry, edition_charts, foot)
    stretch_room = _stretch_room(geometry, page, foot)
    if (fill < least and (least - fill) * area > band_room + stretch_room
            and plan.tier < min(MAX_SHORT_TIER, plan.tier_ceiling)):
        notes.append(f"short copy (page {pages - 1} {100 * fill:.0f} % filled): sizes a tier "
                     "larger")
        return replace(plan, tier=plan.tier + 1, band_chart_lines=0, listing_height=0.0,
                       notes=tuple(notes))
    plan = _band_on(fmt, plan, geometry, edition_charts, last, end, notes)
    plan = _stretch(plan, geometry, page, foot, notes)
    notes.append(f"the copy ends {100 * (1 - foot / area):.0f} % down page {pages - 1} "
                 f"({100 * fill:.0f} % filled); page {pages} is the house ad's")
    return replace(plan, notes=tuple(notes))


def _front(fmt, plan: Plan, geometry: Geometry, edition_charts, notes) -> tuple[Plan, float]:
    """Where the contents go, the lead's columns and the chart under its side boxes, to make
    the side as deep as the lead; and by how much that moves what follows (px). Chosen once,
    from the first pass (the lead in all the grid's columns but the side box's)."""
    if fmt.columns < 2 or not geometry.side_depth:
        return replace(plan, front_set=True), 0.0
    line, n = geometry.line, fmt.columns
    band = max(geometry.lead_depth, geometry.side_depth)  # as laid out
    boxes = geometry.metrics_depth + geometry.inside_depth  # the side, its chart left out
    columns, depth, moved = plan.lead_columns or n - 1, geometry.lead_depth, 0.0
    inside_strip = plan.inside_strip
    lines = geometry.lead_grid_lines
    if not plan.front_set and lines:
        def deep(k):
            return math.ceil(lines / k) * line

        if deep(n - 1) < boxes - line and geometry.inside_depth:
            # The contents beside a short lead would stand taller than its columns: across
            # the page instead (a strip as deep as its entries in the page's columns).
            inside_strip = True
            boxes = geometry.metrics_depth
            moved += (3 + math.ceil(geometry.inside_entries / n)) * line
            notes.append("the contents across the page under the dateline (the lead is short)")
        if not boxes:
            columns, depth = n, deep(n)  # no side box: the lead across the page
        elif deep(n - 1) < boxes - line:
            fits = [k for k in range(1, n) if deep(k) >= boxes - line]
            columns = max(fits) if fits else 1
            depth = deep(columns)
            notes.append(f"the lead in {columns} columns beside its boxes (it is short)")
        else:
            depth = deep(n - 1)
    hole = math.floor((depth - boxes) / line + 0.05) - 1  # a line between boxes and chart
    chart_lines = hole if edition_charts and boxes and hole >= CHART_MIN_LINES else 0
    if chart_lines:
        notes.append(f"a chart of {edition_charts[0].key} under the lead's boxes "
                     f"({chart_lines} lines)")
    deepest = max(depth, boxes + ((chart_lines + 1) * line if chart_lines else 0.0))
    moved += deepest - band
    return (replace(plan, lead_columns=columns if columns != n - 1 else None,
                    inside_strip=inside_strip, side_chart_lines=chart_lines, front_set=True),
            moved)


def _foot(geometry: Geometry, page: int, end: float) -> float:
    """The blank under the copy on `page` (px), as measured (the copy's last page: as it will
    end)."""
    if page == int(end):
        return (page + 1 - end) * geometry.area_height
    if page < len(geometry.depths):
        return geometry.area_height - geometry.depths[page]
    return 0.0


def _fill(geometry: Geometry, page: int, end: float) -> float:
    """A page's fill as measured (0–1), or as the copy's end gives it."""
    if page < len(geometry.fills) and geometry.ad_page is not None and geometry.ad_page > page:
        return geometry.fills[page] / 100
    return 1 - _foot(geometry, page, end) / geometry.area_height


def _stretch_room(geometry: Geometry, page: int, foot: float) -> float:
    """How far the listings' columns could reach down on `page` (px; 0: they do not end
    the copy there)."""
    if geometry.listings_page != page or geometry.listings_depth <= 0:
        return 0.0
    # As far as the joins between a column's items can open (two lines each, on average).
    per_column = geometry.listings_last_items / max(1, geometry.listing_columns_set)
    return max(0.0, min(foot - geometry.line, 1.5 * max(0.0, per_column - 2) * geometry.line))


def _stretch(plan: Plan, geometry: Geometry, page: int, foot: float, notes) -> Plan:
    """The listings ending the copy on `page`: their columns made as deep as the page has
    left (their items spread a little further apart, engine/feather.py), a line to spare."""
    room = _stretch_room(geometry, page, foot)
    if room < geometry.line:
        return plan
    height = round(geometry.listings_depth + room, 2)
    if abs(height - plan.listing_height) >= 1:
        notes.append(f"the listings' columns spread to the page's foot ({room / geometry.line:.0f}"
                     " lines)")
    return replace(plan, listing_height=height)


def _band_on(fmt, plan: Plan, geometry: Geometry, edition_charts, last: int, end: float,
             notes) -> Plan:
    """The chart band, on the page where the copy before the listings ends, as deep as the
    blank at that page's foot (none on the house ad's page, whose rest the ad takes)."""
    page = geometry.band_page
    if page >= last or (page == int(end) and not plan.ad_alone and page == last):
        return replace(plan, band_chart_lines=0) if plan.band_chart_lines else plan
    return _band(plan, geometry, edition_charts, _foot(geometry, page, end), notes)


def _band_room(plan: Plan, geometry: Geometry, edition_charts, foot: float) -> float:
    """How much of the blank at the page's foot a chart band can fill (px; 0: none)."""
    lines = _band_lines(plan, geometry, edition_charts, foot)
    return lines * geometry.line - plan.band_chart_lines * geometry.line if lines else 0.0


def _band_lines(plan: Plan, geometry: Geometry, edition_charts, room: float) -> int:
    line = geometry.line
    charts_left = edition_charts[1:] if plan.side_chart_lines else edition_charts
    if not charts_left:
        return 0
    bars = max(len(chart.bars) for chart in charts_left[:3])
    most = 2 + bars * CHART_MAX_LINES_PER_BAR
    overhead = (geometry.band_depth - geometry.band_chart_depth if geometry.band_depth
                else 4 * line)  # the band's rule, head and margins around its charts
    lines = min(most, math.floor((room + geometry.band_depth - overhead) / line + 0.02) - 1)
    return lines if lines >= CHART_MIN_LINES else 0


def _band(plan: Plan, geometry: Geometry, edition_charts, room: float, notes) -> Plan:
    """A band of charts of the numbers the side chart does not show, as deep as `room` (px
    left at the page's foot, with the band already laid out if it was), a line to spare."""
    charts_left = edition_charts[1:] if plan.side_chart_lines else edition_charts
    lines = _band_lines(plan, geometry, edition_charts, room)
    if not lines:
        return replace(plan, band_chart_lines=0)
    if lines != plan.band_chart_lines:
        notes.append(f"a chart band of {', '.join(c.key for c in charts_left[:3])} "
                     f"({lines} lines)")
    return replace(plan, band_chart_lines=lines)


def stylesheet(fmt, plan: Plan, edition_charts: list[Chart] = ()) -> str:
    """CSS for a plan (layouts/plan.css.j2)."""
    from .formats import length_px

    line = length_px(fmt.line_height)
    options = template_options(plan, list(edition_charts))  # how many bars each chart shows

    def pitch(lines: int, bars: int) -> float:
        """Each bar's height: the chart's, less its title and padding, shared out."""
        return (lines - 2) * line / bars if bars else 0.0

    return environment().get_template("plan.css.j2").render(
        fmt=fmt, plan=plan, line=line,
        side_bar=pitch(plan.side_chart_lines, options["side_bars"]),
        band_bar=pitch(plan.band_chart_lines, options["band_bars"]))


def template_options(plan: Plan, edition_charts: list[Chart]) -> dict:
    """What the edition's layout reads from the plan."""
    side = edition_charts[:1] if plan.side_chart_lines else []
    band = (edition_charts[len(side):] if plan.band_chart_lines else [])[:3]
    # A chart's title and padding take two lines, each bar two more.
    return {"tier": plan.tier, "ad_style": plan.ad, "inside_strip": plan.inside_strip,
            "side_chart": side[0] if side else None,
            "side_bars": min(max(0, (plan.side_chart_lines - 2) // 2),
                             len(side[0].bars) if side else 0),
            "band_charts": band,
            "band_bars": min(max(0, (plan.band_chart_lines - 2) // 2),
                             max((len(chart.bars) for chart in band), default=0))}
