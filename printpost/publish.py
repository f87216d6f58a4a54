"""Publish step: where built editions go, and writing them so nothing is ever half-written.

A PDF is written to a temporary file beside its destination, flushed to disk, then renamed
over it: readers (and the download site) see the previous complete file or the new
complete file, never a partial one, even if the build is killed or the disk fills up.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .models import Edition

DEFAULT_OUTPUT_DIR = Path("output")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_PUBLIC_MODE = 0o666 & ~_umask()


def edition_path(edition: Edition, format_name: str, out_dir: Path = DEFAULT_OUTPUT_DIR) -> Path:
    """output/2026-04/2026-04-19-issue-081-a4.pdf"""
    day = edition.date
    return out_dir / f"{day:%Y-%m}" / f"{day.isoformat()}-issue-{edition.number:03d}-{format_name}.pdf"


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step; on any failure the old file is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fchmod(file.fileno(), _PUBLIC_MODE)  # mkstemp makes it private (0600)
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
