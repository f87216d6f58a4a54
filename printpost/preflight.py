"""Preflight: measure the laid-out pages and report every defect a news desk would reject.

The measurements come from WeasyPrint's own layout boxes (exact positions in CSS px, before
anything is written), not from re-reading the PDF:

- overflow: a box or a line that reaches past the page area or past its column;
- widows and orphans: a paragraph split across columns or pages leaving one line alone;
- page measures (printpost/pages.py): each page's fill and blank column feet, boxes that
  must stay whole split, stranded heads (with their kicker, dek or intro), uneven listing
  columns, text columns outside the profile's measure;
- column imbalance: column bottoms of one story differing by more than a line;
- hyphenation ladders: more than two hyphenated line ends in a row;
- missing glyphs, text under 6 pt, a QR code under 20 mm or without its quiet zone;
- page count against the format's target; the share of body lines on the baseline grid.
"""

from __future__ import annotations

import base64
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from . import roles
from .engine.balance import TOLERANCE, grid_height  # TOLERANCE: px of sub-pixel remainders
from .engine.linebreaks import HYPHENATED_LINES_LIMIT, hyphen_run, line_text
from .formats import PX_PER_MM, PX_PER_PT, Format, length_px

MIN_TEXT_PT = 6
MIN_QR_MM = 20
QUIET_ZONE_MODULES = 4
# The layouts' roles, by class (printpost/roles.py).
HEADING_CLASSES = roles.HEADINGS
BODY_SELECTOR_CLASSES = roles.BODY_COPY


@dataclass
class Finding:
    check: str
    page: int
    message: str
    story: str = ""
    severity: str = "error"
    target: str = ""  # id of the element to adjust (a paragraph or a story), for copyfit
    amount: float = 0.0  # for off-grid: how far (px) the story must move down to sit on the grid
    lines: float = 0.0  # for column-balance: how many lines the column bottoms differ by

    def __str__(self) -> str:
        where = f"page {self.page}" + (f", {self.story}" if self.story else "")
        return f"{self.severity}: {where}: {self.check}: {self.message}"


@dataclass
class Report:
    format: str
    pages: int
    page_counts: list[int] | None  # the counts the format allows (None: any)
    findings: list[Finding] = field(default_factory=list)
    measurements: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    def summary(self) -> str:
        m = self.measurements
        return (f"preflight {self.format}: {len(self.errors)} errors, "
                f"{len(self.findings) - len(self.errors)} warnings; {self.pages} pages, "
                f"{m['body_lines_on_grid_pct']:.1f}% of body lines on the grid, "
                f"QR {m['qr_width_mm']:.1f} mm{self._fill_summary()}")

    def _fill_summary(self) -> str:
        least, last = (self.measurements.get(key) for key in ("least_fill_pct",
                                                               "last_page_fill_pct"))
        if last is None:
            return ""
        return (f", pages {least:.0f}+ % filled, the last {last:.0f} %" if least is not None
                else f", the page {last:.0f} % filled")

    def as_dict(self) -> dict:
        return {"format": self.format, "pages": self.pages, "page_counts": self.page_counts,
                "errors": len(self.errors), "findings": [asdict(f) for f in self.findings],
                "measurements": self.measurements}


# ---- walking WeasyPrint's box tree -------------------------------------------------------

def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())


_PARAGRAPH_ID = roles.PARAGRAPH_ID


def _nearest_id(path: list, paragraphs: bool = False) -> str:
    for box in reversed(path):
        element = getattr(box, "element", None)
        if element is not None and (name := element.get("id")):
            if paragraphs or not _PARAGRAPH_ID.search(name):
                return name
    return ""


def _story_of(path: list) -> str:
    return _nearest_id(path)


def _walk(box, path):
    """Yield (box, ancestors) in document order, skipping the page's margin boxes."""
    from weasyprint.formatting_structure.boxes import MarginBox

    yield box, path
    for child in getattr(box, "children", ()):
        if isinstance(child, MarginBox):
            continue
        yield from _walk(child, path + [box])


def _column_of(path: list):
    """The column box a box sits in (a child of a multi-column container), if any."""
    for parent, child in zip(reversed(path[:-1]), reversed(path[1:])):
        if parent.style["column_count"] != "auto" and child is not parent:
            if getattr(child, "element", None) is parent.element:
                return child
    return None


def _bottom(box) -> float:
    return box.position_y + box.margin_height()


