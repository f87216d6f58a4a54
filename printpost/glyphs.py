"""Glyph coverage: every character of an edition must be in a bundled font.

printpost renders with no system fonts, so a character outside the bundled fonts would
print as an empty box. This finds each such character before rendering and names the
field it is in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from fontTools.ttLib import TTFont
from pydantic import BaseModel

from .models import Listing
from .resources import FONTS_DIR


@dataclass(frozen=True)
class MissingGlyph:
    field: str
    char: str

    def __str__(self) -> str:
        name = unicodedata.name(self.char, "unnamed character")
        return f"{self.field}: U+{ord(self.char):04X} {name} ({self.char!r}) is in no bundled font"


@cache
def covered_codepoints() -> frozenset[int]:
    """Every code point that some bundled font maps (the CSS stacks all fall back to all)."""
    points: set[int] = set()
    for path in sorted(FONTS_DIR.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            # Only the code points matter: numbered glyph names spare fontTools working
            # out every glyph's real name (from 'post'), four fifths of the time here.
            font.setGlyphOrder([f"glyph{index}" for index in range(font["maxp"].numGlyphs)])
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def _needs_glyph(char: str) -> bool:
    # Spaces, format characters (ZWJ, ZWSP, bidi marks) and variation selectors are
    # handled by the shaper and never drawn as glyphs of their own.
    if char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Zs", "Zl", "Zp"):
        return False
    return not (0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF)


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if isinstance(value, Listing) and name == "items":
                # A listing's items are named as in its short form: reading[0], whichever
                # form the file has (reading.items[0] reads as the same item).
                yield from _strings(value.items, path)
                continue
            yield from _strings(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def missing_glyphs(issue: BaseModel) -> list[MissingGlyph]:
    """One entry per (field, character) not covered, in field order."""
    covered = covered_codepoints()
    missing: list[MissingGlyph] = []
    for path, text in _strings(issue, ""):
        seen: set[str] = set()
        for char in text:
            if char not in seen and _needs_glyph(char) and ord(char) not in covered:
                seen.add(char)
                missing.append(MissingGlyph(path, char))
    return missing
