"""Page measures: what a page designer sees on a laid-out page, from WeasyPrint's boxes.

Per page and per grid column of the page's text area:

- fill: the share of the text area covered by content (lines, images, boxes with a tint or
  a frame, a listing column from its first item to its last), gaps of up to
  `fill_gap_lines` between pieces counted as covered (the space between paragraphs and
  stories is part of the design, a white hole is not); what is left blank at a column's
  foot, in lines;
- boxes that must stay whole (a subscribe box, a fact box, a listing item, a pull quote)
  found on two pages or in two columns;
- a section head, with what is set with it (kicker, dek, byline, a listing's intro), ending a
  column or page while its copy starts in the next;
- listing columns whose bottoms are more than `max_listing_spread_lines` apart;
- text columns whose measure (characters in a full line) is outside `measure_chars`.

Thresholds live in the format's profile (layouts/formats.toml). The roles (which boxes stay
whole, which blocks are heads) are read from the layouts' classes.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from . import roles

# Roles of the layouts' elements, by class (printpost/roles.py).
WHOLE_CLASSES = roles.WHOLE  # boxes that may not split
WHOLE_IN_LISTINGS = roles.LISTING_ITEM  # and each item of a listing
HEAD_CLASSES = roles.HEAD_GROUP  # set with what follows them
LISTING_CLASS = roles.LISTING_CLASS  # a multi-column set holding listings is a listing set
TEXT_CLASSES = roles.TEXT  # whose paragraphs are text columns
NOT_TEXT_CLASSES = roles.NOT_TEXT


STRIPS = 4  # each grid column is measured in this many strips (copy set off the grid too)


@dataclass
class Column:
    """A strip of one grid column of a page's text area."""

    left: float
    right: float
    covered: list[tuple[float, float]] = field(default_factory=list)  # (top, bottom) spans


@dataclass
class PageFigures:
    page: int
    fill_pct: float
    columns: list[dict]
    whole_boxes_split: int = 0
    stranded_heads: int = 0
    listing_spread_lines: float = 0.0
    measure_chars: list[int] = field(default_factory=list)  # [narrowest, widest] text column

    def as_dict(self) -> dict:
        return {"page": self.page, "fill_pct": self.fill_pct, "columns": self.columns,
                "whole_boxes_split": self.whole_boxes_split,
                "stranded_heads": self.stranded_heads,
                "listing_spread_lines": self.listing_spread_lines,
                "measure_chars": self.measure_chars}


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