class _Measure:
    def __init__(self, document, fmt: Format):
        from weasyprint.formatting_structure import boxes

        self.boxes = boxes
        self.fmt = fmt
        self.document = document
        self.findings: list[Finding] = []
        self.line_height_px = length_px(fmt.line_height)
        self.fragments: dict[int, list[tuple[int, object, int, str]]] = defaultdict(list)
        self.baselines: list[tuple[int, float]] = []
        self.section_baselines: dict[tuple[int, str], list[float]] = defaultdict(list)
        # The grid of a page: where the baselines of body lines set from the top of the
        # page area fall (page top + the body line's own baseline offset), modulo a line.
        self.page_tops: dict[int, float] = {}
        self.baseline_offsets: Counter = Counter()
        self.first_page_of: dict[str, int] = {}
        self.frames: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.small_text = 0
        self.overflows = 0
        self.ladders = 0
        self.qr_width_mm = 0.0
        self.column_spread_lines = 0.0

    def add(self, check, page, message, story="", severity="error", target="", amount=0.0,
            lines=0.0):
        self.findings.append(Finding(check, page, message, story, severity, target, amount,
                                     lines))

    def run(self):
        for number, page in enumerate(self.document.pages, start=1):
            page_box = page._page_box
            self.page_tops[number] = page_box.content_box_y()
            area = (page_box.content_box_x(), page_box.content_box_y(),
                    page_box.content_box_x() + page_box.width,
                    page_box.content_box_y() + page_box.height)
            for box, path in _walk(page_box, []):
                self._visit(box, path, number, area)
            self._columns(page_box, number)
            self._ladders(page_box, number)
        self._splits()
        self._off_grid()
        for frame, fragments in self.frames.items():
            # A block split over pages fills its first page anyway: only whole blocks.
            if len(fragments) == 1 and fragments[0][2]:
                page, height, _ = fragments[0]
                self.add("off-grid-frame", page, f"column block {frame!r} is not a whole number "
                         "of grid lines high", frame, "warning", target=frame, amount=round(height, 2))

    def _visit(self, box, path, page, area):
        b = self.boxes
        story = _story_of(path + [box])
        if isinstance(box, (b.PageBox, b.MarginBox)):
            return
        left, top, right, bottom = area
        x, y = box.position_x, box.position_y
        if isinstance(box, b.TextBox):
            if box.style["font_size"] < MIN_TEXT_PT * PX_PER_PT - 0.01:
                self.small_text += 1
                self.add("small-text", page, f"{box.style['font_size'] / PX_PER_PT:.1f} pt text "
                         f"{box.text[:30]!r}", story)
            return
        if not isinstance(box, b.LineBox) and box.element_tag == "img" and roles.QR_CODE in _classes(box):
            self._qr(box, page, story)
        if isinstance(box, (b.BlockBox, b.LineBox, b.InlineReplacedBox, b.BlockReplacedBox,
                            b.FlexBox, b.TableBox)):
            # Border boxes: a margin may hang past the page (WeasyPrint keeps it on a split).
            x, y = box.border_box_x(), box.border_box_y()
            right_edge = x + box.border_width()
            bottom_edge = y + box.border_height()
            if (x < left - TOLERANCE or right_edge > right + TOLERANCE or y < top - TOLERANCE
                    or bottom_edge > bottom + TOLERANCE):
                self.overflows += 1
                self.add("overflow", page, f"<{box.element_tag}> reaches past the page area "
                         f"({_mm(max(right_edge - right, bottom_edge - bottom, left - x, top - y))} mm)",
                         story)
        if isinstance(box, b.LineBox):
            self._line(box, path, page, story)
        elif isinstance(box, b.BlockContainerBox) and box.element_tag and _is_leaf_block(box, b):
            column = _column_of(path + [box])
            lines = sum(1 for child in box.children if isinstance(child, b.LineBox))
            self.fragments[id(box.element)].append(
                (page, column, lines, _nearest_id(path + [box], paragraphs=True)))

    def _line(self, line, path, page, story):
        parent = path[-1]
        frame_right = parent.content_box_x() + parent.width
        for child in line.children:
            child_right = child.position_x + child.margin_width()
            if child_right > frame_right + TOLERANCE and getattr(child, "text", " ").strip():
                self.overflows += 1
                self.add("overflow", page, f"line {line_text(line)[:40]!r} runs "
                         f"{_mm(child_right - frame_right)} mm past its column", story)
                break
        body_copy = parent.element_tag == "p" and not (HEADING_CLASSES | {roles.BYLINE}) & _classes(parent)
        if body_copy and any(BODY_SELECTOR_CLASSES & _classes(box) for box in path):
            self.baselines.append((page, line.position_y + line.baseline))
            section = _section_of(path)
            self.section_baselines[(page, section)].append(line.position_y + line.baseline)
            self.first_page_of.setdefault(section, page)
            self.baseline_offsets[round(line.baseline, 2)] += 1

    def _qr(self, box, page, story):
        width_mm = box.margin_width() / PX_PER_MM
        self.qr_width_mm = width_mm
        if width_mm < MIN_QR_MM:
            self.add("qr-size", page, f"QR code is {width_mm:.1f} mm wide; at least {MIN_QR_MM} mm", story)
        quiet = _qr_quiet_zone_modules(box.element.get("src", ""))
        if quiet < QUIET_ZONE_MODULES:
            self.add("qr-quiet-zone", page, f"QR quiet zone is {quiet} modules; needs {QUIET_ZONE_MODULES}", story)

    def _columns(self, page_box, page):
        """Column bottoms of each multi-column block on this page."""
        b = self.boxes
        for box, path in _walk(page_box, []):
            if isinstance(box, b.LineBox) or box.style["column_count"] == "auto":
                continue
            # A column-spanning element (a breakout quote) splits the columns into sets
            # stacked one above the other; each set must end level on its own.
            sets = defaultdict(list)
            for child in getattr(box, "children", ()):
                if getattr(child, "element", None) is box.element:
                    sets[round(child.position_y, 1)].append(child)
            for columns in sets.values():
                self._column_set(box, path, columns, page)
            self._frame(box, page, page_box.content_box_y() + page_box.height)

    def _frame(self, box, page, page_bottom):
        """A balanced column block whose height is not whole grid lines pushes everything
        below it off the grid: report the height that would keep it on (unless that height
        runs past the page, where nothing can follow it on this page)."""
        frame = box.element.get("id") if box.element is not None else None
        if frame and box.style["height"] == "auto":
            whole = grid_height(box.height, self.line_height_px)
            off = whole is not None and box.content_box_y() + whole <= page_bottom + TOLERANCE
            self.frames[frame].append((page, whole or box.height, off))

    def _column_set(self, box, path, columns, page):
        b = self.boxes
        bottoms = [_content_bottom(column, b) for column in columns]
        bottoms = [bottom for bottom in bottoms if bottom is not None]
        if len(bottoms) < 2:
            return
        spread = (max(bottoms) - min(bottoms)) / self.line_height_px
        if roles.STORY_BODY in _classes(box):
            self.column_spread_lines = max(self.column_spread_lines, spread)
        if spread > 1 + TOLERANCE / self.line_height_px and roles.STORY_BODY in _classes(box):
            # Stories must end level (listings: pages.py, listing-balance).
            story = _story_of(path + [box])
            self.add("column-balance", page, f"column bottoms differ by {spread:.1f} lines",
                     story, target=story, amount=len(columns), lines=round(spread, 2))

    def _ladders(self, page_box, page):
        b = self.boxes
        for box, path in _walk(page_box, []):
            if isinstance(box, b.BlockContainerBox) and _is_leaf_block(box, b):
                run = (0, False)
                for line in (c for c in box.children if isinstance(c, b.LineBox)):
                    counted = run[0]
                    run = hyphen_run(run, line_text(line))
                    if run[0] == HYPHENATED_LINES_LIMIT + 1 > counted:
                        self.ladders += 1
                        self.add("hyphen-ladder", page, f"3 hyphenated lines in a row at "
                                 f"{line_text(line)[:30]!r}", _story_of(path + [box]),
                                 target=_nearest_id(path + [box], paragraphs=True))

    def grid(self, page: int) -> float:
        offset = self.baseline_offsets.most_common(1)[0][0] if self.baseline_offsets else 0.0
        return (self.page_tops[page] + offset) % self.line_height_px

    def _off_grid(self):
        """Sections whose body lines sit off the page's grid, and how far to move them.

        Only where a section starts: a section continued from the page before starts at
        the top of the page area, on the grid, unless something above it pushed it off."""
        lh = self.line_height_px
        for page in sorted({page for page, _ in self.section_baselines}):
            sections = [(name, ys) for (p, name), ys in self.section_baselines.items() if p == page]
            grid = self.grid(page)
            for name, ys in sections:
                if self.first_page_of.get(name) != page:
                    continue
                phase = _commonest_phase(ys, lh)
                shift = (grid - phase) % lh
                if min(shift, lh - shift) > TOLERANCE and name:
                    self.add("off-grid", page, f"body lines sit {shift / PX_PER_PT:.1f} pt off the "
                             "baseline grid", name, "warning", target=name, amount=round(shift, 2))

    def _splits(self):
        for fragments in self.fragments.values():
            if len(fragments) < 2:
                continue
            page, _, first_lines, target = fragments[0]
            story = _PARAGRAPH_ID.sub("", target)
            if 0 < first_lines < 2:
                self.add("orphan", page, "a paragraph leaves its first line alone at a column foot",
                         story, target=target)
            page, _, last_lines, target = fragments[-1]
            if 0 < last_lines < 2:
                self.add("widow", page, "a paragraph leaves its last line alone at a column head",
                         story, target=target)


