"""Month archive: one PDF of a month's editions, assembled from the PDFs already built.

The archive is a cover (every front page as a thumbnail), a table of contents, then every
edition's pages copied as they are: only the cover and contents are rendered (WeasyPrint,
from layouts/archive/); the editions are never typeset again. The outline runs month →
edition → section, the sections taken from each edition's own outline.

Archival (the default) makes it PDF/A-3b: the front matter is rendered as PDF/A-3b, which
gives the document its XMP metadata, sRGB output intent and the month's issue data files
as associated embedded files. The edition pages come from print PDFs: WeasyPrint's PDF/A
writer draws the same page content (it only adds document-level structures and an unused
ICC colour space), except that it flags link annotations as printable, which is done here.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import hashlib
import io
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import catalog, compose, publish, raster
from .engine.patches import EngineOptions
from .exitcodes import EXIT_BAD_INPUT, EXIT_BUILD_FAILED
from .formats import get_format
from .pipeline import ARCHIVAL_VARIANT, SOURCE_MEDIA_TYPES

PAPER = "The AI Morning Post"
PAGE_LINK = "urn:printpost:page:"  # the contents template's links; see month.html.j2
THUMBNAIL_DPI = 36  # a 210 mm page → 298 px: sharp at the cover's 30 mm
PRINT_FLAG = 4  # annotation flag bit 3: PDF/A wants every annotation printable


class ArchiveError(Exception):
    """The month cannot be archived; `exit_code` says whether the input or the build is at fault."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.exit_code = exit_code


def parse_month(month: str) -> tuple[int, int]:
    try:
        day = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ArchiveError(f"{month!r} is not a month; expected YYYY-MM, e.g. 2026-04") from None
    if len(month) != 7:
        raise ArchiveError(f"{month!r} is not a month; expected YYYY-MM, e.g. 2026-04")
    return day.year, day.month


def month_gaps(month: str, dates: set[str]) -> list[str]:
    """Days of the month (since issue #1) without an edition, as YYYY-MM-DD."""
    from .models import first_issue_date

    year, number = parse_month(month)
    days = (dt.date(year, number, d) for d in range(1, calendar.monthrange(year, number)[1] + 1))
    return [day.isoformat() for day in days
            if day >= first_issue_date() and day.isoformat() not in dates]


def month_name(month: str) -> str:
    year, number = parse_month(month)
    return f"{calendar.month_name[number]} {year}"


@dataclass
class Front:
    """The rendered cover and contents, and where each edition starts in the archive."""

    pdf: bytes
    pages: int
    starts: list[int]  # 0-based page index of each edition's first page


def _thumbnail(pdf: bytes) -> str:
    jpeg = raster.page_jpeg(pdf, 0, THUMBNAIL_DPI)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _contents_rows(month: str, records: list[catalog.Record], starts: list[int]) -> list[dict]:
    """One row per day of the month: the edition and its first page, or a gap."""
    dated = {record.date: (record, start) for record, start in zip(records, starts)}
    rows = []
    for day in sorted({*dated, *month_gaps(month, set(dated))}):
        long_date = f"{dt.date.fromisoformat(day):%A %-d %B}"
        if day in dated:
            record, start = dated[day]
            rows.append({"gap": False, "issue": record.issue, "long_date": long_date,
                         "headline": record.headline, "page": start + 1})
        else:
            rows.append({"gap": True, "long_date": long_date})
    return rows


def render_front(month: str, records: list[catalog.Record], pdfs: list[bytes],
                 sources: list[tuple[str, bytes]], *, archival: bool) -> Front:
    """Cover and contents, with page numbers that hold once the editions follow them."""
    from . import render

    fmt = get_format(records[0].format)
    created = f"{records[-1].date}T06:00:00Z"  # the newest edition's: same input, same bytes
    thumbnails = [_thumbnail(pdf) for pdf in pdfs]
    attachments = [
        render.Attachment(name=name, data=data, media_type=_media_type(name),
                          description=f"Issue data of {PAPER}, {name.rsplit('.', 1)[0]}")
        for name, data in sources
    ] if archival else []
    front_pages = 2  # cover and contents; corrected below if the contents run longer
    for _ in range(3):
        starts = [front_pages + sum(r.pages for r in records[:i]) for i in range(len(records))]
        entries = [
            {"issue": record.issue, "page": start + 1, "thumbnail": thumbnail,
             "short_date": f"{dt.date.fromisoformat(record.date):%a %-d}"}
            for record, start, thumbnail in zip(records, starts, thumbnails)
        ]
        html = compose.environment().get_template("archive/month.html.j2").render(
            title=f"{PAPER} — {month_name(month)}", paper=PAPER, month=month,
            month_name=month_name(month), created=created, fmt=fmt, entries=entries,
            rows=_contents_rows(month, records, starts),
            total_pages=front_pages + sum(r.pages for r in records),
        )
        rendered = render.render(html, created=created, attachments=attachments,
                                 pdf_variant=ARCHIVAL_VARIANT if archival else None)
        if rendered.pages == front_pages:
            return Front(rendered.pdf, rendered.pages, starts)
        front_pages = rendered.pages
    raise ArchiveError(f"{month}: the contents' page count does not settle",
                       EXIT_BUILD_FAILED)


