"""`printpost watch`: rebuild an edition every time its data file is saved.

Each save gives a draft PDF (one pass, no copyfit, so it is quick) and a PNG of the first
page that changed, and reports how long the save took to reach the PDF. Bad data is
reported and the last good PDF stays in place.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import load, pipeline, publish, raster, render
from .formats import Format


@dataclass
class WatchEvent:
    ok: bool
    message: str
    seconds: float = 0.0
    pdf: Path | None = None
    preview: Path | None = None


def _page_hashes(pdf: bytes) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [hashlib.sha256(document[i].get_textpage().get_text_range().encode()).hexdigest()
                for i in range(len(document))]
    finally:
        document.close()


def _changed_page(before: list[str], after: list[str]) -> int:
    for index, digest in enumerate(after):
        if index >= len(before) or before[index] != digest:
            return index
    return 0


RETRY_SECONDS = 2.0  # after a write failed (a full disk): try again this often, unasked


def watch(path: Path, fmt: Format, out_dir: Path, report: Callable[[WatchEvent], None], *,
          poll_seconds: float = 0.2, stop: Callable[[], bool] = lambda: False,
          limits=None, typesetter: pipeline.Typesetter | None = None) -> None:
    """Poll `path` and rebuild on every change until `stop()` is true (with one
    `typesetter` for the session: what it measured in one save guides the next).

    Nothing that goes wrong with one save ends the session: bad data, a layout past its
    limits and a file that cannot be read are reported and the next save is awaited; a PDF
    that cannot be written (a full disk, a read-only directory) is reported once and tried
    again every RETRY_SECONDS until it can be, then reported done."""
    render.quiet_weasyprint_logs()
    typesetter = typesetter or pipeline.Typesetter()
    seen = None
    pages: list[str] = []
    retry_at = None  # when a failed write is tried again
    while not stop():
        try:
            stamp = path.stat().st_mtime_ns, path.stat().st_size
        except OSError:
            stamp = None
        due = retry_at is not None and time.monotonic() >= retry_at
        if stamp is not None and (stamp != seen or due):
            retrying, seen = stamp == seen, stamp
            started = time.perf_counter()
            try:
                result = typesetter.build(path, [fmt], out_dir, fit=False, limits=limits)
                [output] = result.outputs
                pdf = output.path.read_bytes()
                after = _page_hashes(pdf)
                index = _changed_page(pages, after)
                preview = output.path.with_suffix(".preview.png")
                publish.write_atomic(preview, raster.page_png(pdf, index, dpi=80))
            except load.InvalidIssue as error:
                retry_at = None
                report(WatchEvent(False, "\n".join(f"error: {p.report()}" for p in error.problems)))
            except render.RenderError as error:
                retry_at = None
                report(WatchEvent(False, f"error: {path}: {error}"))
            except OSError as error:
                if not retrying:  # said once; the retries are quiet until one works
                    report(WatchEvent(False, f"error: {publish.describe_os_error(error)}; "
                                      f"trying again every {RETRY_SECONDS:g} s"))
                retry_at = time.monotonic() + RETRY_SECONDS
            else:
                retry_at = None
                pages = after
                seconds = time.perf_counter() - started
                report(WatchEvent(True, f"{output.path} updated in {seconds:.2f} s "
                                  f"(page {index + 1} → {preview.name}); "
                                  f"{output.preflight.summary()}", seconds, output.path, preview))
        time.sleep(poll_seconds)
