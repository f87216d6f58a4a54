"""Line breaking: at most two hyphenated lines in a row, and each break found only once.

Hyphenation limit (`limited_hyphenation`): a desk's style allows no more than two lines in
a row to end in a hyphen (InDesign's "hyphen limit", CSS Text 4's `hyphenate-limit-lines`,
which WeasyPrint 70 does not implement). Here the line after two hyphenated ones is broken
with automatic hyphenation off (soft hyphens still count), as a line breaker does, in the
one layout, instead of preflight finding a ladder and copyfit setting the paragraph again.
A line ends in a hyphen as preflight reads it (`hyphen_run`); the run is remembered by where
a line ends in the paragraph, so a paragraph resumed in the next column or page (or laid
out again by balancing) breaks the same way. A word too long for a line is still hyphenated.

Remembered line breaks (`remembered_line_breaks`):

Balancing lays a set of columns out several times (printpost/balance.py), and every time
WeasyPrint breaks every paragraph into lines anew: shaping with Pango, hyphenating with
pyphen, trying the next word. The columns are as wide each time and a paragraph's lines
start at the same places, so the same calls come back with the same answers. Here
`split_first_line` (WeasyPrint's only entry to line breaking from inline layout) is
remembered for the length of one document's layout, keyed by its arguments, the computed
style by identity (WeasyPrint shares one style object between a box and its copies, and
each entry holds its style, so no other style takes that id while the cache lives).

The answer is the same as breaking again: a pure function of those arguments. Its Pango
layout comes back "deactivated" (WeasyPrint keeps only the text and metrics until it draws)
and each caller gets its own copy of it, as drawing reactivates it in place.
"""

from __future__ import annotations

import copy
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
    helped (enter after `remembered_line_breaks`: its memory keys on the hyphens setting)."""
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
def remembered_line_breaks():
    """While inside, WeasyPrint's inline layout reuses line breaks it has already found."""
    from weasyprint.layout import inline

    split_first_line = inline.split_first_line
    found: dict[tuple, tuple] = {}

    def remembered(text, style, context, max_width, justification_spacing,
                   is_line_start=True, minimum=False):
        key = (text, id(style), style["hyphens"], max_width, justification_spacing,
               is_line_start, minimum)
        if key not in found:
            found[key] = (style, split_first_line(text, style, context, max_width,
                                                  justification_spacing, is_line_start,
                                                  minimum))
        layout, *metrics = found[key][1]
        return (copy.copy(layout), *metrics)

    inline.split_first_line = remembered
    try:
        yield
    finally:
        inline.split_first_line = split_first_line
        found.clear()
