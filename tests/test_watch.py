"""`printpost watch`: a saved change reaches the PDF and its preview."""

from __future__ import annotations

import shutil
import threading
import time

from pdfcheck import squash, text_of
from printpost import watch
from printpost.formats import get_format

from conftest import SAMPLES


def test_a_saved_edit_updates_the_pdf_and_previews_the_changed_page(tmp_path):
    source = tmp_path / SAMPLES[-1].name
    shutil.copy(SAMPLES[-1], source)
    events: list[watch.WatchEvent] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch.watch, args=(source, get_format("a4"), tmp_path / "out", events.append),
                              kwargs={"poll_seconds": 0.05, "stop": stop.is_set}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not events and time.monotonic() < deadline:
            time.sleep(0.1)
        assert events and events[0].ok, events
        first_pdf = events[0].pdf.read_bytes()

        text = source.read_text(encoding="utf-8")
        time.sleep(0.05)  # a new mtime even on coarse clocks
        source.write_text(text.replace("Optimization Wave", "Quantization Wave"), encoding="utf-8")
        while len(events) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        source.write_text(text.replace("score: 7", "score: 12"), encoding="utf-8")
        while len(events) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=60)
    first, second, bad = events[:3]
    assert second.ok and "updated in" in second.message
    assert "QuantizationWave" in squash(text_of(second.pdf))
    assert second.preview.exists() and second.preview.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "(page 1 " in second.message  # the lead headline is on page 1
    # Bad data: reported, and the last good PDF stays.
    assert not bad.ok and "lead.score" in bad.message
    assert second.pdf.read_bytes() != first_pdf
    assert "QuantizationWave" in squash(text_of(second.pdf.read_bytes()))
