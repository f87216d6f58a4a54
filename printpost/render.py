"""Render step: the edition's HTML → PDF bytes through WeasyPrint.

Rendering is sandboxed: the URL fetcher serves only files from `layouts/` and `fonts/`
(plus data: URLs such as the QR code), so nothing in issue data can make WeasyPrint read
another local file or the network. Fonts come only from `fonts/`: a private fontconfig
file that lists no font directories hides every system font, so a PDF looks the same on
every machine. The same HTML gives the same bytes (dates come from the edition).
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import logging
import mimetypes
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from . import balance, linebreaks, startup
from .resources import FONTS_DIR, LAYOUTS_DIR

# Must be set before WeasyPrint (and so fontconfig) is first loaded in this process.
os.environ["FONTCONFIG_FILE"] = str(FONTS_DIR / "fonts.conf")

ALLOWED_DIRS = (LAYOUTS_DIR, FONTS_DIR)
_lock = threading.Lock()  # WeasyPrint's font handling is not thread-safe
_font_config = None  # one per process: the bundled fonts are loaded into fontconfig once
_MOST_STYLESHEETS = 64


class _Parsed(NamedTuple):
    """A stylesheet parsed once (see _reused_stylesheets), with what it registered."""

    sheet: object  # weasyprint.CSS
    font_config: object  # its @font-face rules were loaded into this one (held: see key)
    counter_styles: dict
    color_profiles: dict
    served: list[str]  # the fetches its parse made
    refused: list[str]


# Stylesheets parsed in this process, by their source.
_stylesheets: dict[tuple, _Parsed] = {}


def _fonts():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(release_fonts)
    return _font_config


def release_fonts() -> None:
    """Remove the copies of the bundled fonts WeasyPrint keeps in a temporary folder for
    fontconfig: its FontConfiguration removes them only when it is collected, which a
    process ending need not do (and `printpost` ends without collecting)."""
    global _font_config
    if _font_config is not None and _font_config._folder:
        shutil.rmtree(_font_config._folder, ignore_errors=True)
        _font_config._folder = None
    _font_config = None
    _stylesheets.clear()  # their @font-face rules were loaded into that configuration


class RenderError(Exception):
    """WeasyPrint could not lay out or write the edition."""


@dataclass
class FetchLog:
    """Every URL the renderer asked for, and which of them were refused."""

    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _allowed_file(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if any(path.is_relative_to(root) for root in ALLOWED_DIRS) and path.is_file():
        return path
    return None


def _make_fetcher(log: FetchLog):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                log.served.append(url[:40])
                return super().fetch(url, headers)
            path = _allowed_file(url)
            if path is None:
                log.refused.append(url)
                raise ValueError(f"printpost refuses to fetch {url!r}")
            log.served.append(url)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": media_type})

    return SandboxedFetcher()


@contextmanager
def _reused_stylesheets(log: FetchLog):
    """While inside, a stylesheet WeasyPrint finds in the HTML (a <link> to a file in
    layouts/, or a <style>) is parsed once per process and reused by every later edition,
    format and copyfit pass with the same source: tinycss2 parsing the print CSS and
    fonts.css again was a twentieth of a render. What a stylesheet registers beyond its
    rules (counter styles, colour profiles) is registered again, and the fetches its first
    parse made are logged again, so the sandbox's log reads as if it had been parsed."""
    from weasyprint import css

    parse = css.CSS
    reusable = {"url", "string", "base_url", "url_fetcher", "media_type", "font_config",
                "counter_style", "color_profiles", "page_rules", "layers", "_check_mime_type"}

    def reused(**options):
        url, string = options.get("url"), options.get("string")
        path = _allowed_file(url) if url is not None else None
        if set(options) - reusable or (url is None) == (string is None) or (url and not path):
            return parse(**options)  # an @import into its parent, or a refused URL
        key = (url, options.get("base_url"), string if path is None else path.read_bytes(),
               options["media_type"], id(options["font_config"]))
        if key not in _stylesheets:
            if len(_stylesheets) >= _MOST_STYLESHEETS:
                _stylesheets.clear()
            served, refused = len(log.served), len(log.refused)
            # Its own page rules, layers and counter styles, not the document's, so that it
            # carries only its own to the next document.
            counters, profiles = type(options["counter_style"])(), {}
            sheet = parse(**{**options, "counter_style": counters, "color_profiles": profiles,
                             "page_rules": None, "layers": None})
            _stylesheets[key] = _Parsed(sheet, options["font_config"], counters, profiles,
                                        log.served[served:], log.refused[refused:])
        else:
            log.served.extend(_stylesheets[key].served)
            log.refused.extend(_stylesheets[key].refused)
        parsed = _stylesheets[key]
        options["counter_style"].update(parsed.counter_styles)
        options["color_profiles"].update(parsed.color_profiles)
        return parsed.sheet

    css.CSS = reused
    try:
        yield
    finally:
        css.CSS = parse


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
    digest = hashlib.md5(html.encode("utf-8"))
    for attachment in attachments:  # the same page with other data attached is another file
        digest.update(attachment.name.encode("utf-8") + b"\0" + attachment.data)
    return digest.hexdigest().encode("ascii")


