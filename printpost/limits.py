"""Bounded layout: a deadline and a page cap for each edition in each format.

The copy bounds of models.py keep every valid edition within a few seconds of layout, and
compose gives very long words break opportunities (wordbreaks.py); this is the backstop
for whatever still runs away. Each format's profile (layouts/formats.toml) sets
`layout_seconds`, the CPU time one edition may take in that format over all its passes, and
`max_pages`; the CLI's --max-seconds and --max-pages override them. A layout past either
stops at once with `LayoutLimit`, which says what was being set when it stopped, so the
error can name the field.

The check itself runs inside WeasyPrint's layout (engine/limits.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

@dataclass(frozen=True)
class Limits:
    """Overrides of the format profile's limits (None: the profile's)."""

    seconds: float | None = None
    pages: int | None = None

    def budget(self, fmt) -> Budget:
        seconds = fmt.layout_seconds if self.seconds is None else self.seconds
        pages = fmt.max_pages if self.pages is None else self.pages
        return Budget(seconds, pages)


class LayoutLimit(Exception):
    """The layout went past its deadline or page cap; `text` is what it was setting."""

    def __init__(self, kind: str, limit: float, text: str):
        super().__init__(kind, limit, text)
        self.kind = kind  # "seconds" or "pages"
        self.limit = limit
        self.text = text

    def __str__(self) -> str:
        if self.kind == "pages":
            pages = f"{self.limit:g} page{'s' if self.limit != 1 else ''}"
            return f"runs past {pages} (the format's max_pages; --max-pages)"
        return f"took more than {self.limit:g} s to lay out (the format's layout_seconds; --max-seconds)"


class Budget:
    """The limits of one edition in one format, spent over all its passes."""

    def __init__(self, seconds: float | None, pages: int | None):
        self.seconds = seconds
        self.pages = pages
        # CPU time of this process, not the clock: the work an edition causes, whatever else
        # the machine is doing (a loaded machine must not refuse a good edition). It runs
        # from the first line laid out: what comes before it on the first pass (templates,
        # stylesheets and fonts read once per process, then the HTML parsed and styled) grows
        # only with the copy, which models.py bounds, and took a cold process 0.3 s, so a
        # short limit stopped it in the nameplate, naming no field of the edition.
        self.deadline: float | None = None

    def check_time(self, text: str) -> None:
        if self.seconds is None:
            return
        now = time.process_time()
        if self.deadline is None:
            self.deadline = now + self.seconds
        elif now > self.deadline:
            raise LayoutLimit("seconds", self.seconds, text)


UNLIMITED = Budget(None, None)


def copy_fields(model, path: str = ""):
    """(field path, text) of every piece of copy in a model, e.g. ('lead.body[3]', '…')."""
    from pydantic import BaseModel

    if isinstance(model, str):
        yield path, model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from copy_fields(getattr(model, name), f"{path}.{name}" if path else name)
    elif isinstance(model, (list, tuple)):
        for index, item in enumerate(model):
            yield from copy_fields(item, f"{path}[{index}]")


def _squashed(text: str) -> str:
    return "".join(character for character in text
                   if not character.isspace() and character not in "\u00ad\u200b-\u2010")


def field_of(issue, text: str) -> str | None:
    """The field of `issue` whose copy holds `text` (laid-out text: breaks and hyphens
    added, markup gone); the longest such field when several do."""
    from .markup import plain

    needle = _squashed(text)[:48]
    if len(needle) < 4:
        return None
    found = [(len(value), path) for path, value in copy_fields(issue)
             if needle in _squashed(plain(value))]
    return max(found)[1] if found else None


def _largest_field(issue) -> tuple[str, int]:
    """The field with the most copy, a list counted whole (lead.body, not lead.body[3])."""
    import re

    sizes: dict[str, int] = {}
    for path, value in copy_fields(issue):
        field = re.sub(r"\[\d+\]$", "", path)
        sizes[field] = sizes.get(field, 0) + len(value)
    field = max(sizes, key=lambda name: (sizes[name], name))
    return field, sizes[field]


def describe(stopped: LayoutLimit, issue) -> str:
    """One line: which limit stopped the layout, where it was, where the copy is."""
    field = field_of(issue, stopped.text)
    where = ""
    if field is not None:
        excerpt = stopped.text.strip().replace("\u200b", "")[:40]
        where = f" while setting {field} ({excerpt!r}…)"
    largest, size = _largest_field(issue)
    return (f"the edition {stopped}{where}; the most copy is in {largest} ({size:,} "
            "characters): shorten it or raise the limit")