def _media_type(name: str) -> str:
    return SOURCE_MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def _page_indices(pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def _named_destinations(pdf) -> dict[str, object]:
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {str(key): value for key, value in pikepdf.NameTree(names.Dests).items()}


def _explicit(destination, pages_of_source, archive, offset):
    """A destination of the edition → the same spot on its page inside the archive."""
    import pikepdf

    if isinstance(destination, pikepdf.Dictionary) and "/D" in destination:
        destination = destination.D
    if not isinstance(destination, pikepdf.Array) or len(destination) < 2:
        return None
    index = pages_of_source.get(destination[0].objgen)
    if index is None:
        return None
    return pikepdf.Array([archive.pages[offset + index].obj, *list(destination)[1:]])


def _resolve(destination, names):
    """A named destination → its explicit form (a page and a position)."""
    import pikepdf

    if isinstance(destination, (pikepdf.String, pikepdf.Name, str)):
        return names.get(str(destination))
    return destination


def _sections(items, names, pages_of_source, archive, offset):
    """The edition's outline items, pointing into the archive."""
    from pikepdf import OutlineItem

    copied = []
    for item in items:
        destination = item.destination
        if destination is None and item.action is not None:
            destination = item.action.get("/D")
        target = _explicit(_resolve(destination, names), pages_of_source, archive, offset)
        copy = OutlineItem(item.title, target if target is not None else offset)
        copy.children.extend(_sections(item.children, names, pages_of_source, archive, offset))
        copied.append(copy)
    return copied


def _edition_title(record: catalog.Record) -> str:
    return f"No. {record.issue} — {dt.date.fromisoformat(record.date):%A %-d %B %Y}"


def assemble(month: str, records: list[catalog.Record], sources: list[tuple[str, bytes]], *,
             archival: bool = True) -> tuple[bytes, int]:
    """The archive PDF's bytes and page count; `records` are the month's editions by date."""
    import pikepdf

    pdfs = [record.path.read_bytes() for record in records]
    front = render_front(month, records, pdfs, sources, archival=archival)
    archive = pikepdf.open(io.BytesIO(front.pdf))
    month_item = pikepdf.OutlineItem(f"{PAPER} — {month_name(month)}", 0)
    for record, data, start in zip(records, pdfs, front.starts):
        edition = pikepdf.open(io.BytesIO(data))
        names = _named_destinations(edition)
        pages_of_source = _page_indices(edition)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations do not come along; they are made
            # explicit just below.
            if hasattr(pikepdf, "PageCopyWarning"):
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            archive.pages.extend(edition.pages)
        # Internal links of the edition name destinations in its own catalog, which does not
        # come along: point them at the copied pages instead.
        for index in range(len(edition.pages)):
            for annotation in archive.pages[start + index].get("/Annots", []):
                named = annotation.get("/Dest")
                if named is not None and not isinstance(named, pikepdf.Array):
                    target = _explicit(_resolve(named, names), pages_of_source, archive, start)
                    if target is not None:
                        annotation.Dest = target
                    else:
                        del annotation["/Dest"]
        edition_item = pikepdf.OutlineItem(_edition_title(record), start)
        with edition.open_outline() as outline:
            top = list(outline.root)
            items = top[0].children if len(top) == 1 else top  # skip the masthead level
            edition_item.children.extend(_sections(items, names, pages_of_source, archive, start))
        month_item.children.append(edition_item)
    _link_contents(archive, front.pages)
    if archival:
        for page in archive.pages:
            for annotation in page.get("/Annots", []):
                annotation.F = PRINT_FLAG
    with archive.open_outline() as outline:
        outline.root.clear()
        outline.root.append(month_item)
    buffer = io.BytesIO()
    archive.save(buffer, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue(), len(archive.pages)


def _link_contents(archive, front_pages: int) -> None:
    """The front matter's urn:printpost:page:N links → links to page N of the archive."""
    import pikepdf

    for page in list(archive.pages)[:front_pages]:
        for annotation in page.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(PAGE_LINK):
                number = int(uri.removeprefix(PAGE_LINK))
                del annotation["/A"]
                annotation.Dest = pikepdf.Array([archive.pages[number - 1].obj, pikepdf.Name.Fit])


@dataclass
class MonthArchive:
    month: str
    pdf: Path
    bundle: Path
    pages: int
    records: list[catalog.Record]
    gaps: list[str]
    status: str  # "built" or "up to date"
    build: catalog.CatalogResult | None = None
    warnings: list[str] = field(default_factory=list)


def month_sources(month: str, issues_dir: Path) -> list[Path]:
    """Issue files of `month` in `issues_dir`: dated names first; others are read to know."""
    from . import load

    chosen = []
    for path in catalog.issue_files(issues_dir):
        day = catalog.date_from_name(path)
        if day is None:
            try:
                day = load.load(path).issue.edition.date
            except load.InvalidIssue:
                continue  # an undated file whose data is bad belongs to no month
        if f"{day:%Y-%m}" == month:
            chosen.append(path)
    return chosen


def archive_hash(month: str, records: list[catalog.Record], sources: list[tuple[str, bytes]],
                 archival: bool, toolchain: str) -> str:
    digest = hashlib.sha256(f"{toolchain}\0{month}\0{archival}\0".encode())
    for record in records:
        digest.update(f"{record.format}\0{record.sha256}\0".encode())
    for name, data in sources:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def make_archive(month: str, issues_dir: Path = Path("issues"),
                 out_dir: Path = publish.DEFAULT_OUTPUT_DIR, formats: list[str] | None = None, *,
                 archival: bool = True, jobs: int | None = None, scheduler: str | None = None,
                 on_progress=None, limits=None,
                 engine: EngineOptions = EngineOptions()) -> MonthArchive:
    """Build the month's missing editions, then its archive PDF and zip bundle (if stale).

    The archive is set in the first format; the bundle carries every format. Nothing is
    written when the month has no editions or one of them fails to build.
    """
    from . import bundle

    parse_month(month)
    formats = formats or ["a4"]
    if archival and get_format(formats[0]).pdf_variant:
        # The editions' pages go into the archive as they are: CMYK PDF/X pages cannot
        # sit under PDF/A's sRGB output intent.
        raise ArchiveError(f"format {formats[0]} is {get_format(formats[0]).pdf_variant}; an "
                           "archival archive needs an RGB format first (a4, letter, ...)")
    paths = month_sources(month, issues_dir)
    if not paths:
        raise ArchiveError(f"no editions dated {month} in {issues_dir}; nothing written")
    build = catalog.build_catalog(paths, formats, out_dir, jobs=jobs, scheduler=scheduler,
                                  on_progress=on_progress, limits=limits or catalog.Limits(),
                                  engine=engine)
    if build.failed:
        raise ArchiveError(f"{len(build.failed)} of the month's editions failed to build; "
                           "archive not written", build.exit_code)
    outcomes = [o for o in build.outcomes if o.records and o.records[0].date.startswith(month)]
    outcomes.sort(key=lambda outcome: outcome.records[0].date)
    if not outcomes:
        raise ArchiveError(f"no editions dated {month} in {issues_dir}; nothing written")
    records = [outcome.records[0] for outcome in outcomes]  # the archive's format
    sources = [(outcome.source.name, outcome.source.read_bytes()) for outcome in outcomes]
    gaps = month_gaps(month, {record.date for record in records})
    pdf_path = publish.month_archive_path(month, out_dir)
    zip_path = publish.month_archive_path(month, out_dir, ".zip")
    expected = archive_hash(month, [r for o in outcomes for r in o.records], sources, archival,
                            catalog.toolchain_digest(editions=False))
    result = MonthArchive(month, pdf_path, zip_path, 0, records, gaps, "up to date", build,
                          [w for outcome in outcomes for w in outcome.warnings])
    current = _current(pdf_path, zip_path, expected)
    if current is not None:
        result.pages = current["pages"]
        return result
    pdf, pages = assemble(month, records, sources, archival=archival)
    archive_zip = bundle.bundle(month, outcomes, gaps)
    publish.write_atomic(pdf_path, pdf)
    publish.write_atomic(zip_path, archive_zip)
    sidecar = {"hash": expected, "pages": pages, "bytes": len(pdf),
               "sha256": hashlib.sha256(pdf).hexdigest(),
               "zip_sha256": hashlib.sha256(archive_zip).hexdigest(),
               "editions": len(records), "gaps": gaps, "archival": archival}
    publish.write_atomic(publish.sidecar_path(pdf_path),
                         (json.dumps(sidecar, indent=2) + "\n").encode())
    result.pages, result.status = pages, "built"
    return result


def _current(pdf_path: Path, zip_path: Path, expected: str) -> dict | None:
    try:
        sidecar = json.loads(publish.sidecar_path(pdf_path).read_bytes())
        if sidecar.get("hash") != expected:
            return None
        if hashlib.sha256(pdf_path.read_bytes()).hexdigest() != sidecar["sha256"]:
            return None
        if hashlib.sha256(zip_path.read_bytes()).hexdigest() != sidecar["zip_sha256"]:
            return None
    except (OSError, ValueError, KeyError):
        return None
    return sidecar
