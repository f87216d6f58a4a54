"""Line breaks remembered within one layout, so balancing does not break the same text again.

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


@contextmanager
def remembered_line_breaks():
    """While inside, WeasyPrint's inline layout reuses line breaks it has already found."""
    from weasyprint.layout import inline

    split_first_line = inline.split_first_line
    found: dict[tuple, tuple] = {}

    def remembered(text, style, context, max_width, justification_spacing,
                   is_line_start=True, minimum=False):
        key = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
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
