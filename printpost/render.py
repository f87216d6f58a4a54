"""Render step: the edition's HTML → PDF bytes through WeasyPrint.

Rendering is sandboxed: the URL fetcher serves only files from `layouts/` and `fonts/`
(plus data: URLs such as the QR code), so nothing in issue data can make WeasyPrint read
another local file or the network. Fonts come only from `fonts/`: a private fontconfig
file that lists no font directories hides every system font, so a PDF looks the same on
every machine. The same HTML gives the same bytes (dates come from the edition).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import limits
from .engine import startup
from .engine.fonts import font_config
from .engine.patches import EngineOptions, patched
from .engine.pdf import associate_once
from .resources import FONTS_DIR, LAYOUTS_DIR, layout_dirs

# Must be set before WeasyPrint (and so fontconfig) is first loaded in this process.
os.environ["FONTCONFIG_FILE"] = str(FONTS_DIR / "fonts.conf")

ALLOWED_DIRS = (LAYOUTS_DIR, FONTS_DIR)
_lock = threading.Lock()  # WeasyPrint's font handling is not thread-safe


class RenderError(Exception):
    """WeasyPrint could not lay out or write the edition."""


@dataclass
class FetchLog:
    """Every URL the renderer asked for, and which of them were refused."""

    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _allowed_file(url: str, layouts: Sequence[Path] | None = None) -> Path | None:
    """The file a URL may be served from: a layout (the first of `layouts`, by default
    resources.layout_dirs(), that has it) or a bundled font; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    layouts = layouts or layout_dirs()
    for root in layouts:
        if path.is_relative_to(root):
            # A layout file is the paper's own of that name when it has one (layouts are
            # named relative to the package's), else the package's.
            relative = path.relative_to(root)
            for directory in layouts:
                candidate = (directory / relative).resolve()
                if candidate.is_relative_to(directory) and candidate.is_file():
                    return candidate
            return None
    if path.is_relative_to(FONTS_DIR) and path.is_file():
        return path
    return None


def _make_fetcher(log: FetchLog, allowed_file: Callable[[str], Path | None] = _allowed_file):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                log.served.append(url[:40])
                return super().fetch(url, headers)
            path = allowed_file(url)
            if path is None:
                log.refused.append(url)
                raise ValueError(f"printpost refuses to fetch {url!r}")
            log.served.append(url)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": media_type})

    return SandboxedFetcher()


@dataclass
class Rendered:
    """A laid-out edition. Its PDF is written when first asked for (`pdf`): a copyfit pass
    that loses to a better one is measured but never drawn."""

    pages: int
    fetches: FetchLog
    document: object = None  # weasyprint.Document, kept for preflight measurements
    # Text drawn with no glyph; None until the PDF is drawn (WeasyPrint finds it while drawing).
    notdef: list[str] | None = field(default_factory=list)
    anchor_pages: dict[str, int] = field(default_factory=dict)  # element id → first page
    pdf_bytes: bytes | None = None
    writer: Callable[[], tuple[bytes, list[str]]] | None = field(default=None, repr=False)

    @property
    def pdf(self) -> bytes:
        if self.pdf_bytes is None:
            self.pdf_bytes, self.notdef = self.writer()
            self.writer = None  # lets the layout tree go
        return self.pdf_bytes


class _NotdefCollector(logging.Handler):
    """WeasyPrint logs each string it had to draw with .notdef; keep them for preflight."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if ".notdef" in message:
            self.messages.append(message)


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF: archival editions carry the data they were set from."""

    name: str
    data: bytes
    media_type: str = "application/octet-stream"
    description: str = ""


def _embedded(weasyprint, attachment: Attachment, created: str):
    import datetime as dt

    # A data: URL carries the media type into the PDF (PDF/A-3 wants it), and fixed dates
    # keep the bytes reproducible (WeasyPrint would stamp the current time).
    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    data_url = (f"data:{attachment.media_type};base64,"
                + base64.b64encode(attachment.data).decode("ascii"))
    return weasyprint.Attachment(url=data_url, name=attachment.name,
                                 description=attachment.description or None,
                                 created=moment, modified=moment, relationship="Source")


