"""The `printpost` command: a thin layer over the pipeline.

`main(argv)` runs one command in this process and returns its exit status
(printpost/exitcodes.py: 0 ok, 1 build failure, 2 bad input); `run` is the console script.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer

# Only what the options need: `printpost --help` must not load the data model or layouts.
from . import publish
from .exitcodes import EXIT_BAD_INPUT, EXIT_BUILD_FAILED, EXIT_OK
from .engine.patches import EngineOptions
from .formats import DEFAULT_FORMAT, Format, formats

# typer prints an argument's Python type beside its name ("ISSUE... <list[Path]>") even when
# the argument has a name in words (metavar), which says it better: left out.
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None

app = typer.Typer(
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Typeset The AI Morning Post: issue data in, print-ready newspaper PDFs out.\n\n"
    "Examples:\n\n"
    "  printpost build issues/2026-04-19.yaml\n\n"
    "  printpost build issues/*.yaml --format a4 --format letter\n\n"
    "  printpost validate issues/*.yaml\n\n"
    "  printpost new 2026-04-20",
)


def _print_version(wanted: bool) -> None:
    if wanted:
        from . import __version__

        print(f"printpost {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    context: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print printpost's version and exit.")] = False,
) -> None:
    """The paper's printpost.toml (in this folder or the nearest above) is read first: a
    problem in it is bad input, said in one line each, before any command runs."""
    if context.resilient_parsing or context.invoked_subcommand in (None, "init", "schema"):
        return
    from . import paper

    try:
        paper.current()
    except paper.PaperError as error:
        for problem in error.problems:
            _err(f"error: {problem.report()}")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _paper():
    from . import paper

    return paper.current()


DraftOption = Annotated[bool, typer.Option(
    "--draft", help="Build even when preflight finds errors or the edition still has the "
    "scaffold's TODOs (and say so); without it, either fails the build.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Say more: every "
                                             "preflight finding, with its page and section.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")]

IssueFiles = Annotated[list[Path], typer.Argument(metavar="ISSUE...", help="Issue data files (.yaml, .yml or .json).",
                                                  show_default=False)]
FORMATS = ", ".join(formats())  # for the help of every --format
FormatOption = Annotated[
    Optional[list[str]],
    typer.Option("--format", "-f", metavar="FORMAT", help=f"Print format ({FORMATS}); repeat "
                 "for several. Default: a4.",
                 show_default=False),
]


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _check_formats(names: list[str] | None) -> list[Format]:
    """The profiles of the formats named (default: a4); unknown names are bad input."""
    names = names or [DEFAULT_FORMAT]
    unknown = [name for name in names if name not in formats()]
    if unknown:
        _err(f"error: unknown format {', '.join(unknown)}; known formats: {', '.join(formats())}")
        raise typer.Exit(EXIT_BAD_INPUT)
    return [formats()[name] for name in names]


def _engine(ctx: typer.Context) -> EngineOptions:
    """The engine options `main` read (the defaults when `app` is called without it)."""
    return ctx.obj if isinstance(ctx.obj, EngineOptions) else EngineOptions()


def _typesetter(ctx: typer.Context):
    """The command's typesetter, with the engine options `main` read."""
    from .pipeline import Typesetter

    return Typesetter(_engine(ctx))


BuildSources = Annotated[
    Optional[list[Path]],
    typer.Argument(metavar="[ISSUE|DIR]...", help="Issue data files, or directories of them (--all: default issues/).",
                   show_default=False),
]
JobsOption = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", min=1, metavar="N", help="Editions rendered at once. Default: one per core.",
    show_default=False)]
MaxSecondsOption = Annotated[Optional[float], typer.Option(
    "--max-seconds", min=1, metavar="SECONDS", help="CPU seconds one edition may take to lay out in one format "
    "(default: the format's layout_seconds in layouts/formats.toml).", show_default=False)]
MaxPagesOption = Annotated[Optional[int], typer.Option(
    "--max-pages", min=1, metavar="N", help="Pages one edition may run to (default: the format's "
    "max_pages).", show_default=False)]