@contextmanager
def _document_id(identifier: bytes):
    """PDF/X-4 metadata carries an XMP DocumentID that WeasyPrint 70 draws at random
    (uuid4 in weasyprint/pdf/metadata.py): here it is derived from the PDF's identifier,
    so the same edition gets the same bytes."""
    import uuid

    from weasyprint.pdf import metadata

    random_id = metadata.uuid4
    metadata.uuid4 = lambda: uuid.UUID(bytes=hashlib.md5(identifier).digest())
    try:
        yield
    finally:
        metadata.uuid4 = random_id


def _associate_once(document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF; once is right."""
    if "AF" in pdf.catalog:
        unique = list(dict.fromkeys(pdf.catalog["AF"]))
        pdf.catalog["AF"].clear()
        pdf.catalog["AF"].extend(unique)


def _epoch(created: str) -> str:
    import datetime as dt

    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    return str(int(moment.timestamp()))


@contextmanager
def _weasyprint_session(created: str):
    """WeasyPrint, one caller at a time, with fixed dates and its missing-glyph warnings
    collected; any failure inside becomes a RenderError."""
    with _lock:
        weasyprint = startup.import_weasyprint()

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
           grid: float | None = None) -> Rendered:
    """Lay out, and write the PDF now or (`write=False`) when `Rendered.pdf` is first read.
    `created` (ISO 8601) fixes the embedded dates; `grid` (px) is the baseline grid's line,
    which whole sets of columns are made a whole number of."""
    log = FetchLog()
    with (_weasyprint_session(created) as (weasyprint, _), _reused_stylesheets(log),
          balance.balanced_columns(grid),
          linebreaks.limited_hyphenation(), linebreaks.kept_lines()):
        document = weasyprint.HTML(
            string=html,
            base_url=LAYOUTS_DIR.as_uri() + "/",
            url_fetcher=_make_fetcher(log),
        ).render(font_config=(fonts := _fonts()), stylesheets=[
            # Extra rules from printpost itself (copyfit, tests), never from issue data.
            weasyprint.CSS(string=css, base_url=LAYOUTS_DIR.as_uri() + "/",
                           url_fetcher=_make_fetcher(log), font_config=fonts)
            for css in stylesheets])

    def write_pdf() -> tuple[bytes, list[str]]:
        identifier = _identifier(html, attachments)
        with _weasyprint_session(created) as (weasyprint, notdef), _document_id(identifier):
            pdf = document.write_pdf(
                pdf_identifier=identifier,
                pdf_variant=pdf_variant,
                attachments=[_embedded(weasyprint, item, created) for item in attachments],
                finisher=_associate_once if attachments else None,
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
