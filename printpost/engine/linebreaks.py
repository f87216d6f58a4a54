"""Line breaking: at most two hyphenated lines in a row, and each line set only once.

Hyphenation limit (`limited_hyphenation`): a desk's style allows no more than two lines in
a row to end in a hyphen (InDesign's "hyphen limit", CSS Text 4's `hyphenate-limit-lines`,
which WeasyPrint 70 does not implement). Here the line after two hyphenated ones is broken
with automatic hyphenation off (soft hyphens still count), as a line breaker does, in the
one layout, instead of preflight finding a ladder and copyfit setting the paragraph again.
A line ends in a hyphen as preflight reads it (`hyphen_run`); the run is remembered by where
a line ends in the paragraph, so a paragraph resumed in the next column or page (or laid
out again by balancing) breaks the same way. A word too long for a line is still hyphenated.

Kept lines (`kept_lines`): balancing lays a listing out twice (printpost/engine/balance.py), a
flex row lays its items out to size them and again to place them, and every time WeasyPrint
sets every paragraph into lines anew: shaping with Pango, hyphenating with pyphen, trying
the next word, justifying. A paragraph laid out again as wide as before and from the same
place gets copies of the lines it was first set in, moved to where it now starts. Lines of
text do not depend on where they stand unless a float is beside them, so nothing is kept or
reused while a float is about. Only lines of text and inline boxes are kept (no inline
blocks, images, placeholders, footnotes or relatively placed boxes), only a paragraph set
to its end, and none whose generated content WeasyPrint has since set anew (a
cross-reference learning its page number). The copies are the lines a new layout would set,
at the same places to floating-point rounding: moved rather than placed anew, a word can
land a millionth of a point away, and the lines follow each other as WeasyPrint stacks them,
so no rounding adds up down a column. PRINTPOST_LINES=fresh sets every line anew, to compare
(engine/patches.py).
"""

from __future__ import annotations

import copy
import operator
from contextlib import contextmanager

HYPHENS = ("\u2010", "-", "\u00ad")  # what a line may end in, hyphenated
HYPHENATED_LINES_LIMIT = 2


def hyphen_run(run: tuple[int, bool], text: str) -> tuple[int, bool]:
    """(hyphenated lines in a row, whether the last one was), after a line of `text`.

    A line that is all one word broken at both ends (a 60-letter model name in a narrow
    column) is one long word going on, not another hyphenated line of a ladder."""
    text = text.strip()
    if not text.endswith(HYPHENS):
        return 0, False
    count, broken = run
    return (count if broken and " " not in text else count + 1), True


def line_text(line) -> str:
    """The text of one laid-out line."""
    return "".join(getattr(box, "text", "") for box in line.descendants())


def _frozen(skip_stack):
    """WeasyPrint's skip stack (nested dicts: where a box resumes) as a dictionary key."""
    if skip_stack is None:
        return None
    return tuple(sorted((index, _frozen(child)) for index, child in skip_stack.items()))


@contextmanager
def limited_hyphenation(limit: int = HYPHENATED_LINES_LIMIT):
    """While inside, no more than `limit` lines in a row end hyphenated where it can be
    helped."""
    from weasyprint.layout import block, inline

    iter_line_boxes, split_first_line = block.iter_line_boxes, inline.split_first_line
    # (element, tag, where a line ended) → the run of hyphenated lines up to there.
    runs: dict[tuple, tuple[int, bool]] = {}
    limited = [False]  # set while the next line of a paragraph at its limit is broken

    def lines(context, box, position_y, bottom_space, skip_stack, *args):
        paragraph = (box.element, box.element_tag)
        run = runs.get((*paragraph, _frozen(skip_stack)), (0, False))
        found = iter_line_boxes(context, box, position_y, bottom_space, skip_stack, *args)
        while True:
            outer, limited[0] = limited[0], run[0] >= limit
            try:
                line, resume_at = next(found)
            except StopIteration:
                return
            finally:
                limited[0] = outer  # a paragraph inside a line (inline-block) had its own
            run = hyphen_run(run, line_text(line))
            if resume_at is not None:
                runs[(*paragraph, _frozen(resume_at))] = run
            yield line, resume_at

    def split(text, style, context, max_width, *args, **kwargs):
        if not limited[0] or max_width is None or style["hyphens"] != "auto":
            return split_first_line(text, style, context, max_width, *args, **kwargs)
        style["hyphens"] = "manual"  # for this one call: the style is the paragraph's
        try:
            found = split_first_line(text, style, context, max_width, *args, **kwargs)
        finally:
            style["hyphens"] = "auto"
        if found[3] > max_width + 0.01:  # one word wider than the line: hyphenate it anyway
            return split_first_line(text, style, context, max_width, *args, **kwargs)
        return found

    block.iter_line_boxes, inline.split_first_line = lines, split
    try:
        yield
    finally:
        block.iter_line_boxes, inline.split_first_line = iter_line_boxes, split_first_line
        runs.clear()