def _section_of(path: list) -> str:
    """The id of the top-level section (a child of <body>) a box belongs to."""
    for parent, child in zip(path, path[1:]):
        if getattr(parent, "element_tag", None) == "body":
            return (getattr(child, "element", None) is not None and child.element.get("id")) or ""
    return ""


def _commonest_phase(ys: list[float], line_height: float) -> float:
    return Counter(round(y % line_height, 1) for y in ys).most_common(1)[0][0]


def _is_leaf_block(box, b) -> bool:
    """A block whose children are lines (a paragraph, a heading, a list item's text)."""
    children = getattr(box, "children", ())
    return bool(children) and all(isinstance(child, b.LineBox) for child in children)


def _content_bottom(column, b) -> float | None:
    bottoms = [line.position_y + line.margin_height()
               for line, _ in _walk(column, []) if isinstance(line, b.LineBox)]
    replaced = [_bottom(box) for box, _ in _walk(column, [])
                if isinstance(box, (b.BlockBox, b.TableBox)) and box is not column
                and box.style["break_inside"] == "avoid"]
    values = bottoms + replaced
    return max(values) if values else None


def _element_text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _mm(px: float) -> str:
    return f"{px / PX_PER_MM:.1f}"


def _qr_quiet_zone_modules(src: str) -> int:
    """Modules of white around the QR symbol in its SVG (qrcode draws one unit per module)."""
    if not src.startswith("data:image/svg+xml;base64,"):
        return 0
    svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    starts = [(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)", svg)]
    if not view or not starts:
        return 0
    size = int(view.group(1))
    xs, ys = [x for x, _ in starts], [y for _, y in starts]
    return min(min(xs), min(ys), size - max(xs) - 1, size - max(ys) - 1)


def grid_share(baselines: list[tuple[int, float]], line_height: float, grid) -> float:
    """Share of body baselines on their page's grid (`grid(page)` gives its phase)."""
    if not baselines:
        return 100.0
    on_grid = 0
    for page, y in baselines:
        distance = abs(y % line_height - grid(page))
        on_grid += min(distance, line_height - distance) <= TOLERANCE
    return 100.0 * on_grid / len(baselines)


def add_missing_glyphs(report: Report, messages: list[str]) -> None:
    """Text WeasyPrint drew with no glyph (it reports it while drawing the PDF, after the
    layout was measured)."""
    for message in messages:
        report.findings.append(Finding("missing-glyph", 0, message))
    report.measurements["missing_glyphs"] += len(messages)


def preflight(document, fmt: Format, *, missing_glyphs: list[str] = ()) -> Report:
    """Measure a rendered document (render.Rendered.document) in the given format."""
    from .pages import PageMeasure

    measure = _Measure(document, fmt)
    measure.run()
    page_figures = PageMeasure(document, fmt, measure.line_height_px, measure.add).run()
    measure.findings.sort(key=lambda finding: finding.page)
    pages = len(document.pages)
    for message in missing_glyphs:
        measure.add("missing-glyph", 0, message)
    if fmt.page_counts and pages not in fmt.page_counts:
        allowed = " or ".join(map(str, fmt.page_counts))
        measure.add("page-count", pages, f"{pages} pages; the {fmt.name} edition has {allowed}")
    counts = Counter(finding.check for finding in measure.findings)
    report = Report(fmt.name, pages, list(fmt.page_counts or ()) or None, measure.findings)
    report.measurements = {
        "overflows": measure.overflows,
        "widows": counts["widow"],
        "orphans": counts["orphan"],
        "stranded_heads": counts["stranded-head"],
        "hyphen_ladders": measure.ladders,
        "small_text": measure.small_text,
        "missing_glyphs": counts["missing-glyph"],
        "max_column_spread_lines": round(measure.column_spread_lines, 2),
        "body_lines": len(measure.baselines),
        "body_lines_on_grid_pct": round(grid_share(measure.baselines, measure.line_height_px, measure.grid), 1),
        "qr_width_mm": round(measure.qr_width_mm, 1),
        "whole_boxes_split": counts["split-box"],
        "listing_columns_uneven": counts["listing-balance"],
        "measures_out_of_range": counts["measure"],
        "pages_underfilled": counts["page-fill"],
        "least_fill_pct": min((f.fill_pct for f in page_figures[:-1]), default=None),
        "last_page_fill_pct": page_figures[-1].fill_pct if page_figures else None,
        "pages": [figures.as_dict() for figures in page_figures],
    }
    return report
