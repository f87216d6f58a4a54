"""The whole flow for one edition: load → compose → render → publish.

The CLI and the benchmarks call these functions; nothing here prints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import compose, glyphs, load, publish
from .formats import DEFAULT_FORMAT, get_format


@dataclass
class FormatOutput:
    format: str
    path: Path
    pages: int
    bytes: int
    seconds: float


@dataclass
class BuildResult:
    source: Path
    outputs: list[FormatOutput] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check(path: Path | str) -> tuple[load.LoadedIssue, list[str]]:
    """Validate a file and its glyph coverage; raises load.InvalidIssue on bad data."""
    loaded = load.load(path)
    warnings = [f"{loaded.path}: {missing}" for missing in glyphs.missing_glyphs(loaded.issue)]
    return loaded, warnings


def render_edition(loaded: load.LoadedIssue, format_name: str = DEFAULT_FORMAT, *,
                   keep_document: bool = False):
    """The edition in one format, rendered but not written."""
    from . import render  # WeasyPrint is imported only when something is rendered

    fmt = get_format(format_name)
    html = compose.compose(loaded.issue, fmt)
    created = f"{loaded.issue.edition.date.isoformat()}T06:00:00Z"
    return render.render(html, created=created, pdf_variant=fmt.pdf_variant,
                         keep_document=keep_document)


def build(path: Path | str, formats: list[str] | None = None,
          out_dir: Path = publish.DEFAULT_OUTPUT_DIR) -> BuildResult:
    """Validate, render and write one edition in each format.

    Raises load.InvalidIssue before anything is written when the data is bad, and
    render.RenderError when WeasyPrint fails; existing PDFs stay as they were.
    """
    formats = formats or [DEFAULT_FORMAT]
    for name in formats:
        get_format(name)  # unknown formats fail before any work
    loaded, warnings = check(path)
    result = BuildResult(source=loaded.path, warnings=warnings)
    for name in formats:
        started = time.perf_counter()
        rendered = render_edition(loaded, name)
        target = publish.edition_path(loaded.issue.edition, name, out_dir)
        publish.write_atomic(target, rendered.pdf)
        result.outputs.append(
            FormatOutput(name, target, rendered.pages, len(rendered.pdf),
                         time.perf_counter() - started)
        )
    return result
