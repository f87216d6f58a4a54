"""Publish step: where built editions go, and writing them so nothing is ever half-written.

A PDF is written to a temporary file beside its destination, flushed to disk, then renamed
over it: readers (and the download site) see the previous complete file or the new
complete file, never a partial one, even if the build is killed or the disk fills up. A
process killed mid-write cannot remove its temporary file; the next write of the same file
removes any that is over an hour old (younger ones may be another build's, still writing).
Only temporary files printpost made are removed: each one's name carries a check of the
file it stands in for (`.NAME.<random><check>.tmp`), so a user's `.index.html.orig.tmp`,
or any other file that merely looks like one, is never touched.
"""

from __future__ import annotations

import datetime as dt
import errno
import glob
import hashlib
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the data model (pydantic) is not needed to print `printpost --help`
    from .models import Edition

DEFAULT_OUTPUT_DIR = Path("output")
STALE_TEMPORARY_SECONDS = 3600  # no write takes this long: such a file's writer was killed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_PUBLIC_MODE = 0o666 & ~_umask()


def human_size(size: int) -> str:
    """A file's size as every command and the site print it: decimal units (1 KB = 1000
    bytes), as file managers and browsers show downloads."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


def edition_path(edition: Edition, format_name: str, out_dir: Path = DEFAULT_OUTPUT_DIR) -> Path:
    """output/2026-04/2026-04-19-issue-081-a4.pdf"""
    return dated_edition_path(edition.date, format_name, out_dir)


def dated_edition_path(day: dt.date, format_name: str, out_dir: Path = DEFAULT_OUTPUT_DIR, *,
                       archival: bool = False) -> Path:
    """The edition of `day` (its number follows from the date); archival PDF/A copies are
    output/2026-04/2026-04-19-issue-081-a4-archival.pdf."""
    from .models import issue_number

    variant = "-archival" if archival else ""
    name = f"{day.isoformat()}-issue-{issue_number(day):03d}-{format_name}{variant}.pdf"
    return out_dir / f"{day:%Y-%m}" / name


def sidecar_path(pdf: Path) -> Path:
    """What an incremental build knows about a PDF: 2026-04-19-issue-081-a4.pdf.json"""
    return pdf.with_name(pdf.name + ".json")


def month_archive_path(month: str, out_dir: Path = DEFAULT_OUTPUT_DIR, suffix: str = ".pdf") -> Path:
    """output/archive/the-ai-morning-post-2026-04.pdf (and .zip, the bundle of editions)"""
    return out_dir / "archive" / f"the-ai-morning-post-{month}{suffix}"


def _check(name: str, token: str) -> str:
    return hashlib.sha256(f"printpost\0{name}\0{token}".encode()).hexdigest()[:8]


def _temporary(path: Path) -> tuple[int, str]:
    """A new private temporary file beside `path`, named as printpost's (see above)."""
    while True:
        token = secrets.token_hex(4)
        name = str(path.parent / f".{path.name}.{token}{_check(path.name, token)}.tmp")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                           0o600), name
        except FileExistsError:
            continue


def is_own_temporary(stray: Path, path: Path) -> bool:
    """Is `stray` a temporary file printpost made while writing `path`?"""
    prefix, suffix = f".{path.name}.", ".tmp"
    middle = stray.name[len(prefix):-len(suffix)] if (
        stray.name.startswith(prefix) and stray.name.endswith(suffix)) else ""
    token, check = middle[:8], middle[8:]
    return len(middle) == 16 and _check(path.name, token) == check


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step; on any failure the old file is untouched and
    the temporary file is removed. An OSError (a full disk, say) names `path` as its filename."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = _temporary(path)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fchmod(file.fileno(), _PUBLIC_MODE)  # made private (0600)
            os.fsync(file.fileno())
        os.replace(temporary, path)
        temporary = None
        _remove_stale_temporaries(path)
    except BaseException as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename in (None, temporary):
            raise OSError(error.errno, error.strerror or str(error), str(path)) from error
        raise


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of `path` left by writers that were killed (see write_atomic)."""
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for stray in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if is_own_temporary(stray, path) and stray.stat().st_mtime < cutoff:
                stray.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: it does no harm


_CAUSES = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EISDIR: "it is a directory",
    errno.EEXIST: "it exists already, and is not a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.ENOENT: "no such file or directory",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "input/output error (the device failed)",
}


def describe_os_error(error: OSError) -> str:
    """One line for a failed file operation: the path, then the cause in words."""
    cause = _CAUSES.get(error.errno) or error.strerror or str(error) or type(error).__name__
    where = error.filename if error.filename is not None else None
    if where is not None and getattr(error, "filename2", None) is not None:
        where = f"{where} → {error.filename2}"
    return f"{where}: {cause}" if where is not None else f"{cause}"
