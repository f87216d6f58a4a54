"""Every patch printpost makes to WeasyPrint while it renders, in one list (PATCHES).

Each names the WeasyPrint internals it replaces and the WeasyPrint version whose code it
mirrors; it is entered only while printpost lays out or writes a document, put back after,
and stands aside (WeasyPrint's own code runs) under any other version. tests/test_engine.py
checks that each replaces what it says and nothing else, and stands aside.

What `startup` does happens while WeasyPrint is imported, before its version can be read,
so each of its steps checks what it finds instead (the C declarations are taken from the
installed `text/ffi.py`, which must make one cdef() of a string; a cached file that does
not read back is parsed again) and otherwise lets WeasyPrint import as it does by itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Literal, NamedTuple

from . import balance, limits, linebreaks, pdf, stylesheets


@dataclass(frozen=True)
class EngineOptions:
    """Switches that compare printpost's shortcuts with WeasyPrint's own code (tests,
    benchmarks); the defaults are what printpost ships. Read from the environment once, by
    the caller that starts the work (`from_environment`: the CLI, a benchmark), and passed
    down."""

    # "weasyprint": WeasyPrint balances columns itself; "probe": printpost's balancing,
    # with each set of story columns laid out again at the height worked out from its lines.
    balance: Literal["printpost", "weasyprint", "probe"] = "printpost"
    lines: Literal["kept", "fresh"] = "kept"  # "fresh": every line set anew
    startup_cache: bool = True  # False: WeasyPrint imported as it imports itself (startup)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> EngineOptions:
        """PRINTPOST_BALANCE=weasyprint|probe, PRINTPOST_LINES=fresh, PRINTPOST_NO_CACHE=1."""
        balance_mode = environ.get("PRINTPOST_BALANCE")
        return cls(balance=balance_mode if balance_mode in ("weasyprint", "probe") else "printpost",
                   lines="fresh" if environ.get("PRINTPOST_LINES") == "fresh" else "kept",
                   startup_cache=not environ.get("PRINTPOST_NO_CACHE"))


class Patch(NamedTuple):
    name: str
    replaces: tuple[str, ...]  # attributes of WeasyPrint's modules, below `weasyprint.`
    mirrors: str  # the WeasyPrint major version whose code it was written against
    phase: Literal["layout", "write"]
    # (options, the phase's arguments) → the patch as a context manager, or None when the
    # options turn it off. Looked up when entered (tests replace a module's function).
    enter: Callable[..., AbstractContextManager | None]


def _stylesheets(options, *, log, allowed_file, **_):
    return stylesheets.reused_stylesheets(log, allowed_file)


def _balance(options, *, grid, **_):
    if options.balance == "weasyprint":
        return None
    return balance.balanced_columns(grid, probe=options.balance == "probe")


def _hyphen_limit(options, **_):
    return linebreaks.limited_hyphenation()


def _kept_lines(options, **_):
    return None if options.lines == "fresh" else linebreaks.kept_lines()


def _limits(options, *, budget=None, **_):
    if budget is None or (budget.seconds is None and budget.pages is None):
        return None
    return limits.enforced(budget)


def _document_id(options, *, identifier, **_):
    return pdf.fixed_document_id(identifier)


# In the order they are entered (kept lines after the hyphen limit: its runs are kept as
# the lines are first set).
PATCHES = (
    Patch("stylesheets parsed once per process", ("css.CSS",), "70", "layout", _stylesheets),
    Patch("column sets balanced in fewer layouts", ("layout.block.columns_layout",), "70",
          "layout", _balance),
    Patch("at most two hyphenated lines in a row",
          ("layout.block.iter_line_boxes", "layout.inline.split_first_line"), "70", "layout",
          _hyphen_limit),
    Patch("lines kept for a paragraph laid out again as wide", ("layout.block.iter_line_boxes",),
          "70", "layout", _kept_lines),
    Patch("a layout stopped past its deadline or page cap (printpost/limits.py)",
          ("layout.inline.split_first_line", "layout.page.make_page"), "70", "layout", _limits),
    Patch("XMP document ID derived from the PDF's identifier", ("pdf.metadata.uuid4",), "70",
          "write", _document_id),
)


def weasyprint_major() -> str:
    import weasyprint

    return weasyprint.__version__.split(".")[0]


@contextmanager
def patched(phase: Literal["layout", "write"], options: EngineOptions, **arguments):
    """While inside, the patches of `phase` that mirror the installed WeasyPrint and that
    `options` leave on. `arguments`: the layout's `grid` (px), `log` (the sandbox's
    FetchLog), `allowed_file` and `budget` (limits.Budget, or None); the writer's
    `identifier`."""
    installed = weasyprint_major()
    with ExitStack() as stack:
        for patch in PATCHES:
            if patch.phase == phase and patch.mirrors == installed:
                manager = patch.enter(options, **arguments)
                if manager is not None:
                    stack.enter_context(manager)
        yield
