"""The file system and the processes printpost leaves behind (issue 19, rows 5, 7 and 9).

- Row 5: after kill -9 of `build --all`, `archive` or `site`, no process of theirs is alive
  10 s later (pool workers watch their parent; the resource tracker ends with them).
- Row 7: every OSError of every command (a full disk, a read-only file system, --out a
  file, a directory that is a file) is one line naming the path and the cause, exit 1,
  nothing half-written; `watch` survives a full disk and carries on when there is room.
- Row 9: `site` removes only files its manifest says it wrote, and a write removes only
  temporary files whose names printpost made; a user's look-alikes stay.

Faults are made in the printpost process itself (a test shim run before the CLI, as
tests/test_crash.py does): as root, a chmod'ed directory is still writable.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from buildkit import clean_env, files_in
from editions import small_edition, _yaml_text
from monthkit import DAYS, MONTH, copy_month
from printpost import publish, watch
from printpost import site as subscriber_site
from printpost.formats import get_format
from printpost.resources import PROJECT_DIR

from conftest import SAMPLES


def run_printpost(*args, prelude: str = "", cwd: Path = PROJECT_DIR,
                  timeout: float = 600) -> subprocess.CompletedProcess:
    """`printpost ARGS` in a fresh process, `prelude` (test shims) run first in it."""
    code = (f"{prelude}\nimport sys\nsys.argv = ['printpost', *{[str(a) for a in args]!r}]\n"
            "from printpost.cli import run\nrun()\n")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def _one_error(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) >= 1 and all(len(line) < 400 for line in errors), result.stderr
    assert result.stderr.strip().splitlines() == errors, result.stderr  # nothing else said
    return errors[-1]


def _fault(call: str, code: int, *, on: str = ".tmp") -> str:
    """A shim: os.CALL fails with errno CODE for paths containing ON (fsync: always)."""
    if call == "fsync":
        return (f"import os\ndef _fail(*a, **k):\n    raise OSError({code}, os.strerror({code}))\n"
                "os.fsync = _fail\n")
    return (f"import os\n_real = os.{call}\n"
            f"def _fail(path, *a, **k):\n    if {on!r} in str(path):\n"
            f"        raise OSError({code}, os.strerror({code}), str(path))\n"
            f"    return _real(path, *a, **k)\nos.{call} = _fail\n")


@pytest.fixture(scope="module")
def month(built_month, tmp_path_factory):
    """Two built editions of the shared month (nothing left to render in A4)."""
    return copy_month(built_month, tmp_path_factory.mktemp("fs-month"), days=DAYS[:2])


def _no_temporaries(directory: Path) -> None:
    assert not [p for p in directory.rglob("*.tmp")], list(directory.rglob("*.tmp"))


# ---- row 7: one line for every OSError ---------------------------------------------------------

def test_site_on_a_full_disk_is_one_line_and_leaves_no_partial_file(month, tmp_path):
    site = tmp_path / "site"
    result = run_printpost("site", "--issues", month.issues, "--pdfs", month.out, "--out", site,
                           "-f", "a4", "-q", prelude=_fault("fsync", errno.ENOSPC))
    assert result.returncode == 1
    line = _one_error(result)
    assert "no space left on the device" in line and str(tmp_path) in line, line
    _no_temporaries(tmp_path)


def test_archive_on_a_read_only_file_system_is_one_line(month, tmp_path):
    out = tmp_path / "out"
    import shutil

    shutil.copytree(month.out, out)
    for stale in (out / "archive").glob("*"):
        stale.unlink()  # the archive must be written
    result = run_printpost("archive", MONTH, "--issues", month.issues, "--out", out, "-f", "a4",
                           "-q", prelude=_fault("open", errno.EROFS))
    assert result.returncode == 1
    line = _one_error(result)
    assert "the file system is read-only" in line and "the-ai-morning-post-2026-04" in line, line
    assert not list((out / "archive").glob("the-ai-morning-post-*"))


@pytest.mark.parametrize("command", ["site", "archive"])
def test_out_being_a_file_is_one_line(month, tmp_path, command):
    target = tmp_path / "a-file"
    target.write_text("mine\n")
    args = {"site": ("site", "--issues", month.issues, "--pdfs", month.out, "--out", target,
                     "-f", "a4"),
            "archive": ("archive", MONTH, "--issues", month.issues, "--out", target, "-f", "a4")
            }[command]
    result = run_printpost(*args, "-q")
    assert result.returncode == 1
    _one_error(result)
    # (archive: each edition's line, then the archive's own)
    first = result.stderr.splitlines()[0]
    assert str(target) in first and "is a file, not a directory" in first, first
    assert target.read_text() == "mine\n"


def test_new_into_a_file_is_one_line(tmp_path):
    target = tmp_path / "issues"
    target.write_text("mine\n")
    result = run_printpost("new", "2026-05-01", "--dir", target)
    assert result.returncode == 1
    line = _one_error(result)
    assert str(target) in line, line
    assert target.read_text() == "mine\n"


def test_preview_on_a_full_disk_is_one_line(tmp_path):
    small = tmp_path / "2026-04-19.yaml"
    small.write_text(small_edition(), encoding="utf-8")
    result = run_printpost("preview", small, "--out", tmp_path / "p.png",
                           prelude=_fault("fsync", errno.ENOSPC))
    assert result.returncode == 1
    assert "no space left on the device" in _one_error(result)
    assert not (tmp_path / "p.png").exists()
    _no_temporaries(tmp_path)


def test_watch_survives_a_full_disk_and_carries_on_when_there_is_room(tmp_path, monkeypatch):
    source = tmp_path / "2026-04-19.yaml"
    source.write_text(small_edition(), encoding="utf-8")
    real_write = publish.write_atomic
    full = {"writes": 3}  # the disk is full for the first three writes

    def write_atomic(path, data):
        if full["writes"] > 0:
            full["writes"] -= 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, data)

    monkeypatch.setattr(publish, "write_atomic", write_atomic)
    monkeypatch.setattr(watch, "RETRY_SECONDS", 0.2)
    events: list[watch.WatchEvent] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch.watch, args=(source, get_format("a4"), tmp_path / "out",
                                                        events.append),
                              kwargs={"poll_seconds": 0.05, "stop": stop.is_set}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 180
        while not any(event.ok for event in events) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not thread.is_alive()
    failed, *rest = events
    assert not failed.ok and "no space left on the device" in failed.message, failed.message
    assert "trying again" in failed.message
    # Said once; then, with room again and without another save, the PDF is made.
    assert [event.ok for event in rest] == [True], [event.message for event in events]
    assert rest[0].pdf.read_bytes().startswith(b"%PDF-")


# ---- row 9: only what printpost wrote is removed ------------------------------------------------

def test_site_removes_only_files_it_recorded_as_its_own(month, tmp_path):
    site = tmp_path / "site"
    stem = f"{MONTH}-{DAYS[0]:02d}"
    thumbs = site / "thumbs"
    thumbs.mkdir(parents=True)
    users = [thumbs / f"{stem}-issue-063-cover-draft.jpg", site / ".index.html.orig.tmp",
             site / ".feed.xml.0123456789abcdef.tmp"]
    for path in users:
        path.write_bytes(b"the user's own file\n")
        two_hours_ago = time.time() - 7200
        os.utime(path, (two_hours_ago, two_hours_ago))
    first = subscriber_site.make_site(month.issues, month.out, site, ["a4"], jobs=1)
    assert first.exit_code == 0, first.problems
    for path in users:
        assert path.read_bytes() == b"the user's own file\n", path
    # An earlier version's thumbnail that the site recorded is removed when it is replaced;
    # one it recorded but the user has changed since stays.
    manifest = json.loads((site / subscriber_site.MANIFEST).read_text())
    [current] = [name for name in manifest["files"] if name.startswith(f"thumbs/{stem}-")]
    older, changed = thumbs / f"{stem}-issue-063-0000aaaa.jpg", thumbs / f"{stem}-issue-063-0000bbbb.jpg"
    older.write_bytes(b"an earlier front page")
    changed.write_bytes(b"an earlier front page, edited")
    import hashlib

    manifest["files"][older.relative_to(site).as_posix()] = hashlib.sha256(
        b"an earlier front page").hexdigest()
    manifest["files"][changed.relative_to(site).as_posix()] = hashlib.sha256(
        b"an earlier front page").hexdigest()
    (site / subscriber_site.MANIFEST).write_text(json.dumps(manifest))
    (site / current).unlink()  # made again on the next run
    again = subscriber_site.make_site(month.issues, month.out, site, ["a4"], jobs=1)
    assert again.exit_code == 0
    assert not older.exists() and changed.exists() and (site / current).exists()
    for path in users:
        assert path.read_bytes() == b"the user's own file\n", path


def test_a_write_removes_only_temporaries_printpost_named(tmp_path):
    target = tmp_path / "index.html"
    descriptor, name = publish._temporary(target)  # one a killed writer left
    os.close(descriptor)
    ours = Path(name)
    looks_alike = [tmp_path / ".index.html.orig.tmp", tmp_path / ".index.html.abcdefgh.tmp",
                   tmp_path / f"{ours.name[:-8]}ffff.tmp"]
    for path in [ours, *looks_alike]:
        path.touch()
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    publish.write_atomic(target, b"new")
    assert not ours.exists()
    assert all(path.exists() for path in looks_alike)


# ---- row 5: nothing outlives a killed command -------------------------------------------------

def _children(pid: int) -> dict[int, bytes]:
    """Processes whose parent is `pid`, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
    return found


