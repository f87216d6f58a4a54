"""Break opportunities in very long words, given before layout so it stays linear.

WeasyPrint 70 lays out a word that has no break opportunity (a 6 000-letter string, or
letters joined by ZWJ) or one it may hyphenate by trying every way to end the line within
it, each try shaping the rest of the paragraph again: the cost grows with the square of
the word's length and more (a 2 000-letter word took 12 s, one of 6 000 letters over five
minutes). No real word is that long, so rather than change the line breaker, compose gives
a word longer than `LONGEST_RUN` characters a zero-width space (U+200B, a break opportunity
that prints nothing and works whatever `hyphens` says) every `LONGEST_RUN` characters: each
run the line breaker sees is short, and a long word costs what as many short words cost.
Measured in bench/reliability.py; the README's Reliability section has the figures.

Only the text between tags is touched (never a link's address), an entity stays whole,
and a break never separates a character from the combining marks, joiners or variation
selectors that belong to it, unless a run of them is itself that long.
"""

from __future__ import annotations

import re
import unicodedata

LONGEST_RUN = 32  # characters; the samples' longest run without a break is 24
BREAK = "\u200b"  # ZERO WIDTH SPACE

# Where the line breaker may already break: breaking spaces (not the no-break ones, U+00A0,
# U+2007, U+202F), hyphens and dashes, a soft hyphen, a zero-width space. Anything else
# counts towards a run; an extra opportunity does no harm.
_NATURAL = (" \t\n\r\f\v\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009"
            "\u200a\u205f\u3000\u2028\u2029-\u00ad\u2010\u2012\u2013\u2014\u200b")
_NATURAL_BREAK = frozenset(_NATURAL)
_ZWJ = "\u200d"
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&[#\w]+;")
_LONG_RUN = re.compile(f"[^{re.escape(_NATURAL)}<]{{{LONGEST_RUN + 1},}}")


def _attaches_to_previous(character: str) -> bool:
    """A mark, a joiner or a variation selector: it belongs with the character before it."""
    return (unicodedata.category(character) in ("Mn", "Mc", "Me")
            or character in "\u200c\u200d" or "\ufe00" <= character <= "\ufe0f"
            or "\U000e0100" <= character <= "\U000e01ef")


def break_long_runs(html: str) -> str:
    """`html` (escaped copy with inline markup) with a break opportunity in every run of
    text longer than LONGEST_RUN: only text between tags, an entity counted as one character."""
    if len(html) <= LONGEST_RUN or not _LONG_RUN.search(html):
        return html
    out: list[str] = []
    run = 0
    position = 0
    units: list[str] = []  # the text as units: characters, or whole entities

    def flush() -> None:
        nonlocal run
        for index, unit in enumerate(units):
            natural = unit in _NATURAL_BREAK
            if natural:
                run = 0
            elif run >= LONGEST_RUN and (
                    run >= 2 * LONGEST_RUN
                    or (index > 0 and (len(unit) > 1 or not _attaches_to_previous(unit))
                        and units[index - 1] != _ZWJ)):
                out.append(BREAK)
                run = 0
            out.append(unit)
            if not natural:
                run += 1
        units.clear()

    for match in _TAG_OR_ENTITY.finditer(html):
        units.extend(html[position:match.start()])
        if match.group().startswith("&"):
            units.append(match.group())
        else:
            flush()  # a tag: inline markup does not end a word
            out.append(match.group())
        position = match.end()
    units.extend(html[position:])
    flush()
    return "".join(out)