@contextmanager
def kept_lines():
    """While inside, a paragraph laid out again as wide as before, from the same place, gets
    copies of its lines (enter after `limited_hyphenation`: its runs are kept as the lines
    are first set)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block
    from weasyprint.layout.percent import resolve_one_percentage, resolve_percentages

    iter_line_boxes = block.iter_line_boxes
    textual = (boxes.LineBox, boxes.InlineBox, boxes.TextBox)
    # (id of the paragraph's line box, where it resumes, width) → (that box, its content,
    # [(line, resume point, how far right of its block it was set, its block ellipsis)]).
    # The box is held, so its id is not another's while the entry lives.
    kept: dict[tuple, tuple] = {}

    def content(box) -> list:
        """The lists of children under a paragraph's line box: WeasyPrint replaces one when
        it sets generated content again (a page-based counter, `target-counter()`)."""
        return [part.children for part in box.descendants() if isinstance(part, boxes.ParentBox)]

    def same(kept_content: list, now: list) -> bool:
        return len(kept_content) == len(now) and all(map(operator.is_, kept_content, now))

    def copied(line, x, y):
        """A copy of a kept line, moved from where it is now (a column may have moved it)
        to (x, y)."""
        new = line.deepcopy()
        for box in new.descendants():
            if type(box) is boxes.TextBox:  # drawing reactivates a layout in place
                box.pango_layout = copy.copy(box.pango_layout)
        new.translate(x - line.position_x, y - line.position_y)
        new.position_x, new.position_y = x, y  # not off by a rounding error
        return new

    def lines(context, box, position_y, bottom_space, skip_stack, containing_block,
              absolute_boxes, fixed_boxes, first_letter_style, first_line_style):
        usable = not (context.excluded_shapes or context.footnotes or first_letter_style
                      or first_line_style)
        key = (id(box), _frozen(skip_stack), containing_block.width)
        x = containing_block.content_box_x()
        entry = kept.get(key) if usable else None
        if entry is not None and entry[0] is box and same(entry[1], content(box)):
            # What iter_line_boxes does to the box before its first line.
            resolve_percentages(box, containing_block)
            if skip_stack is None:
                resolve_one_percentage(box, "text_indent", containing_block.width)
            else:
                box.text_indent = 0
            for line, resume_at, indent, ellipsis in entry[2]:
                new = copied(line, x + indent, position_y)
                new.block_ellipsis = ellipsis
                position_y = new.position_y + new.height  # as iter_line_boxes goes on
                yield new, resume_at
                box.text_indent = 0
            return
        found, source = ([], content(box)) if usable else (None, None)
        for line, resume_at in iter_line_boxes(
                context, box, position_y, bottom_space, skip_stack, containing_block,
                absolute_boxes, fixed_boxes, first_letter_style, first_line_style):
            if found is not None:
                # Not a relatively placed box: its block moves it after the line is set,
                # and would move a copy of the moved box again.
                if all(type(child) in textual and child.style["position"] == "static"
                       for child in line.descendants()):
                    found.append((line, resume_at, line.position_x - x, line.block_ellipsis))
                else:
                    found = None
            yield line, resume_at
        if found and not context.excluded_shapes:  # set to its end, with no float about
            kept[key] = (box, source, found)

    block.iter_line_boxes = lines
    try:
        yield
    finally:
        block.iter_line_boxes = iter_line_boxes
        kept.clear()
