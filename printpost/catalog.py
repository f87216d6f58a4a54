"""Incremental, parallel builds of many editions: render only what changed.

Each built PDF has a sidecar beside it (`<pdf>.json`) recording the content hash it was
built from: sha256 over the issue file's bytes, every file in layouts/ and fonts/, the
printpost and WeasyPrint versions, the format and whether it is the archival (PDF/A-3b)
variant. A PDF is up to date when its sidecar's hash is the one the inputs give now and the
file on disk is the one the sidecar describes (same sha256, opens, same page count);
anything else is rebuilt.

Editions that need work are rendered in a process pool over all cores, or on an existing
Dask cluster. The PDF is written atomically first and its sidecar second, so a build killed
in between leaves a PDF that no sidecar vouches for, which the next build redoes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

from . import __version__, load, publish
from .engine.patches import EngineOptions
from .exitcodes import EXIT_BAD_INPUT, EXIT_BUILD_FAILED, EXIT_OK
from .limits import Limits
from .resources import FONTS_DIR, LAYOUTS_DIR

_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(ya?ml|json)$", re.IGNORECASE)


class CatalogError(Exception):
    """The build as a whole cannot run (no such directory, no scheduler)."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.exit_code = exit_code


def issue_files(directory: Path) -> list[Path]:
    """The issue data files directly in `directory`, by name (hidden files left out)."""
    if not directory.is_dir():
        raise CatalogError(f"{directory}: no such directory")
    return sorted(path for path in directory.iterdir()
                  if path.suffix.lower() in load.SUFFIXES and not path.name.startswith(".")
                  and path.is_file())


def date_from_name(path: Path) -> dt.date | None:
    """2026-04-19.yaml → 2026-04-19: where its PDF will be, before the data is read."""
    match = _DATED_NAME.match(path.name)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


# Layouts that no edition is set with (the month archive's and the site's): editing them
# must not re-render every edition. They are part of the archive's own key instead.
NON_EDITION_LAYOUTS = ("archive", "site", "serve")


