"""`printpost serve`: a live preview in the browser while an edition is edited.

A local HTTP server (127.0.0.1 by default) shows the pages of the edition being edited, the
page that changed first, and the subscriber site. Every change to an issue file, a layout
or the paper's configuration (seen by watchfiles, the file system's own notifications, not
by polling) sets the edition again as a draft (one pass, no copyfit: quick) and tells every
open page through server-sent events, so the page updates itself; bad data is shown in the
page in the words the CLI prints, above the last good pages. Nothing is written beside the
print PDFs: the draft stays in memory, and the subscriber site (built the first time it is
asked for, from the editions' real builds in the output folder, as `printpost site` does)
goes to a temporary folder removed when the server stops.

The server is the standard library's (http.server), one thread per request: it serves one
editor on this machine, and needs no framework. Server-sent events are a few lines of text
over a response left open, so they are written here too.
"""

from __future__ import annotations

import json
import mimetypes
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import catalog, load, pipeline, raster, render, resources
from .formats import Format, formats

PAGE_DPI = 96  # a page as wide on screen as printed (an A4 page 794 px)
HEARTBEAT_SECONDS = 15  # an idle event stream says so, which ends it once its reader left
KEPT_GENERATIONS = 2  # page images of the previous draft stay served while a browser swaps


@dataclass
class Draft:
    """One setting of the edition being edited, or the errors that stopped it."""

    generation: int
    edition: Path | None = None
    pdf: bytes | None = None
    texts: list[str] = field(default_factory=list)  # each page's text, as the PDF has it
    changed: int | None = None  # index of the first page that differs from the last draft
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""
    seconds: float = 0.0

    @property
    def order(self) -> list[int]:
        """Page indexes as shown: the changed page first, then the others in order."""
        first = [self.changed] if self.changed is not None else []
        return first + [index for index in range(len(self.texts)) if index != self.changed]