class PageMeasure:
    """Walks every page once; `add(check, page, message, story)` receives each defect."""

    def __init__(self, document, fmt, line_height_px: float, add):
        from weasyprint.formatting_structure import boxes

        self.b = boxes
        self.fmt = fmt
        self.document = document
        self.line = line_height_px
        self.add = add
        self.figures: list[PageFigures] = []
        # element → the (page, column) places its boxes are in, for boxes kept whole
        self.places: dict[object, list[tuple[int, object]]] = defaultdict(list)
        self.whole: dict[object, str] = {}
        # leaf blocks in document order: (element, page, column key, head group or None)
        self.flow: list[tuple[object, int, object, bool]] = []
        self.text_page: dict[tuple, int] = {}
        self.text_frames: dict[tuple, tuple[float, float]] = {}  # column → (width, type size)
        self.advances: dict[float, list[float]] = defaultdict(lambda: [0.0, 0])  # size → px, chars
        self.listing_sets: dict[object, bool] = {}

    def run(self) -> list[PageFigures]:
        pages = self.document.pages
        for number, page in enumerate(pages, start=1):
            page_box = page._page_box
            columns = self._grid(page_box)
            figures = PageFigures(number, 0.0, [])
            self._walk(page_box, [], number, columns, None, figures)
            top = page_box.content_box_y()
            bottom = top + page_box.height
            strips = [self._column_figures(column, top, bottom) for column in columns]
            figures.columns = [
                {"fill_pct": round(statistics.fmean(s["fill_pct"] for s in group), 1),
                 "blank_foot_lines": max(s["blank_foot_lines"] for s in group)}
                for group in (strips[i:i + STRIPS] for i in range(0, len(strips), STRIPS))]
            figures.fill_pct = round(statistics.fmean(c["fill_pct"] for c in figures.columns), 1)
            self.figures.append(figures)
        self._splits()
        self._stranded()
        self._measures()
        self._fill_errors()
        return self.figures

    # ---- the grid and the covered spans -------------------------------------------------

    def _grid(self, page_box) -> list[Column]:
        from .formats import length_px

        count = max(1, self.fmt.columns)
        gutter = length_px(self.fmt.gutter) if count > 1 else 0.0
        left, width = page_box.content_box_x(), page_box.width
        step = (width - (count - 1) * gutter) / count
        strip = step / STRIPS
        return [Column(left + i * (step + gutter) + j * strip,
                       left + i * (step + gutter) + (j + 1) * strip)
                for i in range(count) for j in range(STRIPS)]

    def _cover(self, columns: list[Column], box) -> None:
        x0, y0 = box.border_box_x(), box.border_box_y()
        x1, y1 = x0 + box.border_width(), y0 + box.border_height()
        if y1 - y0 <= 0 or x1 - x0 <= 0:
            return
        for column in columns:
            overlap = min(x1, column.right) - max(x0, column.left)
            if overlap >= min(x1 - x0, column.right - column.left) / 2:
                column.covered.append((y0, y1))

    def _cover_span(self, columns: list[Column], box, top: float, bottom: float) -> None:
        x0, x1 = box.border_box_x(), box.border_box_x() + box.border_width()
        for column in columns:
            overlap = min(x1, column.right) - max(x0, column.left)
            if overlap >= min(x1 - x0, column.right - column.left) / 2 and bottom > top:
                column.covered.append((top, bottom))

    def _column_figures(self, column: Column, top: float, bottom: float) -> dict:
        gap = self.fmt.fill_gap_lines * self.line + 1
        height = bottom - top
        spans = sorted((max(a, top), min(b, bottom)) for a, b in column.covered if b > top)
        merged: list[list[float]] = []
        for start, end in spans:
            if merged and start - merged[-1][1] <= gap:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        if merged and merged[0][0] - top <= gap:
            merged[0][0] = top  # content starting within a gap of the top starts the column
        foot = bottom - merged[-1][1] if merged else height
        if foot < self.line:  # less than a line: the grid's remainder, not a blank foot
            if merged:
                merged[-1][1] = bottom
            foot = 0.0
        covered = sum(end - start for start, end in merged)
        return {"fill_pct": round(100 * covered / height, 1) if height else 100.0,
                "blank_foot_lines": round(foot / self.line, 1)}

    # ---- walking a page ------------------------------------------------------------------

    def _walk(self, box, path, page, columns, column, figures) -> None:
        b = self.b
        if isinstance(box, b.MarginBox):
            return
        classes = _classes(box)
        parent = path[-1] if path else None
        if parent is not None and parent.style["column_count"] != "auto" and \
                getattr(box, "element", None) is parent.element and box is not parent:
            column = box  # a column of a multi-column set
        element = getattr(box, "element", None)
        if element is not None and box.element_tag is not None and not isinstance(box, b.LineBox):
            role = self._whole_role(box, classes, path)
            if role:
                self.whole.setdefault(element, role)
                self.places[element].append((page, id(column) if column is not None else None))
                if role == "listing item":
                    self._cover(columns, box)  # one piece, its indent and number included
        if isinstance(box, b.LineBox):
            return
        leaf = isinstance(box, b.BlockContainerBox) and box.children and all(
            isinstance(child, b.LineBox) for child in box.children)
        if leaf and box.element_tag:
            self._cover(columns, box)
            self.flow.append((box.element, page, id(column) if column is not None else None,
                              bool(HEAD_CLASSES & classes)))
            self._text_column(box, path, page, column)
            return
        if isinstance(box, (b.ReplacedBox,)) or (
                isinstance(box, (b.BlockBox, b.FlexBox, b.TableBox)) and _painted(box)):
            self._cover(columns, box)
        if box.style["column_count"] != "auto" and self._is_listing_set(box, classes):
            self._listing_set(box, page, figures)
            # A listing column is one piece of copy from its first item to its last: the
            # space between its items (spread to end the columns level) is its own.
            for child in box.children:
                if getattr(child, "element", None) is box.element and child.children:
                    first, last = child.children[0], child.children[-1]
                    self._cover_span(columns, child, first.position_y,
                                     self._bottom(child) or _bottom_of(last))
        for child in getattr(box, "children", ()):
            self._walk(child, path + [box], page, columns, column, figures)

    def _is_listing_set(self, box, classes) -> bool:
        """A multi-column set whose copy is listings (not a story's body)."""
        if roles.STORY_BODY in classes:
            return False
        if box.element not in self.listing_sets:
            self.listing_sets[box.element] = any(
                LISTING_CLASS in (element.get("class") or "").split()
                for element in box.element.iter())
        return self.listing_sets[box.element]

    def _whole_role(self, box, classes, path) -> str:
        if WHOLE_CLASSES & classes:
            return sorted(WHOLE_CLASSES & classes)[0]
        if box.element_tag == WHOLE_IN_LISTINGS and any(LISTING_CLASS in _classes(p) for p in path):
            return "listing item"
        return ""

    def _text_column(self, box, path, page, column) -> None:
        """Characters of each full line of body text, by the column it is set in."""
        if NOT_TEXT_CLASSES & _classes(box) or not any(TEXT_CLASSES & _classes(p) for p in path):
            return
        from .engine.linebreaks import line_text

        lines = [child for child in box.children if isinstance(child, self.b.LineBox)]
        if column is not None:
            key = (page, id(column))
        else:  # text outside columns: its frame is its block's place and width
            key = (page, round(box.content_box_x()), round(box.width))
        size = round(box.style["font_size"], 1)
        self.text_page[key] = page
        self.text_frames[key] = (max(box.width, self.text_frames.get(key, (0, 0))[0]), size)
        for line in lines[:-1]:  # a paragraph's last line is short by nature
            chars = len(line_text(line).strip())
            if chars:
                self.advances[size][0] += sum(child.margin_width() for child in line.children)
                self.advances[size][1] += chars

    def _listing_set(self, box, page, figures) -> None:
        """Listing columns' bottoms (each column's last piece), a set of columns at a time."""
        sets = defaultdict(list)
        for child in box.children:
            if getattr(child, "element", None) is box.element:
                sets[round(child.position_y, 1)].append(child)
        for columns in sets.values():
            bottoms = [bottom for bottom in map(self._bottom, columns) if bottom is not None]
            if len(bottoms) < 2:
                continue
            spread = (max(bottoms) - min(bottoms)) / self.line
            figures.listing_spread_lines = round(max(figures.listing_spread_lines, spread), 1)
            if spread > self.fmt.max_listing_spread_lines + 0.05:
                self.add("listing-balance", page, f"listing columns end {spread:.1f} lines apart "
                         f"(at most {self.fmt.max_listing_spread_lines})", "")

    def _bottom(self, column) -> float | None:
        b = self.b
        bottom = None
        stack = [column]
        while stack:
            box = stack.pop()
            for child in getattr(box, "children", ()):
                if isinstance(child, b.LineBox) or isinstance(child, b.ReplacedBox):
                    end = child.position_y + child.margin_height()
                    bottom = end if bottom is None else max(bottom, end)
                elif not isinstance(child, b.TextBox):
                    stack.append(child)
        return bottom

    # ---- the checks that need every page --------------------------------------------------

    def _splits(self) -> None:
        for element, places in self.places.items():
            if len(set(places)) < 2:
                continue
            pages = sorted({page for page, _ in places})
            where = (f"pages {pages[0]}–{pages[-1]}" if len(pages) > 1
                     else f"{len(set(places))} columns")
            self.add("split-box", pages[0], f"{self.whole[element]} "
                     f"{_text(element)[:40]!r} is split over {where}", element.get("id") or "")
            for page in pages:
                self.figures[page - 1].whole_boxes_split += 1

    def _stranded(self) -> None:
        """A run of heads (a head and what is set with it) whose copy starts elsewhere."""
        index = 0
        flow = self.flow
        while index < len(flow):
            if not flow[index][3]:
                index += 1
                continue
            start = index
            while index + 1 < len(flow) and flow[index + 1][3]:
                index += 1
            if index + 1 < len(flow):
                _, next_page, next_column, _ = flow[index + 1]
                # Heads ending a page, or a column (a head across the columns above them is
                # not), before their copy: the first such run of them is named.
                apart = [entry for entry in flow[start:index + 1]
                         if entry[1] != next_page or (entry[2] is not None
                                                      and entry[2] != next_column)]
                if apart:
                    page = apart[0][1]
                    group = " + ".join(_text(element)[:30] for element, *_ in apart)
                    self.add("stranded-head", page, f"{group!r} ends a column or page; its copy "
                             "starts in the next", apart[0][0].get("id") or "")
                    self.figures[page - 1].stranded_heads += 1
            index += 1

    def _measures(self) -> None:
        """A text column's measure: how many characters of its type (their mean width over
        every full line of that type in the edition) its width holds, as a setter counts it."""
        low, high = self.fmt.measure_chars
        for key, (width, size) in self.text_frames.items():
            px, count = self.advances.get(size, (0.0, 0))
            if not count:
                continue
            chars = round(width * count / px)
            page = self.text_page[key]
            figures = self.figures[page - 1]
            figures.measure_chars = ([min(figures.measure_chars[0], chars),
                                      max(figures.measure_chars[1], chars)]
                                     if figures.measure_chars else [chars, chars])
            if not low <= chars <= high:
                self.add("measure", page, f"a text column set {chars} characters wide "
                         f"(between {low} and {high})", "")

    def _fill_errors(self) -> None:
        last = len(self.figures)
        for figures in self.figures:
            least = (self.fmt.min_last_page_fill_pct if figures.page == last
                     else self.fmt.min_page_fill_pct)
            if figures.fill_pct < least:
                which = "the last page" if figures.page == last else "the page"
                self.add("page-fill", figures.page, f"{which} is {figures.fill_pct:.0f} % filled "
                         f"(at least {least} %)", "")


def _bottom_of(box) -> float:
    return box.position_y + box.margin_height()


def _painted(box) -> bool:
    """A box drawn as a shape (a tint, or a frame of two borders or more): it covers its area."""
    style = box.style
    if style["background_color"].alpha > 0 and box.element_tag not in ("html", "body"):
        return True
    sides = sum(1 for side in ("top", "right", "bottom", "left")
                if getattr(box, f"border_{side}_width", 0) > 0)
    return sides >= 2