def toolchain_digest(*, editions: bool = True) -> str:
    """Everything besides the issue data that shapes a PDF: layouts, fonts, versions.

    Computed per build (not cached) so a long-lived process notices a layout edited since.
    Hidden files (editor swap files) are left out: nothing renders them. With `editions`,
    the layouts of the archive and the site are left out too.
    """
    skipped = {f"layouts/{name}" for name in NON_EDITION_LAYOUTS} if editions else set()
    from .paper import CONFIG_NAME, paper_root
    from .resources import layout_dirs

    digest = hashlib.sha256()
    own = [directory for directory in layout_dirs() if directory != LAYOUTS_DIR]
    for root in (LAYOUTS_DIR, FONTS_DIR, *own):  # a paper's own layouts and configuration too
        label = "paper/" if root in own else ""
        for path in sorted(root.rglob("*")):
            relative = Path(label + path.relative_to(root.parent).as_posix())
            if (not path.is_file()
                    or any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
                    or any(relative.as_posix().startswith(f"{prefix}/") for prefix in skipped)):
                continue
            digest.update(f"{relative.as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    if (root := paper_root()) is not None and (root / CONFIG_NAME).is_file():
        digest.update(b"paper/" + CONFIG_NAME.encode() + b"\0")
        digest.update(hashlib.sha256((root / CONFIG_NAME).read_bytes()).digest())
    # WeasyPrint is pinned, but a different version lays out differently: part of the key.
    digest.update(f"printpost {__version__}\0weasyprint {metadata.version('weasyprint')}".encode())
    return digest.hexdigest()


def content_hash(source: bytes, name: str, toolchain: str, format_name: str, archival: bool) -> str:
    """The key of one PDF. The file's name is in it because archival PDFs embed the file."""
    digest = hashlib.sha256()
    variant = "archival" if archival else "print"
    digest.update(f"{toolchain}\0{format_name}\0{variant}\0{name}\0".encode())
    digest.update(source)
    return digest.hexdigest()


@dataclass(frozen=True)
class Record:
    """One built PDF, as its sidecar describes it."""

    path: Path
    hash: str
    pages: int
    bytes: int
    sha256: str
    format: str
    archival: bool
    source: str  # the issue file's name
    date: str
    issue: int
    headline: str  # the lead story's, for tables of contents and the site

    def to_json(self) -> bytes:
        data = asdict(self)
        data.pop("path")  # the sidecar sits beside the PDF; the directory may move
        data["printpost"] = __version__
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_record(pdf: Path) -> Record | None:
    """The sidecar of `pdf`, or None when there is none or it is unreadable."""
    try:
        data = json.loads(publish.sidecar_path(pdf).read_bytes())
        data.pop("printpost", None)
        return Record(path=pdf, **data)
    except (OSError, ValueError, TypeError):
        return None


def pdf_intact(record: Record) -> bool:
    """The PDF on disk is the one the sidecar describes, and it opens."""
    import pypdfium2

    try:
        data = record.path.read_bytes()
    except OSError:
        return False
    if hashlib.sha256(data).hexdigest() != record.sha256:
        return False
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return False
    try:
        return len(document) == record.pages
    finally:
        document.close()


def current_record(pdf: Path, expected_hash: str) -> Record | None:
    """The sidecar of `pdf` if the PDF is up to date for `expected_hash` and intact."""
    record = read_record(pdf)
    if record is None or record.hash != expected_hash or not pdf_intact(record):
        return None
    return record


@dataclass(frozen=True)
class EditionTask:
    """One issue file to bring up to date in some formats (picklable, for workers)."""

    source: Path
    formats: tuple[str, ...]
    archival: bool
    out_dir: Path
    toolchain: str
    limits: Limits = Limits()  # overrides of the formats' layout limits
    engine: EngineOptions = EngineOptions()  # the command's (read at its edge)


@dataclass
class EditionOutcome:
    source: Path
    status: str  # "built", "up to date" or "failed"
    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line each, file and field named
    warnings: list[str] = field(default_factory=list)
    exit_code: int = EXIT_OK
    rendered: int = 0  # PDFs rendered (0 when everything was up to date)
    preflight: dict[str, str] = field(default_factory=dict)  # PDF name → preflight summary


def edition_date(path: Path) -> dt.date | None:
    """The date an issue file's edition carries (None when the file is not a valid edition:
    building it reports why)."""
    try:
        return load.load(path).issue.edition.date
    except load.InvalidIssue:
        return None


def unique_files(paths: Iterable[Path]) -> list[Path]:
    """Each file once, however it was named: relative and absolute, a directory given twice,
    a link or a hard link to a file also named (one file "clashing" with itself would
    stop it building). Files that cannot be looked at are kept by their path, to be
    reported."""
    seen: set = set()
    unique = []
    for path in paths:
        try:
            status = os.stat(path)
            key: object = (status.st_dev, status.st_ino)
        except OSError:
            key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


CLASH_LISTED = 10  # files named in a same-date clash; the rest are counted


def same_date_clashes(dates: dict[Path, dt.date | None]) -> dict[Path, str | None]:
    """Every file whose edition's date another file also has: their PDFs would be the same
    files, and one would overwrite the other (which one, with workers in parallel, is
    chance), so none is built and what is on disk stays. The problem is told once per date,
    on its first file (the others map to None), naming at most CLASH_LISTED files."""
    from .messages import listed

    by_date: dict[dt.date, list[Path]] = {}
    for path, day in dates.items():
        if day is not None:
            by_date.setdefault(day, []).append(path)
    clashes: dict[Path, str | None] = {}
    for day, paths in sorted(by_date.items()):
        if len(paths) < 2:
            continue
        paths = sorted(paths, key=str)
        names = [str(path) for path in paths]
        clashes[paths[0]] = (
            f"{paths[0]}: edition.date: {day.isoformat()} is the date of {len(paths):,} issue "
            f"files ({listed(names, CLASH_LISTED).replace('`', '')}); keep one issue file per "
            "date (their PDFs would be the same files), so none of them is built")
        clashes.update((path, None) for path in paths[1:])
    return clashes


def _up_to_date_without_loading(task: EditionTask, source: bytes) -> EditionOutcome | None:
    """The quick check: a dated file name says where its PDFs are; no parsing, no rendering."""
    day = date_from_name(task.source)
    if day is None:
        return None
    records = []
    for name in task.formats:
        pdf = publish.dated_edition_path(day, name, task.out_dir, archival=task.archival)
        expected = content_hash(source, task.source.name, task.toolchain, name, task.archival)
        record = current_record(pdf, expected)
        if record is None:
            return None
        records.append(record)
    return EditionOutcome(task.source, "up to date", records)


def build_edition(task: EditionTask, typesetter=None) -> EditionOutcome:
    """Bring one edition's PDFs up to date. Runs in a worker process (pool or Dask), or
    here with the `typesetter` (pipeline.Typesetter) that set the editions before it."""
    from . import pipeline, render
    from .formats import get_format

    typesetter = typesetter or pipeline.Typesetter(task.engine)
    try:
        loaded, warnings = pipeline.check(task.source)
    except load.InvalidIssue as error:
        return EditionOutcome(task.source, "failed", problems=[p.report() for p in error.problems],
                              exit_code=EXIT_BAD_INPUT)
    edition = loaded.issue.edition
    outcome = EditionOutcome(task.source, "up to date", warnings=warnings)
    for name in task.formats:
        expected = content_hash(loaded.source, task.source.name, task.toolchain, name,
                                task.archival)
        pdf = publish.dated_edition_path(edition.date, name, task.out_dir, archival=task.archival)
        record = current_record(pdf, expected)
        if record is None:
            try:
                if task.archival:
                    rendered = typesetter.render_archival(loaded, get_format(name),
                                                          limits=task.limits)
                else:  # the very PDF a one-file `printpost build` writes (preflight, copyfit)
                    rendered, report = typesetter.typeset(loaded, get_format(name),
                                                          limits=task.limits)
                    outcome.preflight[pdf.name] = report.summary()
                record = Record(
                    path=pdf, hash=expected, pages=rendered.pages, bytes=len(rendered.pdf),
                    sha256=hashlib.sha256(rendered.pdf).hexdigest(), format=name,
                    archival=task.archival, source=task.source.name,
                    date=edition.date.isoformat(), issue=edition.number,
                    headline=loaded.issue.lead.headline,
                )
                publish.write_atomic(pdf, rendered.pdf)
                publish.write_atomic(publish.sidecar_path(pdf), record.to_json())
            except render.RenderError as error:
                said = str(error)  # a layout past its limits names its format already
                outcome.problems.append(f"{task.source}: {said}" if said.startswith(f"{name}: ")
                                        else f"{task.source}: {name}: {said}")
                outcome.exit_code = EXIT_BUILD_FAILED
                continue
            except OSError as error:
                outcome.problems.append(f"{task.source}: {publish.describe_os_error(error)}")
                outcome.exit_code = EXIT_BUILD_FAILED
                continue
            outcome.rendered += 1
        outcome.records.append(record)
    if outcome.problems:
        outcome.status = "failed"
    elif outcome.rendered:
        outcome.status = "built"
    return outcome


@dataclass
class CatalogResult:
    outcomes: list[EditionOutcome]
    seconds: float

    def _with(self, status: str) -> list[EditionOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def built(self) -> list[EditionOutcome]:
        return self._with("built")

    @property
    def up_to_date(self) -> list[EditionOutcome]:
        return self._with("up to date")

    @property
    def failed(self) -> list[EditionOutcome]:
        return self._with("failed")

    @property
    def rendered(self) -> int:
        return sum(outcome.rendered for outcome in self.outcomes)

    @property
    def exit_code(self) -> int:
        return max((outcome.exit_code for outcome in self.outcomes), default=EXIT_OK)

    @property
    def records(self) -> list[Record]:
        return [record for outcome in self.outcomes for record in outcome.records]

    def summary(self) -> str:
        count = len(self.outcomes)
        return (f"{count} edition{'s' if count != 1 else ''}: {len(self.built)} built, "
                f"{len(self.up_to_date)} up to date (no rendering), {len(self.failed)} failed "
                f"in {self.seconds:.1f} s")


def _quiet_worker() -> None:
    from . import render

    render.quiet_weasyprint_logs()


def _start_worker(parent: int) -> None:
    """First thing in each pool worker: end it as soon as its parent process is gone.

    A worker whose parent is killed (kill -9 included) would otherwise wait for work
    forever, re-parented to init, and keep the resource tracker alive with it. Linux's
    PR_SET_PDEATHSIG is no help here: it fires when the *thread* that started the worker
    ends, and the pool starts workers from a thread of its own; so a daemon thread watches
    the parent's pid instead (once a second, which costs nothing)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)  # no clean-up to wait for: the parent that wanted the result is gone

    threading.Thread(target=watch, name="printpost-parent-watch", daemon=True).start()
    _quiet_worker()


def _failed(task: EditionTask, error: BaseException) -> EditionOutcome:
    return EditionOutcome(task.source, "failed", exit_code=EXIT_BUILD_FAILED,
                          problems=[f"{task.source}: build crashed: {type(error).__name__}: {error}"])


# A worker past its task's time is stopped: its layout limits (limits.py) end any layout
# that runs away, so only a worker stuck outside layout (a hung library call) gets here.
HARD_LIMIT_FACTOR, HARD_LIMIT_GRACE = 3.0, 60.0


def task_seconds(task: EditionTask) -> float:
    """The wall time after which a worker building `task` is stopped."""
    from .formats import get_format

    total = 0.0
    for name in task.formats:
        seconds = task.limits.seconds if task.limits.seconds is not None else (
            get_format(name).layout_seconds)
        total += seconds or 600.0
    return HARD_LIMIT_FACTOR * total + HARD_LIMIT_GRACE


def _run_in_pool(tasks: list[EditionTask], jobs: int) -> Iterable[EditionOutcome]:
    if jobs <= 1 or len(tasks) <= 1:
        from .pipeline import Typesetter

        _quiet_worker()
        typesetter = Typesetter(tasks[0].engine)
        for task in tasks:
            try:
                yield build_edition(task, typesetter)
            except Exception as error:  # as a worker's crash is, in the pool below
                yield _failed(task, error)
        return
    # pebble's pool, not concurrent.futures': it stops one task that overruns (and starts a
    # new worker) where ProcessPoolExecutor can only be broken whole, failing every edition
    # still queued. spawn, not fork: the parent may be running a progress-bar thread, and
    # WeasyPrint's font state must not be shared; each worker imports what it needs once.
    from pebble import ProcessExpired, ProcessPool

    with ProcessPool(max_workers=min(jobs, len(tasks)), context=get_context("spawn"),
                     initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        futures = {pool.schedule(build_edition, (task,), timeout=task_seconds(task)): task
                   for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield future.result()
            except TimeoutError:
                yield EditionOutcome(task.source, "failed", exit_code=EXIT_BUILD_FAILED,
                                     problems=[f"{task.source}: stopped after "
                                               f"{task_seconds(task):.0f} s without finishing"])
            except ProcessExpired as error:  # the worker died (a crash, the OOM killer)
                yield _failed(task, error)
            except Exception as error:  # the worker raised
                yield _failed(task, error)


def _run_on_dask(tasks: list[EditionTask], address: str) -> Iterable[EditionOutcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise CatalogError("--scheduler needs Dask: pip install 'printpost[dask]'",
                           EXIT_BUILD_FAILED) from None
    try:
        client = Client(address)  # waits as long as Dask's distributed.comm.timeouts.connect
    except (OSError, TimeoutError) as error:
        raise CatalogError(f"cannot reach the Dask scheduler at {address}: {error}",
                           EXIT_BUILD_FAILED) from None
    with client:
        client.run(_quiet_worker)
        # pure=False: a task's result depends on files, not only its arguments.
        futures = {client.submit(build_edition, task, pure=False): task for task in tasks}
        for future in dask_completed(list(futures)):
            try:
                yield future.result()
            except Exception as error:  # the worker raised, or was lost
                yield _failed(futures[future], error)


def build_catalog(
    sources: Iterable[Path],
    formats: list[str],
    out_dir: Path = publish.DEFAULT_OUTPUT_DIR,
    *,
    archival: bool = False,
    jobs: int | None = None,
    scheduler: str | None = None,
    on_progress: Callable[[EditionOutcome], None] | None = None,
    limits: Limits = Limits(),
    engine: EngineOptions = EngineOptions(),
) -> CatalogResult:
    """Bring every edition in `sources` up to date in each format; render only what changed.

    Editions run in a process pool of `jobs` workers (default: every core), or on the Dask
    scheduler at `scheduler`, whose workers must see the same files at the same paths.
    """
    from .formats import get_format

    started = time.perf_counter()
    for name in formats:
        if archival and get_format(name).pdf_variant:  # unknown formats fail here too
            # PDF/A wants the sRGB of the print formats; press formats are CMYK PDF/X.
            raise CatalogError(f"format {name} is {get_format(name).pdf_variant}; archival "
                               "PDF/A needs an RGB format (a4, letter, ...)")
        get_format(name)
    toolchain = toolchain_digest()
    # Dask workers may run in another directory: give them absolute paths.
    place = (lambda path: Path(path).absolute()) if scheduler else Path
    out_dir = place(out_dir)
    outcomes: list[EditionOutcome] = []
    pending: list[EditionTask] = []

    def done(outcome: EditionOutcome) -> None:
        outcomes.append(outcome)
        if on_progress is not None:
            on_progress(outcome)

    quick_outcomes: list[EditionOutcome] = []
    dates: dict[Path, dt.date | None] = {}
    for source in unique_files(sources):
        task = EditionTask(place(source), tuple(formats), archival, out_dir, toolchain, limits,
                           engine)
        try:
            data = load.read_source(task.source)
        except load.InvalidIssue:
            data = None  # the worker reports it, as the one-file build does
        quick = _up_to_date_without_loading(task, data) if data is not None else None
        if quick is not None:
            quick_outcomes.append(quick)
            dates[task.source] = dt.date.fromisoformat(quick.records[0].date)
        else:
            pending.append(task)
            # Read here as well as in the worker: it is about to be rendered anyway.
            dates[task.source] = edition_date(task.source) if data is not None else None
    clashes = same_date_clashes(dates)
    for outcome in quick_outcomes:
        if outcome.source not in clashes:
            done(outcome)
    pending = [task for task in pending if task.source not in clashes]
    for source, problem in clashes.items():
        done(EditionOutcome(source, "failed", problems=[problem] if problem else [],
                            exit_code=EXIT_BAD_INPUT))

    if pending:
        runner = (_run_on_dask(pending, scheduler) if scheduler
                  else _run_in_pool(pending, jobs or os.cpu_count() or 1))
        for outcome in runner:
            done(outcome)
    outcomes.sort(key=lambda outcome: outcome.source.name)
    return CatalogResult(outcomes, time.perf_counter() - started)
