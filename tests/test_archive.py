"""The month archive (one PDF, a zip with a manifest) and archival PDF/A-3b editions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pypdf
import pypdfium2
import pytest

from monthkit import DAYS, MONTH, assert_pdfa3b, copy_month, run_cli
from pdfcheck import squash
from printpost import archive, bundle, catalog, pipeline
from printpost.formats import get_format


def _starts(records) -> list[int]:
    """0-based page where each edition starts: after the cover and the contents page."""
    starts, page = [], 2
    for record in records:
        starts.append(page)
        page += record.pages
    return starts


def _page_text(data: bytes, index: int) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return document[index].get_textpage().get_text_range()
    finally:
        document.close()


def test_archive_is_cover_contents_then_every_edition_page(month_archive):
    records = month_archive.records
    assert [r.date for r in records] == [f"{MONTH}-{day:02d}" for day in DAYS]
    reader = pypdf.PdfReader(month_archive.pdf)
    assert len(reader.pages) == 2 + sum(r.pages for r in records) == month_archive.pages
    data = month_archive.pdf.read_bytes()
    assert "April 2026" in _page_text(data, 0) and f"{len(DAYS)} editions" in _page_text(data, 0)
    assert "Contents" in _page_text(data, 1)
    # Each edition's pages are its PDF's pages, in order: same text, page by page.
    for record, start in zip(records, _starts(records)):
        edition = record.path.read_bytes()
        for index in range(record.pages):
            assert squash(_page_text(data, start + index)) == squash(_page_text(edition, index))


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="with the page planner an edition's outline lists \"Inside Today\" before "
                          "the lead's headline (the planner's layouts set the contents box "
                          "before the lead; not yet looked into)")
def test_outline_is_month_then_one_entry_per_edition_then_its_sections(month_archive):
    reader = pypdf.PdfReader(month_archive.pdf)
    [month_item, editions] = reader.outline
    assert month_item.title == "The AI Morning Post — April 2026"
    assert reader.get_destination_page_number(month_item) == 0
    titles = [item.title for item in editions if not isinstance(item, list)]
    assert titles == [f"No. {r.issue} — {dt.date.fromisoformat(r.date):%A %-d %B %Y}"
                      for r in month_archive.records]
    entries = [item for item in editions if not isinstance(item, list)]
    sections = [item for item in editions if isinstance(item, list)]
    assert len(entries) == len(sections) == len(DAYS)
    for record, start, entry, children in zip(month_archive.records, _starts(month_archive.records),
                                              entries, sections):
        assert reader.get_destination_page_number(entry) == start
        top = [item for item in children if not isinstance(item, list)]
        assert top[0].title == record.headline  # the lead story, first
        assert reader.get_destination_page_number(top[0]) == start
        pages = [reader.get_destination_page_number(item) for item in top]
        assert all(start <= page < start + record.pages for page in pages)
        assert "Subscribe to AI Morning Post" in [item.title for item in top]


def _link_targets(reader, page_index) -> list[int]:
    targets = []
    for annotation in reader.pages[page_index].get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
            targets.append(reader.get_page_number(annotation["/Dest"][0].get_object()))
    return targets


def test_contents_links_point_at_each_editions_first_page(month_archive):
    reader = pypdf.PdfReader(month_archive.pdf)
    starts = _starts(month_archive.records)
    targets = _link_targets(reader, 1)
    assert sorted(set(targets)) == starts  # every edition linked, nothing else
    contents = _page_text(month_archive.pdf.read_bytes(), 1)
    for record, start in zip(month_archive.records, starts):
        line = next(line for line in contents.splitlines() if line.startswith(f"No. {record.issue}"))
        assert line.rstrip().endswith(str(start + 1))  # the printed page number
    assert "Friday 3 April" in contents and "No edition" in contents  # a gap, listed
    assert sorted(set(_link_targets(reader, 0))) == starts  # the cover's thumbnails link too
    raw = month_archive.pdf.read_bytes()
    assert b"urn:printpost" not in raw  # no placeholder link survived


def test_editions_internal_links_stay_inside_their_edition(month_archive):
    reader = pypdf.PdfReader(month_archive.pdf)
    checked = 0
    for record, start in zip(month_archive.records, _starts(month_archive.records)):
        for index in range(start, start + record.pages):
            for annotation in reader.pages[index].get("/Annots", []):
                annotation = annotation.get_object()
                if "/Dest" in annotation:
                    target = reader.get_page_number(annotation["/Dest"][0].get_object())
                    assert start <= target < start + record.pages
                    checked += 1
    assert checked >= len(DAYS)  # every front page's "Inside Today" box links inward


def test_archive_is_pdfa3b_with_every_editions_data_attached(month_archive, month_issues):
    sources = {f"{r.date}.yaml": (month_issues / f"{r.date}.yaml").read_bytes()
               for r in month_archive.records}
    assert_pdfa3b(month_archive.pdf.read_bytes(), sources)


def test_bundle_has_every_pdf_and_a_manifest_with_gaps(month_archive):
    with zipfile.ZipFile(month_archive.bundle) as bundled:
        names = bundled.namelist()
        root = bundle.folder(MONTH)
        assert names[0] == f"{root}/manifest.json"
        manifest = json.loads(bundled.read(names[0]))
        assert manifest["month"] == MONTH and manifest["title"] == "The AI Morning Post"
        assert [e["date"] for e in manifest["editions"]] == [r.date for r in month_archive.records]
        assert [e["issue"] for e in manifest["editions"]] == [r.issue for r in month_archive.records]
        expected_gaps = [f"{MONTH}-{d:02d}" for d in range(1, 31) if d not in DAYS]
        assert manifest["gaps"] == expected_gaps
        for entry, record in zip(manifest["editions"], month_archive.records):
            assert entry["formats"] == ["a4"]
            [file] = entry["files"]
            data = bundled.read(f"{root}/{file['file']}")
            assert data == record.path.read_bytes()
            assert file["bytes"] == len(data) and file["sha256"] == hashlib.sha256(data).hexdigest()
            assert file["pages"] == len(pypdf.PdfReader(io.BytesIO(data)).pages)
        assert len(names) == 1 + len(DAYS)


def test_archive_again_is_up_to_date_and_assembly_is_reproducible(month_archive, built_month):
    again = archive.make_archive(MONTH, built_month.issues, built_month.out, ["a4"], jobs=1)
    assert again.status == "up to date" and again.build.rendered == 0
    sources = [(f"{r.date}.yaml", (built_month.issues / f"{r.date}.yaml").read_bytes())
               for r in month_archive.records]
    pdf, pages = archive.assemble(MONTH, month_archive.records, sources)
    assert pdf == month_archive.pdf.read_bytes() and pages == month_archive.pages


def test_empty_month_is_bad_input_and_writes_nothing(built_month, tmp_path):
    done = run_cli("archive", "2026-05", "--issues", built_month.issues, "--out", tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: no editions dated 2026-05 in {built_month.issues}; nothing written"
    assert list(tmp_path.iterdir()) == []


def test_not_a_month_is_bad_input(built_month, tmp_path):
    done = run_cli("archive", "April", "--issues", built_month.issues, "--out", tmp_path)
    assert done.returncode == 2 and "expected YYYY-MM" in done.stderr


def test_cli_archive_of_a_built_month_renders_nothing_new(month_archive, built_month):
    done = run_cli("archive", MONTH, "--issues", built_month.issues, "--out", built_month.out)
    assert done.returncode == 0, done.stderr
    n = len(DAYS)
    assert f"{n} editions: 0 built, {n} up to date (no rendering), 0 failed" in done.stdout
    assert (f"{month_archive.pdf}  {month_archive.pages} pages, {n} editions, {30 - n} days without "
            "an edition (up to date)") in done.stdout


@pytest.mark.slow
def test_archival_edition_is_reproducible_pdfa3b_with_its_data(built_month, tmp_path):
    month = copy_month(built_month, tmp_path, days=DAYS[:1])
    [source] = catalog.issue_files(month.issues)
    result = catalog.build_catalog([source], ["a4"], month.out, archival=True, jobs=1)
    [record] = result.records
    assert record.path.name == "2026-04-01-issue-063-a4-archival.pdf" and record.archival
    data = record.path.read_bytes()
    assert_pdfa3b(data, {source.name: source.read_bytes()})
    # The print PDF beside it is untouched, and a second render gives the same bytes.
    assert (month.out / "2026-04" / "2026-04-01-issue-063-a4.pdf").read_bytes() == \
        built_month.result.records[0].path.read_bytes()
    loaded, _ = pipeline.check(source)
    assert pipeline.Typesetter().render_archival(loaded, get_format("a4")).pdf == data
    # Set exactly as the print PDF (the same copyfit passes): every page reads the same.
    print_pdf = built_month.result.records[0].path.read_bytes()
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    assert pages == len(pypdf.PdfReader(io.BytesIO(print_pdf)).pages)
    assert [_page_text(data, i) for i in range(pages)] == \
        [_page_text(print_pdf, i) for i in range(pages)]


def test_archival_needs_an_rgb_format(built_month, tmp_path):
    # Press formats are CMYK PDF/X; under PDF/A's sRGB output intent they would not conform.
    done = run_cli("build", "--all", built_month.issues, "--out", tmp_path, "--archival",
                   "--format", "press")
    assert done.returncode == 2 and "archival PDF/A needs an RGB format" in done.stderr
    done = run_cli("archive", MONTH, "--issues", built_month.issues, "--out", tmp_path,
                   "--format", "press")
    assert done.returncode == 2 and "needs an RGB format first" in done.stderr
    assert list(tmp_path.iterdir()) == []
