"""Month bundle: a zip of every edition PDF of a month, with a manifest.json.

The manifest lists each edition (issue number, date, lead headline, source file) with its
PDFs per format (file, pages, bytes, sha256), and the days without an edition as gaps: a
day the paper did not appear is a fact about the month, not an error. The zip is the same
bytes for the same editions (fixed entry dates and order), so a rebuilt bundle of an
unchanged month is not a new file to mirrors and caches.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from . import __version__, catalog

PAPER = "The AI Morning Post"


def folder(month: str) -> str:
    """The bundle's one top-level folder, so that unpacking it makes no mess."""
    return f"the-ai-morning-post-{month}"


def manifest(month: str, outcomes: list[catalog.EditionOutcome], gaps: list[str]) -> dict:
    editions = []
    for outcome in outcomes:
        first = outcome.records[0]
        editions.append({
            "issue": first.issue,
            "date": first.date,
            "headline": first.headline,
            "source": first.source,
            "formats": [record.format for record in outcome.records],
            "files": [
                {"format": record.format, "file": record.path.name, "pages": record.pages,
                 "bytes": record.bytes, "sha256": record.sha256}
                for record in outcome.records
            ],
        })
    return {"title": PAPER, "month": month, "generator": f"printpost {__version__}",
            "editions": editions, "gaps": gaps}


def _entry(name: str, day: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=dt.datetime.fromisoformat(f"{day}T06:00:00").timetuple()[:6])
    info.external_attr = 0o644 << 16  # readable by all once unpacked
    info.compress_type = compress
    return info


def bundle(month: str, outcomes: list[catalog.EditionOutcome], gaps: list[str]) -> bytes:
    """The zip's bytes: <folder>/manifest.json and <folder>/<edition>.pdf for every format."""
    root = folder(month)
    buffer = io.BytesIO()
    newest = max(outcome.records[0].date for outcome in outcomes)
    with zipfile.ZipFile(buffer, "w") as archive:
        text = json.dumps(manifest(month, outcomes, gaps), indent=2, ensure_ascii=False) + "\n"
        archive.writestr(_entry(f"{root}/manifest.json", newest, zipfile.ZIP_DEFLATED),
                         text.encode("utf-8"))
        for outcome in outcomes:
            for record in outcome.records:
                # PDFs are compressed already: stored, they unpack faster and lose nothing.
                archive.writestr(_entry(f"{root}/{record.path.name}", record.date, zipfile.ZIP_STORED),
                                 record.path.read_bytes())
    return buffer.getvalue()
