"""The sample editions, built as the editor builds them, read back as a reader would."""

from __future__ import annotations

import io
import re

import pytest
from fontTools.ttLib import TTFont

from pdfcheck import fonts_of, squash, text_of
from printpost import load, pipeline, raster
from printpost.compose import plain
from printpost.resources import FONTS_DIR

from conftest import SAMPLES, TYPESETTER


def test_there_are_three_real_samples():
    assert len(SAMPLES) == 3


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_pdf_has_masthead_dateline_and_every_headline(built_samples, sample):
    result = built_samples[sample]
    issue = load.load(sample).issue
    edition = issue.edition
    [output] = result.outputs
    assert output.path.name == f"{edition.date.isoformat()}-issue-{edition.number:03d}-a4.pdf"
    assert output.path.parent.name == edition.date.strftime("%Y-%m")
    text = squash(text_of(output.path))
    expected = [
        edition.title,
        edition.long_date.upper(),  # the dateline is set in capitals
        f"No.{edition.number}",
        f"Est.{edition.established}",
        f"{edition.weather.temperature_c}°C{edition.weather.condition}",
        f"{issue.lead.score}/10",
        *(plain(headline) for headline in issue.headlines()),
        issue.lead.dek,
        issue.deep_dive.pull_quote,
        *(tool.name for tool in issue.tools.items),
        *(repo.name for repo in issue.trending.github),
        *(entry.name for entry in issue.trending.huggingface),
    ]
    missing = [item for item in expected if squash(item) not in text]
    assert missing == []
    assert squash(edition.tagline).upper() in text.upper()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_every_paragraph_is_printed_whole(built_samples, sample):
    issue = load.load(sample).issue
    text = squash(text_of(built_samples[sample].outputs[0].path))
    paragraphs = [*issue.lead.body, *issue.deep_dive.body,
                  *(p for column in issue.opinion.columns for p in column.body)]
    missing = [p[:50] for p in paragraphs if squash(plain(p)) not in text]
    assert missing == []


def _bundled_families() -> set[str]:
    families = set()
    for path in FONTS_DIR.glob("*.ttf"):
        with TTFont(path, lazy=True) as font:
            families.add(re.sub(r"[\s-]", "", font["name"].getBestFamilyName()))
    return families


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_fonts_are_embedded_subset_and_bundled(built_samples, sample):
    fonts = fonts_of(built_samples[sample].outputs[0].path)
    families = _bundled_families()
    assert len(families) >= 5
    assert fonts, "no fonts found in the PDF"
    for font in fonts:
        prefix, _, name = font["name"].lstrip("/").partition("+")
        assert re.fullmatch(r"[A-Z]{6}", prefix), f"{font['name']} is not a subset"
        assert font["embedded"], f"{font['name']} is not embedded"
        assert any(re.sub(r"-", "", name).startswith(family) for family in families), (
            f"{font['name']} is not one of the bundled fonts {sorted(families)}"
        )


def test_emoji_and_symbols_come_from_bundled_fonts(built_samples):
    # 🤗 is in every sample's GitHub listing; it must be drawn by the bundled emoji face.
    names = {font["name"].partition("+")[2] for font in fonts_of(built_samples[SAMPLES[0]].outputs[0].path)}
    assert "Noto-Emoji" in names
    assert "🤗" in text_of(built_samples[SAMPLES[0]].outputs[0].path)


def _decode_qr(pdf_path, dpi=150):
    import zxingcpp

    with open(pdf_path, "rb") as file:
        pdf = file.read()
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(pdf))
    for index in range(pages - 1, -1, -1):  # the subscribe box is at the back
        image = raster.page_image(pdf, index, dpi)
        for code in zxingcpp.read_barcodes(image):
            if code.format == zxingcpp.BarcodeFormat.QRCode:
                return code, dpi
    return None, dpi


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_qr_code_decodes_to_subscribe_url_and_is_big_enough(built_samples, sample):
    issue = load.load(sample).issue
    code, dpi = _decode_qr(built_samples[sample].outputs[0].path)
    assert code is not None, "no QR code found on any page"
    assert code.text == issue.subscribe.url
    corners = [code.position.top_left, code.position.top_right,
               code.position.bottom_right, code.position.bottom_left]
    width_px = max(point.x for point in corners) - min(point.x for point in corners)
    width_mm = width_px / dpi * 25.4
    # The symbol without its quiet zone; with the 4-module zone it is wider still.
    assert width_mm >= 18, f"QR symbol is only {width_mm:.1f} mm wide"


def test_same_input_gives_identical_bytes(built_samples, tmp_path):
    sample = SAMPLES[-1]
    again = TYPESETTER.build(sample, out_dir=tmp_path)
    first = built_samples[sample].outputs[0].path.read_bytes()
    assert again.outputs[0].path.read_bytes() == first


def test_pdf_metadata_comes_from_the_edition(built_samples):
    import pypdf

    sample = SAMPLES[-1]
    issue = load.load(sample).issue
    reader = pypdf.PdfReader(built_samples[sample].outputs[0].path)
    info = reader.metadata
    assert info.title == "The AI Morning Post — Issue #81 — Sunday 19 April 2026"
    assert info.author == issue.edition.title
    assert "D:20260419" in info["/CreationDate"]
    assert "issue 81" in info["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_every_page_has_a_folio_with_page_x_of_n(built_samples):
    import pypdfium2

    path = built_samples[SAMPLES[-1]].outputs[0].path
    document = pypdfium2.PdfDocument(str(path))
    count = len(document)
    assert count >= 2
    for index in range(count):
        page_text = document[index].get_textpage().get_text_range()
        assert f"Page {index + 1} of {count}" in page_text
        if index:
            assert "THE AI MORNING POST" in page_text  # running head on inside pages


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_inside_today_prints_the_page_each_section_is_on(built_samples, sample):
    """The front page's contents box: each entry's printed page number is the page its
    link jumps to (the PDF's named destination, placed by WeasyPrint where the section is)."""
    import pypdf
    import pypdfium2

    path = built_samples[sample].outputs[0].path
    reader = pypdf.PdfReader(path)
    destinations = {name: reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    links = [annotation.get_object()["/Dest"] for annotation in reader.pages[0]["/Annots"]
             if annotation.get_object().get("/Subtype") == "/Link"]
    sections = list(dict.fromkeys(str(link) for link in links))  # each link is drawn in parts
    document = pypdfium2.PdfDocument(str(path))
    front = document[0].get_textpage().get_text_range()
    document.close()
    printed = [int(number) for number in re.findall(r"\.\s*p\. (\d+)", front)]
    assert len(sections) == len(printed) >= 5, (sections, printed)
    assert printed == [destinations[name] for name in sections]
    assert max(printed) > 1  # not every section on the front page: the check can tell


def test_nothing_is_drawn_outside_the_page(built_samples):
    import pypdfium2

    for result in built_samples.values():
        document = pypdfium2.PdfDocument(str(result.outputs[0].path))
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            for rect_index in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(rect_index)
                assert left >= 0 and bottom >= 0 and right <= width + 0.5 and top <= height + 0.5


def test_missing_glyph_is_reported_with_its_field(sample_copy):
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(text.replace("location: Manchester", "location: \u4e2d Manchester"),
                           encoding="utf-8")
    _, warnings = pipeline.check(sample_copy)
    assert len(warnings) == 1
    assert "edition.location" in warnings[0] and "U+4E2D" in warnings[0]
