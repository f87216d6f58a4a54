"""Jumps: a front-page story too long for its page continues on a later one.

A desk does not let the lead push the rest of the paper back a page: the lead is cut where
the front page ends, a jump line ("Continued on page 2") closes its last column, and the
rest runs later under a jump head ("Continued from page 1"). Where the page ends is
measured on a laid-out pass (`measure`); the next pass sets the cut (compose.split_lead,
with the `Jump`), so the front page keeps exactly the words it held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine.linebreaks import HYPHENS, line_text
from .wordbreaks import BREAK

STORY = "lead"  # the id of the story that may jump unless told (the section with role jump)


@dataclass(frozen=True)
class Jump:
    paragraph: int  # index (from 0) of the paragraph the cut falls in
    words: int  # words of that paragraph kept on the front page (0: it moves whole)


def measure(document, max_lines: int | None = None, story: str = STORY) -> Jump | None:
    """Where the lead must be cut so that it ends on page 1, at most `max_lines` deep, with
    room for a jump line (and for the next story to start on the front page); None when
    it already does."""
    paragraph_id = re.compile(rf"^{re.escape(story)}-p(\d+)$")  # roles.paragraph_id
    front = _lines(document.pages[0]._page_box, paragraph_id)
    runs_on = any(_lines(page._page_box, paragraph_id) for page in document.pages[1:])
    if not front:
        return None
    kept = len(front)
    tops = [y for _, _, y in front]
    pitch = _pitch(tops)
    if max_lines is not None and pitch:
        # The lines within max_lines of the first, in every column: what the cut keeps.
        kept = sum(1 for y in tops if y - min(tops) < max_lines * pitch - 0.5)
    if kept >= len(front) and not runs_on:
        return None
    kept = max(kept - 1, 1)  # the last kept line makes room for the jump line
    # The front page ends on a whole word: a line ending in a hyphenated word goes over too.
    while kept > 1 and front[kept - 1][1].rstrip().endswith(HYPHENS):
        kept -= 1
    paragraph = front[kept - 1][0]
    lines = [text for index, text, _ in front[:kept] if index == paragraph]
    # A line broken at an added break opportunity (wordbreaks.py) ends inside a word.
    joined = "".join(text if text.endswith(BREAK) else f"{text} " for text in lines)
    return Jump(paragraph=paragraph, words=len(joined.split()))


def _pitch(ys: list[float]) -> float | None:
    """The commonest distance between successive lines of one column: the line height."""
    steps = [round(b - a, 2) for a, b in zip(ys, ys[1:]) if b > a]
    return max(set(steps), key=steps.count) if steps else None


def _lines(page_box, paragraph_id: re.Pattern) -> list[tuple[int, str, float]]:
    """(paragraph index, text, top) of each line of the lead's paragraphs on one page, in
    reading order."""
    from weasyprint.formatting_structure import boxes

    found: list[tuple[int, str, float]] = []

    def walk(box, paragraph):
        element_id = box.element.get("id") if box.element is not None else None
        match = paragraph_id.match(element_id or "") if box.element_tag == "p" else None
        if match:
            paragraph = int(match.group(1)) - 1
        if isinstance(box, boxes.LineBox) and paragraph is not None:
            found.append((paragraph, line_text(box), box.position_y))
            return
        for child in getattr(box, "children", ()):
            walk(child, paragraph)

    walk(page_box, None)
    return found
