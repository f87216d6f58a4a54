"""Crash safety: a build killed at any moment, a full disk, and two builds of one edition at
once never leave a partial or wrong PDF where the old one was.

printpost writes each PDF to a temporary file beside it (`.<name>.<random>.tmp`), flushes it to
disk and renames it over the old one (publish.write_atomic). These tests kill real
`printpost build` processes with SIGKILL at 20 moments of a build, fill the disk under one,
and run two at once, then look at what is left in the output directory.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from buildkit import clean_env, files_in, finish, start_build
from printpost import publish

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc/self/fd")

# Code run in a build process before the CLI (see buildkit.start_build): it stands in for a
# kill or a full disk at an exact point of publish.write_atomic, found by the temporary file
# it writes (.<name>.<random>.tmp), so nothing in printpost is changed or told.
SHIM = r'''
import errno, os, signal

FAULT = {fault!r}
_real_fdopen, _real_fsync, _real_replace = os.fdopen, os.fsync, os.replace


def _is_temporary(descriptor):
    return os.readlink(f"/proc/self/fd/{{descriptor}}").endswith(".tmp")


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


class _Faulty:
    def __init__(self, file):
        self._file = file

    def write(self, data):
        half = len(data) // 2
        self._file.write(data[:half])
        self._file.flush()
        if FAULT == "kill-mid-write":
            _die()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return self._file.__exit__(*exc_info)


def fdopen(descriptor, *args, **kwargs):
    file = _real_fdopen(descriptor, *args, **kwargs)
    if FAULT in ("kill-mid-write", "disk-full") and _is_temporary(descriptor):
        return _Faulty(file)
    return file


def fsync(descriptor):
    if FAULT == "kill-before-fsync" and _is_temporary(descriptor):
        _die()
    return _real_fsync(descriptor)


def replace(source, target, *args, **kwargs):
    if FAULT == "kill-before-rename" and str(source).endswith(".tmp"):
        _die()
    result = _real_replace(source, target, *args, **kwargs)
    if FAULT == "kill-after-rename" and str(source).endswith(".tmp"):
        _die()
    return result


os.fdopen, os.fsync, os.replace = fdopen, fsync, replace
'''

TIMED_KILLS = 16  # spread evenly over a whole build
INJECTED_KILLS = ("kill-mid-write", "kill-before-fsync", "kill-before-rename", "kill-after-rename")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _state(out: Path, builds) -> tuple[str, list[str]]:
    """What a reader finds in `out`: ("old" | "new", stray temporary files); any other PDF,
    a PDF with other bytes, or any other file fails the test."""
    pdf = out / builds.pdf_name
    found = files_in(out)
    pdfs = [path for path in found if path.suffix == ".pdf"]
    assert pdfs == [pdf], found
    data = pdf.read_bytes()
    assert data in (builds.old_pdf, builds.new_pdf), (
        f"{pdf.name} is neither the old nor the new PDF: {len(data)} bytes, {_digest(data)}")
    temporary = re.compile(rf"\.{re.escape(pdf.name)}\.[^/]+\.tmp")
    strays = [path for path in found if path != pdf]
    assert all(temporary.fullmatch(path.name) for path in strays), strays
    assert all(path.parent == pdf.parent for path in strays), strays
    return ("new" if data == builds.new_pdf else "old"), [path.name for path in strays]


def _kill_run(builds, directory: Path, *, after: float | None = None, fault: str | None = None):
    """One build of the new edition into `directory` (which holds the old PDF), killed
    `after` seconds or by an injected fault."""
    out = directory / "out"
    target = out / builds.pdf_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(builds.old_pdf)
    process = start_build(builds.new, out, cwd=directory,
                          prelude=SHIM.format(fault=fault) if fault else None)
    if after is not None:
        time.sleep(after)
        process.send_signal(signal.SIGKILL)
    status, _, err = finish(process)
    state, strays = _state(out, builds)
    return {"at": f"{after:.2f} s" if after is not None else fault, "status": status,
            "state": state, "strays": strays, "stderr": err[-300:]}


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_pdf(small_builds, tmp_path):
    builds = small_builds
    seconds = builds.seconds  # one whole build, process start to exit
    moments = [seconds * (index + 0.5) / TIMED_KILLS for index in range(TIMED_KILLS)]
    jobs = [{"after": moment} for moment in moments] + [{"fault": f} for f in INJECTED_KILLS]
    assert len(jobs) >= 20
    with ThreadPoolExecutor(max_workers=2) as pool:  # two builds at a time: one per core
        runs = list(pool.map(lambda numbered: _kill_run(builds, tmp_path / f"run{numbered[0]}",
                                                        **numbered[1]), enumerate(jobs)))
    report = "\n".join(f"{run['at']}: exit {run['status']}, {run['state']} PDF, "
                       f"{len(run['strays'])} temporary" for run in runs)
    # Every run was killed (none exited by itself) or finished; the injected kills hit the
    # write: before the rename the old PDF is whole, after it the new one.
    assert all(run["status"] in (-signal.SIGKILL, 0) for run in runs), report
    by_fault = {run["at"]: run for run in runs[TIMED_KILLS:]}
    for fault in ("kill-mid-write", "kill-before-fsync", "kill-before-rename"):
        assert by_fault[fault]["status"] == -signal.SIGKILL, report
        assert by_fault[fault]["state"] == "old" and len(by_fault[fault]["strays"]) == 1, report
    assert by_fault["kill-after-rename"]["state"] == "new", report
    assert by_fault["kill-after-rename"]["strays"] == [], report
    assert runs[0]["state"] == "old", report  # killed early: nothing written

    # A build after the crashes completes and replaces the old PDF, stray files or not; a
    # stray over an hour old is removed (its writer was killed), a younger one is left (it
    # may be another build's, still writing).
    directory = tmp_path / f"run{TIMED_KILLS}"  # the kill mid-write left a temporary file
    [stray] = list((directory / "out").rglob("*.tmp"))
    two_hours_ago = time.time() - 7200
    os.utime(stray, (two_hours_ago, two_hours_ago))
    # (a temporary file as printpost names it: a look-alike is never removed, whatever its age)
    descriptor, younger = publish._temporary(stray.parent / builds.pdf_name.name)
    os.write(descriptor, b"%PDF-1.7 still being written")
    os.close(descriptor)
    younger = Path(younger)
    status, _, err = finish(start_build(builds.new, directory / "out", cwd=directory))
    assert status == 0, err
    assert _state(directory / "out", builds)[0] == "new"
    assert list((directory / "out").rglob("*.tmp")) == [younger]


def test_a_full_disk_is_one_clear_error_and_the_old_pdf_stays(small_builds, tmp_path):
    """The write fails half-way with ENOSPC (a shim in the build process): exit 1, one
    `error:` line naming the PDF and the cause, no traceback, the old PDF as it was and no
    temporary file left."""
    out = tmp_path / "out"
    target = out / small_builds.pdf_name
    target.parent.mkdir(parents=True)
    target.write_bytes(small_builds.old_pdf)
    process = start_build(small_builds.new, out, cwd=tmp_path,
                          prelude=SHIM.format(fault="disk-full"))
    status, _, err = finish(process)
    assert status == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert str(target) in errors[0] and "no space left on the device" in errors[0], errors
    assert files_in(out) == [target]
    assert target.read_bytes() == small_builds.old_pdf


def _mount_tmpfs(directory: Path, size: int) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                            capture_output=True)
    return result.returncode == 0


def test_a_really_full_disk_too(small_builds, tmp_path):
    """The same on a real, tiny file system (a tmpfs, when the tests may mount one): room for
    the old PDF but not for the new one beside it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    size = (len(small_builds.old_pdf) // 4096 + 2) * 4096
    if not _mount_tmpfs(disk, size):
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        target = disk / small_builds.pdf_name
        target.parent.mkdir(parents=True)
        target.write_bytes(small_builds.old_pdf)
        status, _, err = finish(start_build(small_builds.new, disk, cwd=tmp_path))
        assert status == 1, err
        assert "Traceback" not in err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, err
        assert str(target) in errors[0] and "no space left on the device" in errors[0], errors
        assert files_in(disk) == [target]
        assert target.read_bytes() == small_builds.old_pdf
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_two_builds_of_one_edition_at_once_leave_one_good_pdf(small_builds, tmp_path):
    out = tmp_path / "out"
    processes = [start_build(small_builds.new, out, cwd=tmp_path, env=clean_env())
                 for _ in range(2)]
    results = [finish(process) for process in processes]
    assert [status for status, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert files_in(out) == [out / small_builds.pdf_name]
    assert (out / small_builds.pdf_name).read_bytes() == small_builds.new_pdf