def _limits(seconds: float | None, pages: int | None):
    from .limits import Limits

    return Limits(seconds=seconds, pages=pages)


SchedulerOption = Annotated[Optional[str], typer.Option(
    "--scheduler", metavar="ADDRESS", help="Render on this Dask scheduler (tcp://host:8786) instead of here; "
    "its workers must see the same files.", show_default=False)]


@app.command()
def build(
    ctx: typer.Context,
    issues: BuildSources = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", metavar="DIR", help="Output directory. Default: the paper's "
        "(printpost.toml [build] output), else output/.", show_default=False)] = None,
    format: FormatOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Incremental: build every edition in the "
                                       "directories (default issues/) whose data, layouts, "
                                       "fonts or printpost changed; skip the rest.")] = False,
    jobs: JobsOption = None,
    scheduler: SchedulerOption = None,
    archival: Annotated[bool, typer.Option("--archival", help="PDF/A-3b with the issue data "
                                           "attached (…-a4-archival.pdf).")] = False,
    draft: DraftOption = False,
    verbose: VerboseOption = False,
    max_seconds: MaxSecondsOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """Build print-ready PDFs of one or more editions.

    Preflight's errors are printed with their page and section. A PDF it finds defective
    (a glyph missing, text overset or under 6 pt, a QR code that will not scan) is written
    and the build fails (exit 1); --draft builds it without failing. An edition that still
    has the scaffold's TODOs is refused unless --draft.

    Each good file is built even when others are bad; a bad file writes nothing and
    leaves any earlier PDF of it untouched. With --all, a directory, --jobs, --scheduler or
    --archival the build is incremental and parallel: only what changed is rendered.

    Examples:

      printpost build issues/2026-04-19.yaml

      printpost build issues/*.yaml --out dist --format a4 --format letter

      printpost build --all

      printpost build --all bench/month --jobs 2 --archival
    """
    from . import load, pipeline, render

    paper = _paper()
    profiles = _check_formats(format or list(paper.formats) or None)
    names = [fmt.name for fmt in profiles]
    out = out or paper.output or publish.DEFAULT_OUTPUT_DIR
    limits = _limits(max_seconds, max_pages)
    render.quiet_weasyprint_logs()
    if all_ or archival or jobs or scheduler or any(path.is_dir() for path in issues or []):
        raise typer.Exit(_build_incrementally(issues or [paper.issues or Path("issues")], names,
                                              out, quiet=quiet, jobs=jobs, scheduler=scheduler,
                                              archival=archival, limits=limits,
                                              engine=_engine(ctx)))
    if not issues:
        _err("error: name issue files or a directory, or use --all (see printpost build --help)")
        raise typer.Exit(EXIT_BAD_INPUT)
    status = EXIT_OK
    if len(issues) > 1:  # two files of one date would write the same PDFs
        from . import catalog

        issues = catalog.unique_files(issues)  # one file named twice is built once
        clashes = catalog.same_date_clashes(
            {path: catalog.edition_date(path) for path in issues})
        for problem in filter(None, clashes.values()):
            _err(f"error: {problem}")
        if clashes:
            status = EXIT_BAD_INPUT
        issues = [path for path in issues if path not in clashes]
    typesetter = _typesetter(ctx)
    progress = None
    if len(issues) > 1 and not quiet and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("Typesetting", total=len(issues))
    try:
        for path in issues:
            try:
                if not draft and (refused := _unfilled(path)):
                    _err(f"error: {refused}")
                    status = max(status, EXIT_BAD_INPUT)
                    continue
                result = typesetter.build(path, profiles, out, limits=limits)
            except load.InvalidIssue as error:
                for problem in error.problems:
                    _err(f"error: {problem.report()}")
                status = max(status, EXIT_BAD_INPUT)
            except render.RenderError as error:
                _err(f"error: {path}: {error}")
                status = max(status, EXIT_BUILD_FAILED)
            except OSError as error:
                _err(f"error: {path}: {publish.describe_os_error(error)}")
                status = max(status, EXIT_BUILD_FAILED)
            else:
                for warning in result.warnings:
                    _err(f"warning: {warning}")
                for output in result.outputs:
                    if not quiet:
                        print(f"{output.path}  {output.pages} pages, "
                              f"{publish.human_size(output.bytes)}, {output.seconds:.1f} s; "
                              f"{output.preflight.summary()}")
                    status = max(status, _said_findings(output.path, output.preflight,
                                                        draft=draft, verbose=verbose))
            if progress is not None:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    raise typer.Exit(status)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The new paper's folder.",
                                              show_default=False)],
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="The paper's name, as its "
                                      "nameplate prints it.")] = "The Morning Edition",
    tagline: Annotated[str, typer.Option("--tagline", metavar="WORDS")] = "News • Analysis • Ideas",
    motto: Annotated[str, typer.Option("--motto", metavar="WORDS")] = "Your Daily Briefing",
    location: Annotated[str, typer.Option("--location", metavar="PLACE", help="The dateline's "
                                          "place.")] = "London, United Kingdom",
    first_issue: Annotated[Optional[str], typer.Option(
        "--first-issue", metavar="YYYY-MM-DD", help="The date of issue #1 (issue numbers follow "
        "from it). Default: today.", show_default=False)] = None,
) -> None:
    """Make a new paper: DIR/printpost.toml (its name, tagline, first issue, defaults), a
    first edition in DIR/issues/ that builds at once, and DIR/layouts/ for the paper's own
    templates and stylesheets (a file there overrides printpost's of the same name).

    Examples:

      printpost init harbour-gazette --name "The Harbour Gazette"

      cd harbour-gazette && printpost build --all
    """
    from . import scaffold

    try:
        day = dt.date.fromisoformat(first_issue) if first_issue else dt.date.today()
    except ValueError:
        _err(f"error: --first-issue {first_issue}: not a date; write it YYYY-MM-DD")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    try:
        made = scaffold.new_paper(directory, name=name, tagline=tagline, motto=motto,
                                  location=location, first_issue=day)
    except ValueError as error:
        _err(f"error: {error}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as error:
        _err(f"error: {error.filename or directory}: {error.strerror or error}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for path in made:
        print(path)
    print(f"a new paper in {directory}: cd {directory} && printpost build --all")


def _unfilled(path: Path) -> str | None:
    """The scaffold's TODOs still in an edition, said in one line (None: none, or bad data,
    which the build itself reports)."""
    from . import load, scaffold

    try:
        return scaffold.unfilled_problem(path, load.load(path).issue)
    except (load.InvalidIssue, OSError):
        return None


def _said_findings(pdf: Path, report, *, draft: bool, verbose: bool) -> int:
    """Print a PDF's preflight errors (and with --verbose its warnings) in words; the exit
    status they make: a build failure, unless --draft."""
    from . import wording

    for item in report.findings:
        if item.severity == "error" or verbose:
            _err(f"{pdf}: {wording.finding(item)}")
    defects = [item for item in report.errors if item.check in wording.DEFECTS]
    if not defects:
        return EXIT_OK
    if draft:
        _err(f"note: {pdf}: written as a draft (--draft) despite {len(defects)} "
             f"defect{'s' if len(defects) != 1 else ''} that fail a build")
        return EXIT_OK
    _err(f"error: {pdf}: written, but not fit to print ({len(defects)} "
         f"defect{'s' if len(defects) != 1 else ''} above); --draft builds it without failing")
    return EXIT_BUILD_FAILED


@app.command()
def validate(issues: IssueFiles, draft: DraftOption = False, quiet: QuietOption = False) -> None:
    """Check issue files (data and glyph coverage) without rendering anything. An edition
    that still has the scaffold's TODOs is refused (exit 2) unless --draft.

    Example:

      printpost validate issues/*.yaml
    """
    from . import load, pipeline, scaffold

    status = EXIT_OK
    for path in issues:
        try:
            loaded, warnings = pipeline.check(path)
        except load.InvalidIssue as error:
            for problem in error.problems:
                _err(f"error: {problem.report()}")
            status = EXIT_BAD_INPUT
            continue
        for warning in warnings:
            _err(f"warning: {warning}")
        if not draft and (refused := scaffold.unfilled_problem(path, loaded.issue)):
            _err(f"error: {refused}")
            status = EXIT_BAD_INPUT
            continue
        edition = loaded.issue.edition
        if not quiet:
            print(f"{path}: ok (issue #{edition.number}, {edition.long_date})")
    raise typer.Exit(status)


@app.command()
def check(
    ctx: typer.Context,
    issues: IssueFiles,
    format: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
    max_seconds: MaxSecondsOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """Preflight: render and measure every page, report defects per page and story.

    Checks overflow, widows and orphans, stranded heads, column balance, hyphenation
    ladders, missing glyphs, text under 6 pt, QR code size and quiet zone, page count,
    and the share of body lines on the baseline grid; per page, how full it is, boxes
    split that must stay whole, uneven listing columns and text columns too narrow or too
    wide (--json: measurements.pages). Exit status 1 on any error.

    Examples:

      printpost check issues/2026-04-19.yaml

      printpost check issues/*.yaml --format press --format ereader --json
    """
    from . import load, pipeline, render, wording

    profiles = _check_formats(format)
    render.quiet_weasyprint_logs()
    typesetter = _typesetter(ctx)
    status = EXIT_OK
    reports = []
    for path in issues:
        try:
            loaded = load.load(path)
            for fmt in profiles:
                _, report = typesetter.typeset(loaded, fmt,
                                               limits=_limits(max_seconds, max_pages))
                reports.append({"file": str(path), **report.as_dict()})
                if report.errors:
                    status = max(status, EXIT_BUILD_FAILED)
                if not as_json:
                    print(f"{path}: {report.summary()}")
                    for finding in report.findings:
                        print(f"  {wording.finding(finding)}")
        except load.InvalidIssue as error:
            for problem in error.problems:
                _err(f"error: {problem.report()}")
            status = EXIT_BAD_INPUT
        except render.RenderError as error:
            _err(f"error: {path}: {error}")
            status = max(status, EXIT_BUILD_FAILED)
    if as_json:
        print(json.dumps(reports, indent=2, ensure_ascii=False))
    raise typer.Exit(status)


@app.command()
def new(
    date: Annotated[Optional[str], typer.Argument(metavar="[DATE]", help="Edition date, YYYY-MM-DD. Default: the day "
                                                  "after the newest edition in --dir.")] = None,
    directory: Annotated[Path, typer.Option("--dir", metavar="DIR", help="Where issue files live.")] = Path("issues"),
) -> None:
    """Scaffold the next edition's data file with its issue number.

    Examples:

      printpost new

      printpost new 2026-04-20
    """
    from . import scaffold

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


IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


@app.command()
def preview(
    ctx: typer.Context,
    issue: Annotated[Path, typer.Argument(metavar="ISSUE", help="Issue data file.", show_default=False)],
    page: Annotated[int, typer.Option("--page", "-p", metavar="N", min=1, help="Page number.")] = 1,
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help=f"Print format ({FORMATS}).")] = DEFAULT_FORMAT,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Image path; its suffix is the format (.png, .jpg, .webp). Default: beside the PDF, as PNG.")] = None,
    dpi: Annotated[int, typer.Option(min=30, max=600, metavar="DPI", help="Resolution, 30-600.")] = 110,
    max_seconds: MaxSecondsOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """Render one page of an edition to PNG, for a quick look.

    Example:

      printpost preview issues/2026-04-19.yaml --page 2
    """
    from . import load, pipeline, raster, render

    fmt, = _check_formats([format])
    if out is not None and out.suffix.lower() not in IMAGE_TYPES:
        _err(f"error: --out {out}: preview writes {', '.join(IMAGE_TYPES)} images; name the "
             "file with one of these suffixes")
        raise typer.Exit(EXIT_BAD_INPUT)
    render.quiet_weasyprint_logs()
    try:
        loaded, warnings = pipeline.check(issue)
        rendered, _ = _typesetter(ctx).typeset(loaded, fmt,  # as `build` sets it
                                               limits=_limits(max_seconds, max_pages))
    except load.InvalidIssue as error:
        for problem in error.problems:
            _err(f"error: {problem.report()}")
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
    publish.write_atomic(target, raster.page_image_bytes(rendered.pdf, page - 1, dpi,
                                                         IMAGE_TYPES[target.suffix.lower()]))
    print(target)


class _Reporter:
    """Prints each edition's outcome of an incremental build as it lands; a progress bar on a TTY."""

    def __init__(self, quiet: bool, label: str = "Typesetting"):
        self.quiet = quiet
        self.progress = None
        if not quiet and sys.stderr.isatty():
            from rich.progress import Progress

            self.progress = Progress(transient=True)
            self.task = self.progress.add_task(label, total=None)

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc_info):
        if self.progress is not None:
            self.progress.stop()

    def expect(self, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, total=total)

    def __call__(self, outcome) -> None:
        for problem in outcome.problems:
            _err(f"error: {problem}")
        for warning in outcome.warnings:
            _err(f"warning: {warning}")
        if not self.quiet and outcome.status == "built":
            for record in outcome.records:
                checked = outcome.preflight.get(record.path.name)
                print(f"{record.path}  {record.pages} pages, {publish.human_size(record.bytes)}"
                      + (f"; {checked}" if checked else ""))
        if self.progress is not None:
            self.progress.advance(self.task)


def _build_incrementally(sources: list[Path], names: list[str], out: Path, *, quiet: bool,
                         jobs: int | None, scheduler: str | None, archival: bool,
                         limits=None, engine: EngineOptions = EngineOptions()) -> int:
    from . import catalog, load

    files: list[Path] = []
    try:
        for path in sources:
            if not path.exists() and path.suffix.lower() not in load.SUFFIXES:
                raise catalog.CatalogError(f"{path}: no such file or directory")
            files.extend(catalog.issue_files(path) if path.is_dir() else [path])
    except catalog.CatalogError as error:
        _err(f"error: {error}")
        return EXIT_BAD_INPUT
    if not files:
        _err(f"error: no issue files (.yaml, .yml, .json) in {', '.join(map(str, sources))}; "
             "nothing built")
        return EXIT_BAD_INPUT
    with _Reporter(quiet) as reporter:
        reporter.expect(len(files))
        try:
            result = catalog.build_catalog(files, names, out, archival=archival, jobs=jobs,
                                           scheduler=scheduler, on_progress=reporter,
                                           limits=limits, engine=engine)
        except catalog.CatalogError as error:
            _err(f"error: {error}")
            return error.exit_code
    if not quiet:
        print(result.summary())
    return result.exit_code


@app.command()
def archive(
    ctx: typer.Context,
    month: Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month, YYYY-MM.", show_default=False)],
    issues: Annotated[Path, typer.Option("--issues", metavar="DIR", help="Where issue files live.")] = Path("issues"),
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output directory.")] = publish.DEFAULT_OUTPUT_DIR,
    format: FormatOption = None,
    archival: Annotated[bool, typer.Option("--archival/--no-archival", help="PDF/A-3b with "
                                           "every edition's data attached.")] = True,
    jobs: JobsOption = None,
    scheduler: SchedulerOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
    max_seconds: MaxSecondsOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """A month's archive: one PDF (cover, contents, every edition) and a zip of the PDFs.

    Builds the month's missing editions first (incrementally), then assembles the archive
    from their PDFs into OUT/archive/the-ai-morning-post-YYYY-MM.pdf and .zip (with a
    manifest.json; days without an edition are listed as gaps). A month with no editions
    is bad input (exit 2) and writes nothing.

    Examples:

      printpost archive 2026-04

      printpost archive 2026-04 --issues bench/month --out dist --format a4 --format letter
    """
    from . import archive as month_archive
    from . import catalog, render

    names = [fmt.name for fmt in _check_formats(format)]
    render.quiet_weasyprint_logs()
    with _Reporter(quiet) as reporter:
        try:
            result = month_archive.make_archive(month, issues, out, names, archival=archival,
                                                engine=_engine(ctx),
                                                jobs=jobs, scheduler=scheduler,
                                                on_progress=reporter,
                                                limits=_limits(max_seconds, max_pages))
        except month_archive.ArchiveError as error:
            _err(f"error: {error}")
            raise typer.Exit(error.exit_code) from None
        except catalog.CatalogError as error:
            _err(f"error: {error}")
            raise typer.Exit(error.exit_code) from None
    if not quiet:
        print(result.build.summary())
        state = "up to date" if result.status == "up to date" else "written"
        print(f"{result.pdf}  {result.pages} pages, {len(result.records)} editions, "
              f"{len(result.gaps)} days without an edition ({state})")
        print(result.bundle)
    raise typer.Exit(EXIT_OK)


@app.command()
def site(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Where the site goes.")] = Path("output/site"),
    issues: Annotated[Path, typer.Option("--issues", metavar="DIR", help="Where issue files live.")] = Path("issues"),
    pdfs: Annotated[Path, typer.Option("--pdfs", metavar="DIR", help="Where built PDFs live (build --out).")] = publish.DEFAULT_OUTPUT_DIR,
    format: Annotated[Optional[list[str]], typer.Option(
        "--format", "-f", metavar="FORMAT", help=f"Formats offered for download ({FORMATS}); repeat for several. Default: "
        "every format for readers (not the press PDF/X ones).",
        show_default=False)] = None,
    base_url: Annotated[Optional[str], typer.Option(
        "--base-url", metavar="URL", help="Where the site will be served, for absolute links in the feed.",
        show_default=False)] = None,
    jobs: JobsOption = None,
    scheduler: SchedulerOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
    max_seconds: MaxSecondsOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """The subscriber site: editions by month, downloads, month archives, an Atom feed.

    Builds what is missing first (editions, month archives). The site has only relative
    links and no scripts: open OUT/index.html from disk or copy OUT to any static host.

    Examples:

      printpost site

      printpost site --out public --base-url https://aimorningpost.example/
    """
    from . import catalog, render, urls
    from . import site as subscriber_site

    if base_url is not None and (problem := urls.problem(base_url)):
        _err(f"error: --base-url {base_url}: {problem}")
        raise typer.Exit(EXIT_BAD_INPUT)

    names = [fmt.name for fmt in _check_formats(format)] if format else None
    render.quiet_weasyprint_logs()
    with _Reporter(quiet) as reporter:
        try:
            result = subscriber_site.make_site(issues, pdfs, out, names, base_url=base_url,
                                               engine=_engine(ctx),
                                               jobs=jobs, scheduler=scheduler,
                                               on_progress=reporter,
                                               limits=_limits(max_seconds, max_pages))
        except subscriber_site.SiteError as error:
            _err(f"error: {error}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except catalog.CatalogError as error:
            _err(f"error: {error}")
            raise typer.Exit(error.exit_code) from None
    for problem in result.problems:
        _err(f"error: {problem}")
    if not quiet:
        print(result.build.summary())
        print(f"{out / 'index.html'}  {result.editions} editions in {len(result.months)} months")
    raise typer.Exit(result.exit_code)


@app.command()
def watch(
    ctx: typer.Context,
    issue: Annotated[Path, typer.Argument(metavar="ISSUE", help="Issue data file.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help=f"Print format ({FORMATS}).")] = DEFAULT_FORMAT,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Output directory.")] = publish.DEFAULT_OUTPUT_DIR,
    max_seconds: MaxSecondsOption = None,
    max_pages: MaxPagesOption = None,
) -> None:
    """Rebuild a draft PDF (and a PNG of the page that changed) on every save. Ctrl-C stops.

    Example:

      printpost watch issues/2026-04-19.yaml
    """
    from . import watch as watcher

    fmt, = _check_formats([format])

    def show(event) -> None:
        (print if event.ok else _err)(event.message)

    try:
        watcher.watch(issue, fmt, out, show, limits=_limits(max_seconds, max_pages),
                      typesetter=_typesetter(ctx))
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_OK) from None


@app.command()
def serve(
    ctx: typer.Context,
    source: Annotated[Optional[Path], typer.Argument(
        metavar="[ISSUE|DIR]",
        help="The issue file to preview, or a folder of them (its newest edition first, then "
        "whichever is saved). Default: issues/.", show_default=False)] = None,
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help=f"Print format ({FORMATS}).")] = DEFAULT_FORMAT,
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="Address to listen on; only this machine "
                                      "by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, metavar="PORT",
                                      help="Port to listen on; 0 picks a free one.")] = 8000,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DIR", help="Where the subscriber site's editions "
                                      "are built (as printpost site does).")] = publish.DEFAULT_OUTPUT_DIR,
) -> None:
    """A live preview in the browser: the edition's pages (the changed page first) and the
    subscriber site, set again on every change to an issue file or a layout, and shown
    without reloading. Errors appear in the page as here. Ctrl-C stops.

    Examples:

      printpost serve

      printpost serve issues/2026-04-19.yaml --format press --port 0
    """
    import signal
    import time

    from . import render
    from . import serve as preview_server

    fmt, = _check_formats([format])
    source = source or Path("issues")
    if not source.exists():
        _err(f"error: {source}: no such file or directory")
        raise typer.Exit(EXIT_BAD_INPUT)
    render.quiet_weasyprint_logs()

    def say(draft) -> None:
        for line in preview_server.describe(draft):
            if line.startswith(("error:", "warning:")):
                _err(line)
            else:
                print(line, flush=True)

    preview = preview_server.Preview(source, fmt, out, typesetter=_typesetter(ctx))
    try:
        server = preview_server.PreviewServer(preview, host, port, on_draft=say)
    except OSError as error:
        preview.close()
        _err(f"error: cannot listen on {host}:{port}: {error.strerror or error}"
             + ("; --port 0 picks a free port" if port else ""))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl-C does
    print(f"printpost serve: {server.url} (Ctrl-C stops); watching "
          f"{', '.join(str(path) for path in preview.watched)}", flush=True)
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    raise typer.Exit(EXIT_OK)


