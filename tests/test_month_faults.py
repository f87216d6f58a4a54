"""Faults in month builds: killed mid-way (kill -9), or two runs of the same month at once.

A kill may land anywhere; what must hold wherever it lands: every PDF and archive a reader
can see is complete (the earlier one, or a whole new one), and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdf
import pytest

from monthkit import DAYS, MONTH, copy_month
from printpost import catalog, publish
from printpost.resources import PROJECT_DIR

pytestmark = pytest.mark.slow
N = len(DAYS)


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "printpost", *map(str, args)], cwd=PROJECT_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group: kill it whole


def _kill_when(process: subprocess.Popen, condition, limit: float = 600) -> None:
    """kill -9 the process group as soon as `condition()` holds (polled; `limit` is a backstop)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None and not condition():
        time.sleep(0.02)
    assert process.poll() is None, f"finished before the kill: {process.communicate()}"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  location: ", "  location: Salford, ", 1), encoding="utf-8")


def _sidecar_hash(pdf: Path) -> str | None:
    record = catalog.read_record(pdf)
    return record.hash if record else None


def _visible_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(".")]


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "printpost", *map(str, args)], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=900)


def test_kill_9_during_build_all_leaves_whole_pdfs_and_the_next_run_finishes(built_month, tmp_path):
    month = copy_month(built_month, tmp_path, days=DAYS[:2])
    pdfs = {r.path.name: month.out / "2026-04" / r.path.name for r in built_month.result.records[:2]}
    old = {name: path.read_bytes() for name, path in pdfs.items()}
    old_hashes = {name: _sidecar_hash(path) for name, path in pdfs.items()}
    for path in catalog.issue_files(month.issues):
        _edit(path)

    def rebuilt() -> list[str]:
        return [name for name, path in pdfs.items() if _sidecar_hash(path) != old_hashes[name]]

    process = _start("build", "--all", month.issues, "--out", month.out, "--jobs", "1", "--quiet")
    _kill_when(process, lambda: len(rebuilt()) >= 1)
    done_before_kill = rebuilt()
    assert len(done_before_kill) == 1  # the kill landed mid-build
    for name, path in pdfs.items():
        data = path.read_bytes()
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 2  # whole, old or new
        if name not in done_before_kill and data != old[name]:
            # Killed between the PDF and its sidecar: whole, and not vouched for, so redone.
            assert hashlib.sha256(data).hexdigest() != catalog.read_record(path).sha256
    for path in _visible_files(month.out / "2026-04"):
        assert path.suffix in (".pdf", ".json")  # leftovers of the kill, if any, are hidden

    again = _run("build", "--all", month.issues, "--out", month.out, "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert "2 editions: 1 built, 1 up to date (no rendering), 0 failed" in again.stdout
    toolchain = catalog.toolchain_digest()
    for path in pdfs.values():
        name = f"{path.name[:10]}.yaml"
        key = catalog.content_hash((month.issues / name).read_bytes(), name, toolchain, "a4", False)
        assert catalog.current_record(path, key)


def _archive_intact(month, expected_pages: int) -> bytes:
    pdf_path = publish.month_archive_path(MONTH, month.out)
    data = pdf_path.read_bytes()
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == expected_pages
    with zipfile.ZipFile(publish.month_archive_path(MONTH, month.out, ".zip")) as bundled:
        assert bundled.testzip() is None
        manifest = json.loads(bundled.read(f"the-ai-morning-post-{MONTH}/manifest.json"))
        for edition in manifest["editions"]:
            for file in edition["files"]:
                data_in_zip = bundled.read(f"the-ai-morning-post-{MONTH}/{file['file']}")
                assert hashlib.sha256(data_in_zip).hexdigest() == file["sha256"]
    return data


def test_kill_9_during_archive_keeps_the_previous_archive(month_archive, built_month, tmp_path):
    month = copy_month(built_month, tmp_path)
    previous = month_archive.pdf.read_bytes()
    edited = catalog.issue_files(month.issues)[3]
    _edit(edited)
    edition_pdf = month.out / "2026-04" / month_archive.records[3].path.name
    old_hash = _sidecar_hash(edition_pdf)

    process = _start("archive", MONTH, "--issues", month.issues, "--out", month.out, "--jobs", "1")
    _kill_when(process, lambda: _sidecar_hash(edition_pdf) != old_hash)  # now assembling
    _archive_intact(month, month_archive.pages)  # the previous archive, or a whole new one

    again = _run("archive", MONTH, "--issues", month.issues, "--out", month.out)
    assert again.returncode == 0, again.stderr
    assert f"{N} editions: 0 built, {N} up to date (no rendering), 0 failed" in again.stdout
    data = _archive_intact(month, month_archive.pages)
    assert data != previous  # the edited edition is in it now
    sidecar = json.loads(publish.sidecar_path(publish.month_archive_path(MONTH, month.out)).read_text())
    assert sidecar["sha256"] == hashlib.sha256(data).hexdigest()


def test_two_archives_of_the_same_month_at_once_both_succeed_consistently(month_archive,
                                                                          built_month, tmp_path):
    month = copy_month(built_month, tmp_path)
    _edit(catalog.issue_files(month.issues)[0])
    runs = [_start("archive", MONTH, "--issues", month.issues, "--out", month.out, "--jobs", "1")
            for _ in range(2)]
    results = [(run.wait(timeout=900), *run.communicate()) for run in runs]
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert f"{month_archive.pages} pages, {N} editions" in stdout
    data = _archive_intact(month, month_archive.pages)
    sidecar = json.loads(publish.sidecar_path(publish.month_archive_path(MONTH, month.out)).read_text())
    assert sidecar["sha256"] == hashlib.sha256(data).hexdigest()
    # Every edition's PDF matches its sidecar, and nothing is left to do.
    after = _run("build", "--all", month.issues, "--out", month.out)
    assert f"{N} editions: 0 built, {N} up to date (no rendering), 0 failed" in after.stdout
    again = _run("archive", MONTH, "--issues", month.issues, "--out", month.out)
    assert "(up to date)" in again.stdout
