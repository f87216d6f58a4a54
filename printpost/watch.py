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


def watch(path: Path, format_name: str, out_dir: Path, report: Callable[[WatchEvent], None], *,
          poll_seconds: float = 0.2, stop: Callable[[], bool] = lambda: False) -> None:
    """Poll `path` and rebuild on every change until `stop()` is true."""
    render.quiet_weasyprint_logs()
    seen = None
    pages: list[str] = []
    while not stop():
        try:
            stamp = path.stat().st_mtime_ns, path.stat().st_size
        except FileNotFoundError:
            stamp = None
        if stamp is not None and stamp != seen:
            seen = stamp
            started = time.perf_counter()
            try:
                result = pipeline.build(path, [format_name], out_dir, fit=False)
            except load.InvalidIssue as error:
                report(WatchEvent(False, "\n".join(f"error: {p.report()}" for p in error.problems)))
            except render.RenderError as error:
                report(WatchEvent(False, f"error: {path}: {error}"))
            else:
                [output] = result.outputs
                pdf = output.path.read_bytes()
                after = _page_hashes(pdf)
                index = _changed_page(pages, after)
                pages = after
                preview = output.path.with_suffix(".preview.png")
                publish.write_atomic(preview, raster.page_png(pdf, index, dpi=80))
                seconds = time.perf_counter() - started
                report(WatchEvent(True, f"{output.path} updated in {seconds:.2f} s "
                                  f"(page {index + 1} → {preview.name}); "
                                  f"{output.preflight.summary()}", seconds, output.path, preview))
        time.sleep(poll_seconds)