def _identifier(html: str, attachments: Sequence[Attachment]) -> bytes:
    """The PDF's identifier, from what it prints: the document's body (its head names the
    stylesheets, whose rules it never covered; the format is the body's class) and the data
    attached. The same edition gets the same identifier however its layouts are split into
    files."""
    body = html.find("<body")
    digest = hashlib.md5(html[body if body >= 0 else 0:].encode("utf-8"))
    for attachment in attachments:  # the same page with other data attached is another file
        digest.update(attachment.name.encode("utf-8") + b"\0" + attachment.data)
    return digest.hexdigest().encode("ascii")


def _epoch(created: str) -> str:
    import datetime as dt

    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    return str(int(moment.timestamp()))


@contextmanager
def _weasyprint_session(created: str, options: EngineOptions):
    """WeasyPrint, one caller at a time, with fixed dates and its missing-glyph warnings
    collected; any failure inside becomes a RenderError."""
    with _lock:
        weasyprint = startup.import_weasyprint(cache=options.startup_cache)

        # fontTools (used when libharfbuzz-subset is missing) stamps subset fonts with
        # the current time unless SOURCE_DATE_EPOCH is set.
        previous_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = _epoch(created)
        collector = _NotdefCollector()
        weasy_logger = logging.getLogger("weasyprint")
        weasy_logger.addHandler(collector)
        previous_level = weasy_logger.level
        weasy_logger.setLevel(logging.WARNING)
        try:
            yield weasyprint, collector.messages
        except limits.LayoutLimit:
            raise  # the caller names the field it stopped in
        except Exception as error:  # WeasyPrint raises many kinds; report one
            raise RenderError(f"rendering failed: {type(error).__name__}: {error}") from error
        finally:
            weasy_logger.removeHandler(collector)
            weasy_logger.setLevel(previous_level)
            if previous_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = previous_epoch


def render(html: str, *, created: str, pdf_variant: str | None = None,
           keep_document: bool = False, attachments: Sequence[Attachment] = (),
           stylesheets: Sequence[str] = (), write: bool = True,
           grid: float | None = None, budget: limits.Budget | None = None,
           options: EngineOptions = EngineOptions(),
           layout_dirs: Sequence[Path] | None = None) -> Rendered:
    """Lay out, and write the PDF now or (`write=False`) when `Rendered.pdf` is first read.
    `created` (ISO 8601) fixes the embedded dates; `grid` (px) is the baseline grid's line,
    which whole sets of columns are made a whole number of; `budget` stops a layout past its
    deadline or page cap (limits.LayoutLimit); `options`, the engine's (engine/patches.py);
    `layout_dirs`, the layouts directories its files come from (by default the paper's own,
    then printpost's: resources.layout_dirs)."""
    log = FetchLog()
    allowed = functools.partial(_allowed_file, layouts=tuple(layout_dirs or ()) or None)
    with (_weasyprint_session(created, options) as (weasyprint, _),
          patched("layout", options, grid=grid, log=log, allowed_file=allowed,
                  budget=budget)):
        document = weasyprint.HTML(
            string=html,
            base_url=LAYOUTS_DIR.as_uri() + "/",
            url_fetcher=_make_fetcher(log, allowed),
        ).render(font_config=(fonts := font_config()), stylesheets=[
            # Extra rules from printpost itself (copyfit, tests), never from issue data.
            weasyprint.CSS(string=css, base_url=LAYOUTS_DIR.as_uri() + "/",
                           url_fetcher=_make_fetcher(log, allowed), font_config=fonts)
            for css in stylesheets])

    def write_pdf() -> tuple[bytes, list[str]]:
        identifier = _identifier(html, attachments)
        with (_weasyprint_session(created, options) as (weasyprint, notdef),
              patched("write", options, identifier=identifier)):
            pdf = document.write_pdf(
                pdf_identifier=identifier,
                pdf_variant=pdf_variant,
                attachments=[_embedded(weasyprint, item, created) for item in attachments],
                finisher=associate_once if attachments else None,
            )
        return pdf, notdef

    anchor_pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            anchor_pages.setdefault(name, number)
    rendered = Rendered(pages=len(document.pages), fetches=log,
                        document=document if keep_document else None, notdef=None,
                        anchor_pages=anchor_pages, writer=write_pdf)
    if write:
        rendered.pdf  # noqa: B018 (written now: the caller wants the bytes)
    return rendered


def quiet_weasyprint_logs() -> None:
    """WeasyPrint logs refused fetches and unsupported CSS as warnings; we report our own."""
    # Not a higher level: preflight collects WeasyPrint's missing-glyph warnings.
    logging.getLogger("weasyprint").propagate = False
    logging.getLogger("fontTools").setLevel(logging.ERROR)
