"""The layout limits of printpost/limits.py, enforced inside WeasyPrint's layout.

WeasyPrint has no hook for this: the check runs where it splits text into lines and where
it makes a page (`layout.inline.split_first_line`, `layout.page.make_page` of WeasyPrint
70, wrapped only inside a render and put back after; any other version is not wrapped and
runs unbounded, as before: engine/patches.py). Reading the CPU clock at each split costs far less than a
microsecond, and a runaway layout splits text all the time.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..limits import Budget, LayoutLimit

def _page_text(page_box) -> str:
    """The first run of copy on a page (its running head and folio are in margin boxes)."""
    from weasyprint.formatting_structure import boxes

    stack = list(page_box.children[:1])
    while stack:
        box = stack.pop(0)
        if isinstance(box, boxes.TextBox) and len(box.text.strip()) >= 12:
            return box.text
        stack[:0] = getattr(box, "children", ())
    return ""


@contextmanager
def enforced(budget: Budget | None):
    """Inside a render: stop the layout once `budget` is spent."""
    from weasyprint.layout import inline, page

    split_first_line, make_page = inline.split_first_line, page.make_page

    def split(text, *args, **kwargs):
        budget.check_time(text)
        return split_first_line(text, *args, **kwargs)

    def make(context, root_box, page_type, resume_at, page_number, page_state):
        made = make_page(context, root_box, page_type, resume_at, page_number, page_state)
        # page_number counts from 1; pages laid out again keep their number.
        if budget.pages is not None and page_number > budget.pages:
            raise LayoutLimit("pages", budget.pages, _page_text(made[0]))
        budget.check_time("")
        return made

    inline.split_first_line, page.make_page = split, make
    try:
        yield
    finally:
        inline.split_first_line, page.make_page = split_first_line, make_page


