"""The `printpost` command: a thin layer over the pipeline.

Exit codes: 0 ok, 1 build failure, 2 bad input (invalid data, missing file, bad option).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import load, publish, scaffold
from .formats import DEFAULT_FORMAT, formats

EXIT_OK, EXIT_BUILD_FAILED, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Typeset The AI Morning Post: issue data in, print-ready newspaper PDFs out.\n\n"
    "Examples:\n\n"
    "  printpost build issues/2026-04-19.yaml\n\n"
    "  printpost build issues/*.yaml --format a4 --format letter\n\n"
    "  printpost validate issues/*.yaml\n\n"
    "  printpost new 2026-04-20",
)

IssueFiles = Annotated[list[Path], typer.Argument(help="Issue data files (.yaml, .yml or .json).",
                                                  show_default=False)]
FormatOption = Annotated[
    Optional[list[str]],
    typer.Option("--format", "-f", help="Print format; repeat for several. Default: a4.",
                 show_default=False),
]


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _check_formats(names: list[str] | None) -> list[str]:
    names = names or [DEFAULT_FORMAT]
    unknown = [name for name in names if name not in formats()]
    if unknown:
        _err(f"error: unknown format {', '.join(unknown)}; known formats: {', '.join(formats())}")
        raise typer.Exit(EXIT_BAD_INPUT)
    return names


@app.command()
def build(
    issues: IssueFiles,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = publish.DEFAULT_OUTPUT_DIR,
    format: FormatOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
) -> None:
    """Build print-ready PDFs of one or more editions.

    Each good file is built even when others are bad; a bad file writes nothing and
    leaves any earlier PDF of it untouched.

    Examples:

      printpost build issues/2026-04-19.yaml

      printpost build issues/*.yaml --out dist --format a4 --format letter
    """
    from . import pipeline, render

    names = _check_formats(format)
    render.quiet_weasyprint_logs()
    status = EXIT_OK
    progress = None
    if len(issues) > 1 and not quiet and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("Typesetting", total=len(issues))
    try:
        for path in issues:
            try:
                result = pipeline.build(path, names, out)
            except load.InvalidIssue as error:
                for problem in error.problems:
                    _err(f"error: {problem}")
                status = max(status, EXIT_BAD_INPUT)
            except render.RenderError as error:
                _err(f"error: {path}: {error}")
                status = max(status, EXIT_BUILD_FAILED)
            except OSError as error:
                _err(f"error: {path}: cannot write output: {error.strerror or error}")
                status = max(status, EXIT_BUILD_FAILED)
            else:
                for warning in result.warnings:
                    _err(f"warning: {warning}")
                if not quiet:
                    for output in result.outputs:
                        print(f"{output.path}  {output.pages} pages, {output.bytes / 1024:.0f} KB, "
                              f"{output.seconds:.1f} s")
            if progress is not None:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    raise typer.Exit(status)


@app.command()
def validate(issues: IssueFiles) -> None:
    """Check issue files (data and glyph coverage) without rendering anything.

    Example:

      printpost validate issues/*.yaml
    """
    from . import pipeline

    status = EXIT_OK
    for path in issues:
        try:
            loaded, warnings = pipeline.check(path)
        except load.InvalidIssue as error:
            for problem in error.problems:
                _err(f"error: {problem}")
            status = EXIT_BAD_INPUT
            continue
        for warning in warnings:
            _err(f"warning: {warning}")
        edition = loaded.issue.edition
        print(f"{path}: ok (issue #{edition.number}, {edition.long_date})")
    raise typer.Exit(status)


@app.command()
def new(
    date: Annotated[Optional[str], typer.Argument(help="Edition date, YYYY-MM-DD. Default: the day "
                                                  "after the newest edition in --dir.")] = None,
    directory: Annotated[Path, typer.Option("--dir", help="Where issue files live.")] = Path("issues"),
) -> None:
    """Scaffold the next edition's data file with its issue number.

    Examples:

      printpost new

      printpost new 2026-04-20
    """
    try:
        day = dt.date.fromisoformat(date) if date else scaffold.next_date(directory)
        path = scaffold.create(day, directory)
    except ValueError as error:
        _err(f"error: {error}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    print(path)


@app.command()
def schema() -> None:
    """Print the JSON Schema of issue files (for editor completion).

    Example:

      printpost schema > issue.schema.json
    """
    from .models import Issue

    print(json.dumps(Issue.model_json_schema(), indent=2, ensure_ascii=False))


@app.command()
def preview(
    issue: Annotated[Path, typer.Argument(help="Issue data file.", show_default=False)],
    page: Annotated[int, typer.Option("--page", "-p", min=1, help="Page number.")] = 1,
    format: Annotated[str, typer.Option("--format", "-f", help="Print format.")] = DEFAULT_FORMAT,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="PNG path.")] = None,
    dpi: Annotated[int, typer.Option(min=30, max=600, help="Resolution.")] = 110,
) -> None:
    """Render one page of an edition to PNG, for a quick look.

    Example:

      printpost preview issues/2026-04-19.yaml --page 2
    """
    from . import pipeline, raster, render

    _check_formats([format])
    render.quiet_weasyprint_logs()
    try:
        loaded, warnings = pipeline.check(issue)
        rendered = pipeline.render_edition(loaded, format)
    except load.InvalidIssue as error:
        for problem in error.problems:
            _err(f"error: {problem}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except render.RenderError as error:
        _err(f"error: {issue}: {error}")
        raise typer.Exit(EXIT_BUILD_FAILED) from None
    for warning in warnings:
        _err(f"warning: {warning}")
    if page > rendered.pages:
        _err(f"error: page {page} asked for, but the edition has {rendered.pages} pages")
        raise typer.Exit(EXIT_BAD_INPUT)
    target = out or publish.edition_path(loaded.issue.edition, format).with_suffix(f".p{page}.png")
    publish.write_atomic(target, raster.page_png(rendered.pdf, page - 1, dpi))
    print(target)


def main() -> None:
    app()
