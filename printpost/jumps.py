"""Jumps: a front-page story too long for its page continues on a later one.

A desk does not let the lead push the rest of the paper back a page: the lead is cut where
the front page ends, a jump line ("Continued on page 2") closes its last column, and the
rest runs later under a jump head ("Continued from page 1"). Where the page ends is
measured on a laid-out pass (`measure`); the next pass sets the cut (compose, with the
`Jump`), so the front page keeps exactly the words it held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import compose

STORY = "lead"  # the story that may jump: the front page's lead
_PARAGRAPH_ID = re.compile(rf"^{STORY}-p(\d+)$")
_AUTO_HYPHENS = ("\u2010", "\u00ad")


@dataclass(frozen=True)
class Jump:
    paragraph: int  # index (from 0) of the paragraph the cut falls in
    words: int  # words of that paragraph kept on the front page (0: it moves whole)


def measure(document) -> Jump | None:
    """Where the lead must be cut so that it ends on page 1 with room for a jump line;
    None when it already ends there."""
    first_page_lines: dict[int, list[str]] = {}
    runs_on = False
    for number, page in enumerate(document.pages):
        for index, lines in _paragraph_lines(page._page_box).items():
            if number == 0:
                first_page_lines.setdefault(index, []).extend(lines)
            else:
                runs_on = True
    if not runs_on or not first_page_lines:
        return None
    last = max(first_page_lines)
    lines = first_page_lines[last][:-1]  # its last line makes room for the jump line
    words = " ".join(lines).split()
    if lines and lines[-1].rstrip().endswith(_AUTO_HYPHENS):
        words = words[:-1]  # a word hyphenated at the cut goes over whole
    return Jump(paragraph=last, words=len(words))


def _paragraph_lines(page_box) -> dict[int, list[str]]:
    """The text of each line of the lead's paragraphs on one page, by paragraph index."""
    from weasyprint.formatting_structure import boxes

    found: dict[int, list[str]] = {}

    def text_of(box) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text
        return "".join(text_of(child) for child in getattr(box, "children", ()))

    def walk(box, paragraph):
        element_id = box.element.get("id") if box.element is not None else None
        match = _PARAGRAPH_ID.match(element_id or "") if box.element_tag == "p" else None
        if match:
            paragraph = int(match.group(1)) - 1
        if isinstance(box, boxes.LineBox) and paragraph is not None:
            found.setdefault(paragraph, []).append(text_of(box))
            return
        for child in getattr(box, "children", ()):
            walk(child, paragraph)

    walk(page_box, None)
    return found


def split(body: list[str], jump: Jump) -> tuple[list[str], list[str]]:
    """The lead's paragraphs on the front page and those continued, cut at `jump`; a cut
    inside inline markup (*emphasis*, **strong**, a link) moves back to before it."""
    words = body[jump.paragraph].split()
    keep = min(jump.words, len(words))
    while keep > 0:
        head, tail = " ".join(words[:keep]), " ".join(words[keep:])
        if not tail or f"{compose.plain(head)} {compose.plain(tail)}" == compose.plain(
                " ".join(words)):
            break
        keep -= 1
    front = body[:jump.paragraph] + ([" ".join(words[:keep])] if keep else [])
    rest = ([" ".join(words[keep:])] if keep < len(words) else []) + body[jump.paragraph + 1:]
    return front, rest