def _page_texts(pdf: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def _first_changed(before: list[str], after: list[str]) -> int | None:
    for index, text in enumerate(after):
        if index >= len(before) or before[index] != text:
            return index
    return None


class Preview:
    """What the server shows: the newest draft of the edition being edited and the site.

    One builder thread sets drafts (`rebuild`), one sets the site when it has been asked for;
    request threads read `state()` and wait in `wait_for` for the next version."""

    def __init__(self, source: Path, fmt: Format, out_dir: Path, *,
                 watched: list[Path] | None = None,
                 typesetter: pipeline.Typesetter | None = None):
        self.issues_dir = source if source.is_dir() else source.parent
        self.edition = None if source.is_dir() else source
        self.fmt = fmt
        self.typesetter = typesetter or pipeline.Typesetter()  # one for the session
        self.out_dir = out_dir
        from .paper import CONFIG_NAME, paper_root

        config = [paper_root() / CONFIG_NAME] if paper_root() else []
        self.watched = watched or [self.issues_dir, *resources.layout_dirs(), *config]
        self.site_dir = Path(tempfile.mkdtemp(prefix="printpost-serve-site-"))
        self.draft = Draft(generation=0)
        self.kept: dict[int, Draft] = {}
        self.site = {"state": "not built", "generation": 0, "errors": []}
        self.version = 0  # grows with every new draft or site
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.site_wanted = threading.Event()
        self.site_stale = threading.Event()
        self._images: dict[tuple[int, int], bytes] = {}
        self._raster_lock = threading.Lock()  # pdfium is not thread-safe

    # --- drafts ---------------------------------------------------------------------------

    def current_edition(self) -> Path | None:
        if self.edition is not None and self.edition.is_file():
            return self.edition
        try:
            files = catalog.issue_files(self.issues_dir)
        except catalog.CatalogError:
            return None
        return files[-1] if files else None  # dated names: the newest edition

    def rebuild(self) -> Draft:
        started = time.perf_counter()
        path = self.current_edition()
        draft = Draft(generation=self.draft.generation + 1, edition=path)
        if path is None:
            draft.errors = [f"error: no issue files (.yaml, .yml, .json) in {self.issues_dir}"]
        else:
            try:
                loaded, draft.warnings = pipeline.check(path)
                rendered, report = self.typesetter.typeset(loaded, self.fmt, fit=False)
                draft.pdf = rendered.pdf
                draft.summary = report.summary()
            except load.InvalidIssue as error:
                draft.errors = [f"error: {problem}" for problem in error.problems]
            except render.RenderError as error:
                draft.errors = [f"error: {path}: {error}"]
            except OSError as error:
                draft.errors = [f"error: {path}: {error.strerror or error}"]
        draft.warnings = [f"warning: {warning}" for warning in draft.warnings]
        if draft.pdf is None:  # the last good pages stay in view, below the errors
            previous = self.draft
            draft.pdf, draft.texts, draft.summary = previous.pdf, previous.texts, previous.summary
            if previous.edition != path:
                draft.pdf, draft.texts = None, []
        else:
            draft.texts = _page_texts(draft.pdf)
            same = self.draft.edition == path and self.draft.pdf is not None
            draft.changed = _first_changed(self.draft.texts, draft.texts) if same else None
            if same and draft.changed is None and draft.texts == self.draft.texts:
                draft.changed = self.draft.changed  # saved again unchanged: the same view
        draft.seconds = time.perf_counter() - started
        with self.changed:
            self.kept[draft.generation] = draft
            for old in [g for g in self.kept if g <= draft.generation - KEPT_GENERATIONS]:
                del self.kept[old]
            self._images = {key: png for key, png in self._images.items() if key[0] in self.kept}
            self.draft = draft
            self.version += 1
            self.changed.notify_all()
        self.site_stale.set()
        if self.site_wanted.is_set():
            self._wake_site()
        return draft

    def page_png(self, generation: int, number: int) -> bytes | None:
        draft = self.kept.get(generation)
        if draft is None or draft.pdf is None or not 1 <= number <= len(draft.texts):
            return None
        key = (generation, number)
        with self._raster_lock:
            if key not in self._images:
                self._images[key] = raster.page_png(draft.pdf, number - 1, PAGE_DPI)
            return self._images[key]

    def state(self) -> dict:
        draft = self.draft
        pages = [{"number": index + 1, "src": f"pages/{draft.generation}/{index + 1}.png",
                  "text": draft.texts[index], "changed": index == draft.changed}
                 for index in draft.order]
        return {"version": self.version, "generation": draft.generation,
                "edition": str(draft.edition) if draft.edition else None,
                "format": self.fmt.name, "pages": pages, "errors": draft.errors,
                "warnings": draft.warnings, "summary": draft.summary,
                "seconds": round(draft.seconds, 2), "site": dict(self.site)}

    def wait_for(self, version: int, timeout: float) -> int:
        """Block until there is something newer than `version` (or `timeout`, or stopping)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version > version or self.stopping.is_set(),
                                  timeout)
            return self.version

    # --- the subscriber site --------------------------------------------------------------

    def _wake_site(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def want_site(self) -> None:
        if not self.site_wanted.is_set():
            self.site_wanted.set()
            self.site_stale.set()
            self._wake_site()

    def site_loop(self) -> None:
        from . import site as subscriber_site

        while not self.stopping.is_set():
            with self.changed:
                self.changed.wait_for(lambda: self.stopping.is_set() or (
                    self.site_wanted.is_set() and self.site_stale.is_set()), 1.0)
            if self.stopping.is_set() or not (self.site_wanted.is_set()
                                              and self.site_stale.is_set()):
                continue
            self.site_stale.clear()
            self._set_site(state="building")
            try:
                result = subscriber_site.make_site(self.issues_dir, self.out_dir, self.site_dir,
                                                   [self.fmt.name], jobs=1,
                                                   engine=self.typesetter.options)
            except (subscriber_site.SiteError, catalog.CatalogError, OSError) as error:
                self._set_site(state="failed", errors=[f"error: {error}"])
                continue
            problems = [f"error: {problem}" for outcome in result.build.failed
                        for problem in outcome.problems]
            problems += [f"error: {problem}" for problem in result.problems]
            self._set_site(state="ready", errors=problems,
                           generation=self.site["generation"] + 1)

    def _set_site(self, **values) -> None:
        with self.changed:
            self.site = {**self.site, "errors": [], **values}
            self.version += 1
            self.changed.notify_all()

    # --- watching -------------------------------------------------------------------------

    def watch_loop(self, on_draft: Callable[[Draft], None]) -> None:
        """Set a draft now and again after every change, until stopped."""
        import watchfiles

        on_draft(self.rebuild())
        issues_dir = self.issues_dir.resolve()
        others = [path.resolve() for path in self.watched if path.resolve() != issues_dir]
        ignored = watchfiles.DefaultFilter()  # .git, __pycache__, swap and backup files

        def relevant(change, name: str) -> bool:
            """An issue file directly in the issues folder, or anything in a layouts folder
            or the configuration; not the output a build writes (perhaps under the issues
            folder), not hidden files (editors' swap files, temporary files of writes)."""
            path = Path(name)
            if path.name.startswith(".") or not ignored(change, name):
                return False
            if path.parent.resolve() == issues_dir:
                return path.suffix.lower() in load.SUFFIXES
            return any(path.resolve().is_relative_to(other) for other in others)

        for changes in watchfiles.watch(*[p for p in self.watched if p.exists()],
                                        watch_filter=relevant, debounce=50, step=20,
                                        stop_event=self.stopping, rust_timeout=1000,
                                        raise_interrupt=False):
            if self.stopping.is_set():
                break
            names = [Path(name) for _, name in changes]
            edited = [path for path in names if path.parent.resolve() == issues_dir
                      and path.is_file()]
            if edited:  # named as the issues folder was named (relative, say), not absolute
                newest = max(edited, key=lambda path: path.stat().st_mtime_ns)
                self.edition = self.issues_dir / newest.name
            if len(edited) < len(names):
                formats.cache_clear()  # a layout changed: formats.toml is read again
                self.fmt = formats()[self.fmt.name]  # and the format's profile with it
            on_draft(self.rebuild())

    def stop(self) -> None:
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()

    def close(self) -> None:
        shutil.rmtree(self.site_dir, ignore_errors=True)


def _preview_page() -> bytes:
    return resources.find_layout("serve/preview.html").read_bytes()


def _reload_script() -> bytes:
    return resources.find_layout("serve/reload.js").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass the server uses
    server_version = "printpost-serve"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # the terminal shows builds, not every image request

    def _send(self, body: bytes, media_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)

    def do_HEAD(self):  # noqa: N802 (http.server's naming)
        self.do_GET()

    def do_GET(self):  # noqa: N802
        path = unquote(urlsplit(self.path).path)
        try:
            if path in ("/", "/index.html"):
                self._send(_preview_page(), "text/html; charset=utf-8")
            elif path == "/state.json":
                self._send(json.dumps(self.preview.state()).encode(), "application/json")
            elif path == "/events":
                self._events()
            elif path == "/_serve/reload.js":
                self._send(_reload_script(), "text/javascript; charset=utf-8")
            elif path == "/draft.pdf" and self.preview.draft.pdf is not None:
                self._send(self.preview.draft.pdf, "application/pdf")
            elif path.startswith("/pages/"):
                self._page(path)
            elif path == "/site" or path.startswith("/site/"):
                self._site(path.removeprefix("/site").lstrip("/") or "index.html")
            else:
                self._not_found()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away mid-answer

    def _page(self, path: str) -> None:
        parts = path.split("/")  # "", "pages", generation, "N.png"
        try:
            generation, number = int(parts[2]), int(parts[3].removesuffix(".png"))
        except (IndexError, ValueError):
            return self._not_found()
        png = self.preview.page_png(generation, number)
        if png is None:
            return self._not_found()
        self._send(png, "image/png")

    def _site(self, relative: str) -> None:
        preview = self.preview
        preview.want_site()
        if preview.site["generation"] == 0:  # not built yet: a page that waits for it
            body = (b"<!DOCTYPE html><meta charset='utf-8'><title>Subscriber site</title>"
                    b"<p>Building the subscriber site&hellip; this page shows it when ready.</p>"
                    b"<script src='/_serve/reload.js'></script>")
            return self._send(body, "text/html; charset=utf-8")
        root = preview.site_dir.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return self._not_found()
        body = target.read_bytes()
        media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if media_type == "text/html":
            # The site has no script of its own; in the preview it reloads when rebuilt.
            body = body.replace(b"</body>", b"<script src='/_serve/reload.js'></script></body>", 1)
            media_type += "; charset=utf-8"
        self._send(body, media_type)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        preview, version = self.preview, -1
        while not preview.stopping.is_set():
            newest = preview.wait_for(version, HEARTBEAT_SECONDS)
            if preview.stopping.is_set():
                break
            if newest == version:
                self.wfile.write(b": still here\n\n")
            else:
                version = newest
                data = json.dumps(preview.state(), ensure_ascii=False)
                self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()


class PreviewServer:
    """The preview's HTTP server and its threads; `start()`, then `stop()` (or a with block)."""

    def __init__(self, preview: Preview, host: str = "127.0.0.1", port: int = 8000,
                 on_draft: Callable[[Draft], None] = lambda draft: None):
        handler = type("Handler", (_Handler,), {"preview": preview})
        self.preview = preview
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.on_draft = on_draft
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def start(self) -> None:
        for target, name in ((self.httpd.serve_forever, "http"),
                             (lambda: self.preview.watch_loop(self.on_draft), "watch"),
                             (self.preview.site_loop, "site")):
            thread = threading.Thread(target=target, name=f"printpost-serve-{name}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.preview.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self.threads:
            thread.join(timeout=30)
        self.preview.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()


def describe(draft: Draft) -> list[str]:
    """What the terminal says about a draft: as `build` says it, or the errors."""
    if draft.errors:
        return [*draft.errors]
    lines = [*draft.warnings]
    lines.append(f"{draft.edition}: {len(draft.texts)} pages set in {draft.seconds:.2f} s"
                 + (f", page {draft.changed + 1} changed" if draft.changed is not None else "")
                 + (f"; {draft.summary}" if draft.summary else ""))
    return lines