def _alive(pid: int, cmdline: bytes) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z" and Path(f"/proc/{pid}/cmdline").read_bytes() == cmdline
    except OSError:
        return False


def _dated_small(directory: Path, days: list[int]) -> None:
    directory.mkdir(parents=True)
    for day in days:
        data = YAML(typ="safe", pure=True).load(small_edition())
        data["edition"]["date"] = f"2026-04-{day:02d}"
        data["edition"].pop("issue", None)
        (directory / f"2026-04-{day:02d}.yaml").write_text(_yaml_text(data), encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("command", ["build", "archive", "site"])
def test_kill_9_leaves_no_process_alive(tmp_path, command):
    issues = tmp_path / "issues"
    _dated_small(issues, [20, 21, 22])
    out = tmp_path / "out"
    args = {"build": ["build", "--all", issues, "--out", out],
            "archive": ["archive", MONTH, "--issues", issues, "--out", out, "--no-archival"],
            "site": ["site", "--issues", issues, "--pdfs", out, "--out", tmp_path / "site",
                     "-f", "a4"]}[command]
    process = subprocess.Popen([sys.executable, "-m", "printpost", *map(str, args), "--jobs", "2"],
                               cwd=tmp_path, env=clean_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    seen: dict[int, bytes] = {}
    deadline = time.monotonic() + 120
    try:
        # Until both workers and the resource tracker run (and the workers have started).
        while time.monotonic() < deadline and process.poll() is None:
            seen.update(_children(process.pid))
            workers = [pid for pid, line in seen.items() if b"spawn_main" in line]
            if len(workers) >= 2 and any(b"resource_tracker" in line for line in seen.values()):
                time.sleep(2.0)  # into their first edition
                break
            time.sleep(0.05)
        assert process.poll() is None, "it finished before it could be killed"
        seen.update(_children(process.pid))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p, c) for p, c in seen.items()):
            time.sleep(0.1)
        left = [c.replace(b"\0", b" ")[:120] for p, c in seen.items() if _alive(p, c)]
    finally:
        for pid, line in seen.items():  # on failure, nothing is left for later tests either
            if _alive(pid, line):
                os.kill(pid, signal.SIGKILL)
    assert len(seen) >= 3, seen
    assert left == [], left
