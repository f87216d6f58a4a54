"""A small synthetic month, built once per test session, and checks of archival PDFs.

The month tests (test_catalog, test_archive, test_site, test_month_faults) share these
session fixtures through conftest.py; a test that changes files works on a copy.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from printpost import archive, catalog
from printpost.resources import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "bench"))
import month as month_generator  # noqa: E402  (bench/month.py)

MONTH = "2026-04"
DAYS = (1, 2, 4, 5)  # four editions (every render counts in CI); the 3rd is a gap, and 6th–30th


@dataclass
class BuiltMonth:
    issues: Path
    out: Path
    result: catalog.CatalogResult


@pytest.fixture(scope="session")
def month_issues(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("month-issues")
    month_generator.write_month(MONTH, directory, DAYS)
    return directory


@pytest.fixture(scope="session")
def built_month(tmp_path_factory, month_issues) -> BuiltMonth:
    """The month's editions built from scratch in A4, in a pool of two workers."""
    out = tmp_path_factory.mktemp("month-output")
    result = catalog.build_catalog(catalog.issue_files(month_issues), ["a4"], out, jobs=2)
    return BuiltMonth(month_issues, out, result)


@pytest.fixture(scope="session")
def month_archive(built_month) -> archive.MonthArchive:
    return archive.make_archive(MONTH, built_month.issues, built_month.out, ["a4"], jobs=1)


def copy_month(built: BuiltMonth, target: Path, days=None) -> BuiltMonth:
    """A writable copy of the built month (issue files and outputs, sidecars included)."""
    issues, out = target / "issues", target / "output"
    issues.mkdir(parents=True)
    for path in catalog.issue_files(built.issues):
        if days is None or int(path.stem[-2:]) in days:
            shutil.copy2(path, issues / path.name)
    shutil.copytree(built.out, out)
    return BuiltMonth(issues, out, built.result)


def run_cli(*args: str, cwd: Path = PROJECT_DIR, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "printpost", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, **kwargs)


def pdf_problems(pdf) -> list[str]:
    """qpdf's structural check of an open pikepdf.Pdf (syntax, xref, streams)."""
    check = getattr(pdf, "check_pdf_syntax", None) or pdf.check
    return [str(problem) for problem in check()]


def assert_pdfa3b(data: bytes, sources: dict[str, bytes]) -> None:
    """The PDF/A-3b checks available without veraPDF, and the attached source data.

    qpdf finds no structural problem; the catalog has an sRGB PDF/A output intent, XMP
    metadata claiming part 3 conformance B that agrees with the document information, and
    exactly `sources` as associated files (AFRelationship Source, a media type, the bytes);
    every annotation is printable; the file has a trailer ID.
    """
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf_problems(pdf) == []
    assert data.startswith(b"%PDF-1.7")
    root = pdf.Root
    [intent] = root.OutputIntents
    assert intent.S == "/GTS_PDFA1"
    profile = intent.DestOutputProfile.read_bytes()
    assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "  # an RGB ICC profile
    xmp = root.Metadata.read_bytes().decode("utf-8")
    assert re.search(r'pdfaid:part="3"', xmp) and re.search(r'pdfaid:conformance="B"', xmp)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        assert meta["dc:title"] == str(pdf.docinfo["/Title"])
        assert meta["pdf:Producer"] == str(pdf.docinfo["/Producer"])
    assert len(pdf.trailer.ID) == 2
    attached = {}
    for filespec in root.AF:
        assert filespec.AFRelationship == "/Source"
        stream = filespec.EF.F
        assert str(stream.Subtype).startswith("/application")
        attached[str(filespec.UF)] = stream.read_bytes()
    assert attached == sources
    embedded = pikepdf.NameTree(root.Names.EmbeddedFiles)
    assert sorted(embedded.keys()) == sorted(sources)
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            assert int(annotation.F) & 4, "annotation not flagged printable"