def main(argv: Sequence[str] | None = None, *, engine: EngineOptions | None = None) -> int:
    """Run one printpost command in this process and return its exit status
    (printpost/exitcodes.py), as WeasyPrint's and MkDocs' entry points do: `argv` is the
    command line after the program name (default: this process's); `engine`, the engine's
    options (default: read from the environment, here and nowhere deeper). Nothing here
    ends the process: typer reports usage errors and ends a command with SystemExit,
    caught here."""
    if engine is None:
        engine = EngineOptions.from_environment()
    try:
        app(args=sys.argv[1:] if argv is None else list(argv), prog_name="printpost",
            obj=engine)
    except SystemExit as done:
        status = done.code
    except OSError as error:  # any command, any file: one line, never a traceback
        # (every write is atomic: what failed left the earlier file as it was)
        print(f"error: {publish.describe_os_error(error)}", file=sys.stderr)
        return EXIT_BUILD_FAILED
    else:
        status = EXIT_OK
    if isinstance(status, str):  # SystemExit("message"): printed, as Python prints it
        print(status, file=sys.stderr)
        return EXIT_BUILD_FAILED
    return status or EXIT_OK


def run() -> None:
    """The `printpost` console script (and `python -m printpost`): `main()`, then the
    process ends without tearing the interpreter down: a build leaves a large graph of
    layout boxes and Pango objects that Python would free one by one (0.15 s of an
    editor's two-second build) just before the process ends anyway. Exit handlers run
    (the temporary copies of the fonts are removed: engine/fonts.py) and output is
    flushed first."""
    status = main()
    if threading.active_count() > 1:
        sys.exit(status)  # a thread still running (none should be) ends as Python ends it
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(status)
