"""Column balancing for WeasyPrint's multi-column boxes, in fewer layouts.

WeasyPrint 70 (layout/column.py) balances a set of columns by laying the whole set out at
the average column height, then again and again, each time raising the height by the least
amount that lets one box move back a column: in a listing set in smaller type that is a
fraction of a body line (six tries for a tabloid page's briefs), and where a column cannot
take even its first box (a list item kept whole) a single pixel (sixty tries for the last
item of a listing carried over to the next page). Then it lays the set out once more to
keep. That is most of the time a page takes; and its raises can overshoot, leaving a strip
of empty column under the copy that pushes what follows off the baseline grid.

Here, copy that is only paragraphs of text (the stories) is laid out once in one column,
the least height at which its lines fill the columns is worked out from those lines (as
WeasyPrint fills a column: lines while they fit, ending where orphans and widows allow),
and the columns are made from those same lines (_redistributed): one layout, and no strip.
Where filling the columns in turn leaves them uneven (4, 4 and 2 lines), the column ends
are chosen to make them level (4, 3, 3: _level); a story that cannot end level in as many
columns is set a column narrower, as copyfit would a whole pass later. With the baseline
grid given, a whole set of columns is made a whole number of grid lines high (_onto_grid).
Other copy (listings) is searched up from the least height at which its pieces (lines, and
boxes that may not split) would fill the columns with no space between them, by least
raises as WeasyPrint searches, with two shortcuts: when the copy left over would add two
lines or more to every column, a jump by all but one of those lines (then one try at the
least raise, keeping the lower height that fits); when a column cannot take its first box,
raises of 1, 2, 4… lines, then three halvings back down. The try that fits is kept, not
laid out again. tests/test_layout_speed.py compares the result with WeasyPrint's own on the
samples: the same lines in every column of every story set, never a taller set; preflight
still measures column bottoms, widows and orphans on every edition.

Taken over: one set of columns (nothing spanning them) with no height of its own, no
footnotes, `column-fill: balance`, starting on this page or continued from the last; a set
that runs on to the next page is set as WeasyPrint sets it, columns as high as the page.
Anything else is left to WeasyPrint's own layout (and every set, under another version of
WeasyPrint: engine/patches.py).
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from contextlib import contextmanager
from math import inf
from typing import NamedTuple

from .. import roles
from . import feather

TOLERANCE = 0.5  # px: layout arithmetic leaves sub-pixel remainders


@contextmanager
def balanced_columns(grid: float | None = None, probe: bool = False):
    """While inside, WeasyPrint balances columns with this module's search (for WeasyPrint
    70 only: engine/patches.py). With a `grid` (the baseline grid's line, px), a whole set
    of columns is made a whole number of grid lines high, so what follows it stays on the
    grid. `probe`: story columns are laid out again at the height worked out from their
    lines instead of made from those lines (to compare)."""
    from weasyprint.layout import block

    weasyprint_layout = block.columns_layout
    block.columns_layout = functools.partial(_columns_layout, weasyprint_layout, grid, probe)
    try:
        yield
    finally:
        block.columns_layout = weasyprint_layout


def _columns_layout(weasyprint_layout, grid, probe, context, box, bottom_space, skip_stack,
                    containing_block, page_is_empty, absolute_boxes, fixed_boxes,
                    adjoining_margins, first_letter_style, first_line_style):
    arguments = (context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                 absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
                 first_line_style)
    laid_out = _balanced(*arguments, probe=probe) if _simple(context, box, skip_stack) else None
    if laid_out is None:
        return weasyprint_layout(*arguments)
    if grid and not skip_stack:
        _onto_grid(laid_out, grid, context.page_bottom - bottom_space)
    return laid_out


def _simple(context, box, skip_stack) -> bool:
    style = box.style
    return (box.children
            and (not skip_stack or len(skip_stack) == 1)
            and style["column_fill"] == "balance"
            and (style["height"] == "auto" or style["height"].unit == "px")
            and style["position"] != "relative"
            and style["column_width"] == "auto" and style["column_count"] != "auto"
            and context.current_footnote_area.height == "auto"
            and not context.current_page_footnotes
            and all(child.style["column_span"] != "all" for child in box.children))


def _line_step(style) -> float:
    """One line of the set's own line height, in px: the step that moves body copy."""
    line_height = style["line_height"]
    if line_height == "normal":
        return style["font_size"] * 1.2
    if getattr(line_height, "unit", None) == "px":
        return line_height.value
    return style["font_size"] * float(getattr(line_height, "value", line_height))


def _balanced(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
              absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
              first_line_style, probe=False):
    """WeasyPrint's columns_layout for one balanced set, or None to leave it to WeasyPrint.

    Mirrors weasyprint/layout/column.py (version 70) for this case, with its search for the
    height replaced; the box it returns is built the same way.
    """
    from weasyprint.layout.block import (
        block_box_layout, block_level_width, collapse_margin, remove_placeholders)
    from weasyprint.layout.column import _create_column_box
    from weasyprint.layout.percent import percentage

    style = box.style
    count = style["column_count"]
    box = box.copy_with_children(box.children)
    box.position_y += collapse_margin(adjoining_margins)
    block_level_width(box, containing_block)
    gap = (style["font_size"] if style["column_gap"] == "normal"
           else percentage(style["column_gap"], box.style, box.width))
    def width_of(columns: int) -> float:
        return max(0, box.width - (columns - 1) * gap) / columns

    width = width_of(count)  # of each column: column_box reads it when it is called
    # A set continued from the previous page starts at the child it stopped in.
    skip, = skip_stack.keys() if skip_stack else (0,)
    start = {0: skip_stack[skip]} if skip_stack else None
    children = [child.copy() for child in box.children[skip:]]
    top = box.content_box_y()
    max_height = context.page_bottom - top - bottom_space
    # A height of its own (copyfit's whole grid lines): balanced as without, then the set
    # made that high, as WeasyPrint does; copy that needs more is left to WeasyPrint.
    fixed_height = None if style["height"] == "auto" else style["height"].value
    excluded_shapes = context.excluded_shapes[:]

    def column_box(index):
        column = _create_column_box(box, containing_block, children, width, top)
        if style["direction"] == "rtl":
            column.position_x += box.width - (index + 1) * width - index * gap
        else:
            column.position_x += index * (width + gap)
        return column

    def columns_at(height, empty_page, heights=None) -> _Try:
        """The copy laid out in columns `height` high (or each as high as `heights` says)."""
        del context.excluded_shapes[len(excluded_shapes):]
        columns, ends, resume, absolutes, fixed = [], [], start, [], []
        next_page, stuck = {"break": "any", "page": None}, False
        for index in range(count):
            begin = resume
            new_box, resume, next_page, _, _, _ = block_box_layout(
                context, column_box(index),
                context.page_bottom - top - (heights[index] if heights else height), begin,
                containing_block, empty_page, absolutes, fixed, None, first_letter_style,
                first_line_style, discard=False, max_lines=None)
            if new_box is None:  # not even the column's first box fits
                resume, stuck = begin, True
                break
            columns.append(new_box)
            ends.append(resume)
            if resume is None:
                break
        return _Try(columns, ends, resume, stuck, absolutes, fixed, next_page)

    def discard(laid_out: _Try):
        remove_placeholders(context, laid_out.columns, laid_out.absolutes, laid_out.fixed)

    def bottom_of(laid_out_box, margin=False):
        """Where the copy in a column ends, below the top of the set."""
        in_flow = [child for child in laid_out_box.children if child.is_in_normal_flow()]
        if not in_flow:
            return 0
        last = in_flow[-1]
        return last.position_y + last.margin_height() - top - (0 if margin else last.margin_bottom)

    def lay_out_alone(resume, height):
        """What follows `resume`, in one column `height` high (its first box at least)."""
        alone = block_box_layout(
            context, column_box(0), context.page_bottom - top - height, resume,
            containing_block, True, [], [], [], first_letter_style, first_line_style,
            discard=False, max_lines=None)[0]
        if alone is not None:
            remove_placeholders(context, [alone], [], [])
        return alone

    def first_box_height(resume) -> float | None:
        """The height of the first box after `resume`, laid out alone."""
        following = lay_out_alone(resume, 0)
        first = next((child for child in following.children if child.is_in_normal_flow()),
                     None) if following else None
        return None if first is None else first.margin_height()

    def raise_by(laid_out: _Try, height) -> tuple[float, float]:
        """How much higher the columns must be for more copy to fit: (as WeasyPrint, the
        least height that lets a column take the first box of the next one, at least a
        pixel; all but one of the whole lines the copy left over would add to every
        column, or 0 when that is under two lines)."""
        rest = lay_out_alone(laid_out.rest, inf) if laid_out.columns else None
        left_over_lines = (bottom_of(rest) if rest else 0) / count // step
        wanted = [(first_box_height(end), height - bottom_of(column, margin=True))
                  for column, end in zip(laid_out.columns, laid_out.ends) if end]
        lost = [needed - room for needed, room in wanted if needed is not None]
        least = min((amount for amount in lost if amount > 1), default=1)
        return least, max(0, left_over_lines - 1) * step

    def lower(fitting: _Try, low, high, tries, first=None) -> _Try:
        """The copy fits `high` columns high (laid out as `fitting`), not `low`: try lower
        heights in between (`first`, then halfway), keeping the lowest that fits."""
        for _ in range(tries):
            height = (low + high) / 2 if first is None else first
            first = None
            shapes = context.excluded_shapes[len(excluded_shapes):]
            laid_out = columns_at(height, False)
            if fits(laid_out):
                discard(fitting)
                fitting, high = laid_out, height
            else:
                discard(laid_out)
                context.excluded_shapes[len(excluded_shapes):] = shapes
                low = height
        return fitting

    def fits(laid_out: _Try) -> bool:
        return laid_out.rest is None and not laid_out.stuck

    def level_listing(laid_out: _Try, height) -> _Try:
        """A listing's columns, filled in turn, can leave the last one an item or two: its
        column ends chosen to make the shortest as long as it can be (as _level does for a
        story's lines), then laid out once more with each column as high as its pieces."""
        # A column may end after an item (never after a head, or inside an item).
        atoms = [atom._replace(can_break_after=getattr(atom.box, "element_tag", None)
                               == feather.ITEM_TAG) for atom in _atoms(laid_out.columns) or ()]
        starts = atoms and _fill(atoms, count, height + 0.01)
        if not starts:
            return laid_out
        level = _level(atoms, starts, height + 0.01, step, count)
        if level == starts:
            return laid_out
        ends = [*level[1:], len(atoms)]
        heights = [atoms[end - 1].bottom - atoms[begin].top + atoms[begin].lead + 0.01
                   for begin, end in zip(level, ends)] + [0.0] * (count - len(level))
        shapes = context.excluded_shapes[len(excluded_shapes):]
        leveled = columns_at(height, False, heights)
        if fits(leveled) and len(leveled.columns) == len(level):
            discard(laid_out)
            return leveled
        discard(leveled)
        context.excluded_shapes[len(excluded_shapes):] = shapes
        return laid_out

    context.in_column = True
    laid_out = columns_at(max_height, True)
    if not fits(laid_out) or max(map(bottom_of, laid_out.columns), default=0) > max_height:
        # The copy runs on to the next page: columns as high as the page allows, as
        # WeasyPrint sets them (without balancing).
        if not page_is_empty:
            discard(laid_out)
            laid_out = columns_at(max_height, False)
        if not laid_out.columns or fixed_height is not None:
            discard(laid_out)
            context.in_column = False
            return None  # not even a line fits (WeasyPrint moves the box on), or a set
            # of fixed height runs over the page
        return _finish(context, box, laid_out, max_height, absolute_boxes, fixed_boxes, skip)
    step = _line_step(style)
    if feather.is_listing_set(box) and fixed_height is None:
        # A listing (or the end of one) of a few items, in fewer, wider columns: a column
        # of one item cannot end level with the others (engine/feather.py).
        fewer = feather.columns_for(box, _atoms(laid_out.columns) or (), count)
        if fewer < count:
            discard(laid_out)
            count, width = fewer, width_of(fewer)
            laid_out = columns_at(max_height, True)

    def plan(laid_out: _Try, count: int):
        """Copy that is only lines of text, laid out in one column: its lines, the least
        height at which they fill `count` columns, the first line of each column, and each
        column's own height where the columns are made level (else None)."""
        lines = _text_lines(laid_out.columns[0]) if len(laid_out.columns) == 1 else None
        least = lines and _least_height(lines, count, sum(map(bottom_of, laid_out.columns))
                                        / count)
        starts = least and least <= max_height and _fill(lines, count, least)
        leveled = None
        if starts and fixed_height is None:
            level = _level(lines, starts, least, step, count)
            if level != starts:
                starts, leveled = level, _column_heights(lines, level)
        return lines, least, starts, leveled

    # Copy that is only lines of text: the height is worked out from its lines laid out
    # once, and the columns made from those lines (`probe` lays the set out again at that
    # height instead, to compare).
    if len(laid_out.columns) > 1 and _narrowable(box) and fixed_height is None:
        # A story near the foot of the page did not fit one column as high as the page
        # allows: laid out again in one column of any height, to be balanced from its lines.
        discard(laid_out)
        laid_out = columns_at(inf, True)
    lines, least, starts, leveled = plan(laid_out, count)
    if (starts and fixed_height is None and count > NARROWEST and _narrowable(box)
            and _uneven(lines, starts, count, step)):
        # A story whose columns cannot end level is set a column narrower, as a desk sets
        # it (and copyfit would, a whole pass later), down to NARROWEST columns.
        for fewer in range(count - 1, NARROWEST - 1, -1):
            width = width_of(fewer)
            trial = columns_at(inf, True)
            tried = (plan(trial, fewer) if fits(trial) and len(trial.columns) == 1
                     else (None,) * 4)
            if tried[2] and not _uneven(tried[0], tried[2], fewer, step):
                discard(laid_out)
                laid_out, count, (lines, least, starts, leveled) = trial, fewer, tried
                break
            discard(trial)
        else:
            width = width_of(count)
    height = sum(map(bottom_of, laid_out.columns)) / count
    if starts and fixed_height is None and not probe:
        columns = _redistributed(laid_out.columns[0], lines, starts,
                                 leveled or [least] * len(starts), width + gap, top)
        laid_out = laid_out._replace(columns=columns)
        return _finish(context, box, laid_out, max_height, absolute_boxes, fixed_boxes, skip)
    if not lines:
        # Other copy: where its pieces (lines, and boxes that may not split, with what opens
        # above them at a column top) would fill the columns, a height it needs at least.
        atoms = _atoms(laid_out.columns)
        least = atoms and _least_height(
            atoms, count, min(height, (atoms[-1].bottom - atoms[0].top) / count))
    discard(laid_out)
    if least:
        height = least
    laid_out = columns_at(min(height, max_height), False, leveled)
    stuck = 0  # tries in a row where a column could not take even its first box
    while not fits(laid_out):
        discard(laid_out)
        if height >= max_height:
            context.in_column = False
            return None
        if laid_out.stuck:
            # That box cannot be split (a list item kept whole, a head kept with what
            # follows), and WeasyPrint's least raise then is a pixel at a time: up by
            # 1, 2, 4… lines instead, then halve back down the last raise, three times.
            stuck += 1
            low, height = height, min(height + step * 2 ** (stuck - 1), max_height)
            laid_out = columns_at(height, False)
            if fits(laid_out):
                laid_out = lower(laid_out, low, height, tries=3)
            continue
        stuck = 0
        least, jump = raise_by(laid_out, height)
        if jump > least:
            jumped = columns_at(min(height + jump, max_height), False)
            if fits(jumped):
                laid_out = lower(jumped, height, min(height + jump, max_height), tries=1,
                                 first=min(height + least, max_height))
                break
            laid_out, height = jumped, min(height + jump, max_height)
            continue
        height = min(height + least, max_height)
        laid_out = columns_at(height, False)
    if fixed_height is not None and max(map(bottom_of, laid_out.columns)) > fixed_height:
        discard(laid_out)
        context.in_column = False
        return None
    if feather.is_listing_set(box) and fixed_height is None:
        laid_out = level_listing(laid_out, height)
    return _finish(context, box, laid_out, max_height, absolute_boxes, fixed_boxes, skip,
                   fixed_height)


class _Try(NamedTuple):
    """A set laid out in columns of one height."""

    columns: list  # the column boxes laid out
    ends: list  # where each column's copy ends: a skip stack, None after the last of it
    rest: dict | None  # where the copy left over starts (None: nothing is left over,
    stuck: bool  # unless a column could not take even its first box)
    absolutes: list  # placeholders of absolutely placed boxes, as WeasyPrint collects them
    fixed: list  # and of fixed boxes
    next_page: dict  # the page break after the last column, as WeasyPrint returns it


def _finish(context, box, laid_out: _Try, max_height, absolute_boxes, fixed_boxes, skip,
            fixed_height=None):
    """The multi-column box with its columns, as WeasyPrint returns it."""
    columns, resume, next_page = laid_out.columns, laid_out.rest, laid_out.next_page
    absolute_boxes.extend(laid_out.absolutes)
    fixed_boxes.extend(laid_out.fixed)
    column_height = max(column.margin_height() for column in columns)
    for column in columns:
        column.height = column_height
    box.children = columns
    box.height = min(max_height, column_height)
    if fixed_height is not None:
        _make_high(box, fixed_height)
    if box.min_height != "auto" and box.min_height > box.height:
        _make_high(box, min(box.min_height, max_height))
    if feather.is_listing_set(box):
        # Listing columns ended level: at the foot of the page where the set runs on, else
        # with the longest of them, or as deep as the set is made (engine/feather.py).
        feather.level(columns, columns[0].position_y + (
            max_height if resume is not None else box.height), _line_step(box.style))
    context.in_column = False
    if resume is not None:
        (index, rest), = resume.items()
        resume = {skip + index: rest}
    return box, resume, next_page, [], False


NARROWEST = 2  # columns a story may be narrowed to
NARROWABLE = roles.STORY_BODY  # the class of column sets that are stories (printpost/roles.py)


def _narrowable(box) -> bool:
    return box.element is not None and NARROWABLE in (box.element.get("class") or "").split()


def _uneven(lines: list[_Line], starts: list[int], count: int, step: float) -> bool:
    """Whether `count` columns starting at `starts` end more than a line apart (an empty
    column ends at its top)."""
    heights = _padded_heights(lines, starts, count)
    return max(heights) - min(heights) > step + TOLERANCE


def _onto_grid(laid_out, grid: float, page_bottom: float) -> None:
    """A whole set of columns (all of it on this page, not made higher by copyfit) made a
    whole number of grid lines high, as preflight's off-grid-frame check measures it,
    where the page has room."""
    box, resume = laid_out[0], laid_out[1]
    if resume is not None or box.style["height"] != "auto" or not box.children:
        return
    whole = grid_height(box.height, grid)
    if whole is not None and box.content_box_y() + whole <= page_bottom:
        _make_high(box, whole)


def _make_high(box, height: float) -> None:
    """A multi-column box and each of its columns made `height` high (columns grow with it)."""
    for column in box.children:
        column.height += height - box.height
    box.height = height


def grid_height(height: float, grid: float) -> float | None:
    """The whole number of grid lines a block `height` high takes, in px; None when it is
    whole already (to a fiftieth of a line: layout leaves sub-pixel remainders)."""
    lines = height / grid
    whole = -(-round(lines, 3) // 1)
    return whole * grid if whole - lines > 0.02 else None


class _Line(NamedTuple):
    top: float
    bottom: float
    can_break_after: bool  # a column may end after this line
    box: object  # the laid-out line box
    # Room above it when it starts a column: the margins, borders and padding of the blocks
    # that open with it (WeasyPrint keeps them at the top of a column).
    lead: float = 0.0


def _paragraph_lines(block, lines) -> list[_Line]:
    """The laid-out lines of one paragraph, each with whether a column may end after it:
    at the paragraph's end, or inside it where its orphans and widows allow."""
    count, orphans, widows = len(lines), block.style["orphans"], block.style["widows"]
    return [_Line(line.position_y, line.position_y + line.margin_height(),
                  index == count or (index >= orphans and count - index >= widows), line)
            for index, line in enumerate(lines, start=1)]


def _text_lines(column) -> list[_Line] | None:
    """The lines of a column whose copy is only paragraphs of text in plain blocks (no
    margins, padding, borders or break rules, no floats), with where a column may end:
    between paragraphs, and inside one where its orphans and widows allow. None for
    any other copy."""
    from weasyprint.formatting_structure import boxes

    lines: list[_Line] = []

    def plain(block) -> bool:
        style = block.style
        return (isinstance(block, boxes.BlockBox) and not block.is_floated()
                and block.is_in_normal_flow()
                and not (block.margin_top or block.margin_bottom or block.padding_top
                         or block.padding_bottom or block.border_top_width
                         or block.border_bottom_width)
                and style["break_inside"] == "auto" and style["break_before"] == "auto"
                and style["break_after"] == "auto")

    def walk(block) -> bool:
        if not plain(block) or not block.children:
            return False
        if all(isinstance(child, boxes.LineBox) for child in block.children):
            if not all(inline.is_in_normal_flow()
                       for line in block.children for inline in line.descendants()):
                return False  # a float or an absolutely placed box among the words
            lines.extend(_paragraph_lines(block, block.children))
            return True
        return all(walk(child) for child in block.children)

    if not all(walk(child) for child in column.children):
        return None
    return lines


def _atoms(columns) -> list[_Line] | None:
    """The pieces of any copy laid out in `columns`, in order, as if in one column: lines of
    text, and whole the boxes that may not split (list items kept together, tables,
    images); with where a column may end (not inside a paragraph where orphans or widows
    forbid, not after a head kept with what follows), and the room above each piece when it
    starts a column (the blocks opening with it). Spread over columns from these, a least
    height for the copy (on the samples, the height it takes). None for copy with floats."""
    from weasyprint.formatting_structure import boxes

    atoms: list[_Line] = []
    opening = [None]  # where the blocks opened since the last piece begin (margin edge)

    def add(pieces: list[_Line]) -> None:
        first = pieces[0]
        atoms.append(first._replace(lead=first.top - opening[0]) if opening[0] is not None
                     else first)
        atoms.extend(pieces[1:])
        opening[0] = None

    def walk(box) -> bool:
        if not box.is_in_normal_flow():
            return not box.is_floated()  # absolutely placed boxes take no room
        style = box.style
        if style["break_before"] == "avoid" and atoms:
            atoms[-1] = atoms[-1]._replace(can_break_after=False)
        if opening[0] is None:
            opening[0] = box.position_y
        lines = [child for child in box.children if isinstance(child, boxes.LineBox)] \
            if isinstance(box, boxes.BlockBox) else []
        if (not isinstance(box, boxes.BlockBox) or style["break_inside"] == "avoid"
                or (lines and len(lines) != len(box.children))):
            top = box.position_y + box.margin_top
            add([_Line(top, top + box.border_height(), True, box)])
        elif lines:
            add(_paragraph_lines(box, lines))
        elif not all(walk(child) for child in box.children):
            return False
        if style["break_after"] == "avoid" and atoms:
            atoms[-1] = atoms[-1]._replace(can_break_after=False)
        return True

    for column in columns:
        first = len(atoms)
        if not all(walk(child) for child in column.children):
            return None
        if first and len(atoms) > first:  # a second column goes on where the first ended
            gap = atoms[first].top - atoms[first - 1].bottom
            atoms[first:] = [atom._replace(top=atom.top - gap, bottom=atom.bottom - gap)
                             for atom in atoms[first:]]
    return atoms or None


def _fill(lines: list[_Line], count: int, height: float) -> list[int] | None:
    """The first line of each column when `lines` fill `count` columns `height` high as
    WeasyPrint fills them (each column takes lines while they fit and ends at the last line
    after which it may end); None when they do not fit."""
    starts, start = [], 0
    for _ in range(count):
        end = None
        for index in range(start, len(lines)):
            if lines[index].bottom - lines[start].top + lines[start].lead > height + 1e-6:
                break
            if lines[index].can_break_after:
                end = index
        if end is None:
            return None
        starts.append(start)
        start = end + 1
        if start == len(lines):
            return starts
    return None


def _column_heights(lines: list[_Line], starts: list[int]) -> list[float]:
    return [lines[end - 1].bottom - lines[start].top
            for start, end in zip(starts, [*starts[1:], len(lines)])]


def _padded_heights(lines: list[_Line], starts: list[int], count: int) -> list[float]:
    """Each of `count` columns' heights, the columns left empty included (as 0)."""
    return _column_heights(lines, starts) + [0.0] * (count - len(starts))


def _level(lines: list[_Line], starts: list[int], height: float, step: float,
           count: int) -> list[int]:
    """Column ends that leave the shortest of `count` columns as long as it can be, when
    the columns filled as WeasyPrint fills them (`starts`) differ by more than a line.

    Filled in turn, ten lines make columns of 4, 4 and 2 lines (sixteen in five columns:
    4, 4, 4, 4 and an empty one); a desk sets 4, 3 and 3 (4, 3, 3, 3, 3): no higher, the
    bottoms a line apart at most where the breaks (orphans, widows) allow. Longer columns
    first. Level already, or no better: `starts` unchanged."""
    if not _uneven(lines, starts, count, step):
        return starts
    shortest_now = min(_padded_heights(lines, starts, count))
    total = len(lines)

    def span(start, end):
        return lines[end - 1].bottom - lines[start].top

    ends = [end for end in range(1, total + 1) if lines[end - 1].can_break_after]
    # shortest[c][i]: the longest shortest column of lines[i:] set in c columns, none
    # higher than `height` (-inf: cannot be done; inf: nothing left, and no column).
    shortest = [{total: inf}] + [{} for _ in range(count)]
    for columns in range(1, count + 1):
        for start in range(total - 1, -1, -1):
            best = -inf
            for end in ends[bisect_right(ends, start):]:
                if span(start, end) > height + 1e-6:
                    break
                rest = shortest[columns - 1].get(end, -inf)
                best = max(best, min(rest, span(start, end)))
            shortest[columns][start] = best
    target = shortest[count][0]
    if target <= shortest_now + TOLERANCE:
        return starts
    # The longest first column that still leaves the rest no shorter, and so on.
    level, start = [], 0
    for columns in range(count, 0, -1):
        level.append(start)
        start = max(end for end in ends if end > start and span(start, end) <= height + 1e-6
                    and min(shortest[columns - 1].get(end, -inf), span(start, end))
                    >= target - 1e-6)
    return level


def _least_height(lines: list[_Line], count: int, at_least: float) -> float | None:
    """The least column height, from `at_least` up, at which the lines fill `count`
    columns (see _fill). None when no height does."""
    heights = sorted({line.bottom - first.top + first.lead for first in lines for line in lines
                      if line.bottom - first.top + first.lead >= at_least - 1e-6})
    low, high = 0, len(heights)
    while low < high:  # the first height that fits (fitting only gets easier going up)
        middle = (low + high) // 2
        if _fill(lines, count, heights[middle]) is not None:
            high = middle
        else:
            low = middle + 1
    return heights[low] if low < len(heights) else None


def _redistributed(column, lines: list[_Line], starts: list[int], heights: list[float],
                   step_x: float, top: float):
    """The columns, made from one column of laid-out lines: each column's lines, in copies
    of the blocks that hold them, moved into place, as WeasyPrint sets columns `heights`
    high.
    No line is set again: the lines of a column as wide are the same wherever they stand."""
    bounds = [*starts[1:], len(lines)]
    columns = []
    for index, (start, end) in enumerate(zip(starts, bounds)):
        keep = {id(line.box) for line in lines[start:end]}
        bottom = lines[start].top + heights[index]
        fragments = [part[0] for child in column.children
                     if (part := _fragment(child, keep, bottom)) is not None]
        new_column = column.copy_with_children(fragments)
        for fragment in fragments:
            fragment.translate(index * step_x, top - lines[start].top)
        # Measured as WeasyPrint measures a column it lays out (to the last bit).
        new_column.height = fragments[-1].position_y + fragments[-1].margin_height() - top
        new_column.position_x = column.position_x + index * step_x
        columns.append(new_column)
    return columns


def _fragment(block, keep: set[int], bottom: float):
    """A copy of `block` holding only its lines (or its children's) in `keep`, and whether
    the block goes on in the next column; None when it has none of them. As WeasyPrint
    sets a block that goes on, it reaches down to `bottom` and its last line carries the
    block's `block-ellipsis`."""
    from weasyprint.formatting_structure import boxes

    if all(isinstance(child, boxes.LineBox) for child in block.children):
        parts = [line for line in block.children if id(line) in keep]
        goes_on = id(block.children[-1]) not in keep
    else:
        fragments = [part for child in block.children
                     if (part := _fragment(child, keep, bottom)) is not None]
        parts = [fragment for fragment, _ in fragments]
        goes_on = bool(fragments) and fragments[-1][1]
    if not parts:
        return None
    fragment = block.copy_with_children(parts)
    fragment.position_y = parts[0].position_y
    fragment.height = parts[-1].position_y + parts[-1].margin_height() - parts[0].position_y
    if goes_on:
        fragment.height = max(fragment.height, bottom - fragment.position_y)
        if isinstance(parts[-1], boxes.LineBox):
            parts[-1].block_ellipsis = block.style["block_ellipsis"]
    return fragment, goes_on
