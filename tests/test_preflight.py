"""Preflight measures laid-out pages: each check fires on a layout made to break it, and the
sample editions pass in the home and e-reader formats."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from printpost import compose, load, pipeline, preflight, render
from printpost.engine import linebreaks
from printpost.formats import formats, get_format

from conftest import SAMPLES, TYPESETTER

A4 = get_format("a4")
LINE = 16  # px: the 12pt grid line of the a4 profile


def measure(body: str, css: str = "", fmt=A4) -> preflight.Report:
    """Preflight a small document set in the bundled fonts."""
    html = f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>@page {{ size: 120mm 90mm; margin: 10mm }}
      html {{ font: 9pt/12pt "PT Serif"; }} {css}</style></head><body>{body}</body></html>"""
    rendered = render.render(html, created="2026-04-19T06:00:00Z", keep_document=True)
    return preflight.preflight(rendered.document, fmt, missing_glyphs=rendered.notdef)


# The page measures (fill, whole boxes, measure: tests/test_pages.py) judge pages; the small
# documents here are not pages of an edition, so they are left out of what these tests see.
PAGE_CHECKS = {"page-fill", "measure", "split-box", "listing-balance", "page-count"}


def checks(report) -> list[str]:
    return sorted(finding.check for finding in report.errors if finding.check not in PAGE_CHECKS)


def edition_errors(report) -> list[str]:
    """Errors of an edition's report but the page measures (judged in tests/test_pages.py)."""
    return [str(finding) for finding in report.errors if finding.check not in PAGE_CHECKS]


WORDS = " ".join(["the desk sets the copy in even columns"] * 6)
COLUMNS = ".story-body { columns: 2; column-gap: 4mm; column-fill: auto; height: 48px; width: 100mm }"


def test_a_clean_layout_has_no_errors():
    report = measure(f'<div class="story-body" style="columns:2">{WORDS}</div>')
    assert checks(report) == []
    assert report.measurements["overflows"] == 0


def test_overflow_past_the_page_fires():
    report = measure('<div style="width: 200mm; height: 10mm; background: #000"></div>')
    assert "overflow" in checks(report)
    assert report.measurements["overflows"] >= 1


def test_unbroken_word_past_its_column_fires():
    word = "llmfan46/Forgotten-Abomination-36B-v4.1-ultra-uncensored-heretic".replace("-", "_")
    report = measure(f'<div class="story-body" style="columns: 3; width: 100mm"><p>{word} {WORDS}</p></div>')
    assert any(f.check == "overflow" and "past its column" in f.message for f in report.errors)


def test_widow_fires():
    # Three lines fit a column: a four-line paragraph leaves one line at the next column head.
    text = " ".join(["word"] * 16)
    report = measure(f'<div class="story-body"><p style="widows:1; orphans:1">{text}</p></div>',
                     COLUMNS.replace("width: 100mm", "width: 64mm") + " p { hyphens: manual }")
    assert report.measurements["widows"] == 1 and "widow" in checks(report)


def test_orphan_fires():
    two, four = " ".join(["word"] * 8), " ".join(["word"] * 16)
    report = measure(f'<div class="story-body"><p>{two}</p><p style="orphans:1; widows:1">{four}</p></div>',
                     COLUMNS.replace("width: 100mm", "width: 64mm") + " p { hyphens: manual }")
    assert report.measurements["orphans"] == 1 and "orphan" in checks(report)


def test_stranded_head_fires():
    two = " ".join(["word"] * 12)
    report = measure(f'<div class="story-body"><p>{two}</p><h2 class="headline" style="font: 9pt/12pt serif">'
                     f'Head at the foot</h2><p>{two}</p></div>',
                     COLUMNS.replace("width: 100mm", "width: 64mm") + " p { hyphens: manual }")
    assert report.measurements["stranded_heads"] == 1


def test_column_imbalance_fires():
    report = measure(f'<div class="story-body"><p style="widows: 1">{" ".join(["word"] * 20)}</p></div>',
                     COLUMNS.replace("height: 48px", "height: 80px").replace("width: 100mm", "width: 64mm"))
    assert report.measurements["max_column_spread_lines"] > 1
    assert "column-balance" in checks(report)


LADDER = ('<div class="story-body"><p style="width: 30mm; hyphens: auto; text-align: justify">'
          "The characterization of internationalization responsibilities demonstrates "
          "extraordinary administrative accountability considerations throughout "
          "organizational transformations affecting telecommunications infrastructure</p></div>")


def test_hyphenation_ladder_fires(monkeypatch):
    # The line breaker allows no ladder (below): measured here as WeasyPrint breaks lines.
    monkeypatch.setattr(linebreaks, "limited_hyphenation", contextlib.nullcontext)
    report = measure(LADDER)
    assert report.measurements["hyphen_ladders"] >= 1
    assert "hyphen-ladder" in checks(report)


def test_line_breaker_allows_two_hyphenated_lines_in_a_row_at_most():
    rendered = render.render(f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>html {{ font: 9pt/12pt "PT Serif"; }}</style></head><body>{LADDER}</body></html>""",
                             created="2026-04-19T06:00:00Z", keep_document=True)
    lines = [preflight.line_text(line) for page in rendered.document.pages
             for box, _ in preflight._walk(page._page_box, [])
             for line in getattr(box, "children", ()) if type(line).__name__ == "LineBox"]
    ends = "".join("h" if line.rstrip().endswith(linebreaks.HYPHENS) else "." for line in lines)
    assert ends.count("h") >= 5, lines  # still hyphenated...
    assert "hhh" not in ends, lines  # ...but never three lines in a row
    assert preflight.preflight(rendered.document, A4).measurements["hyphen_ladders"] == 0


def test_missing_glyph_fires():
    report = measure("<p>中文 text</p>")
    assert "missing-glyph" in checks(report)


def test_small_text_fires():
    report = measure('<p style="font-size: 5pt">fine print</p>')
    assert report.measurements["small_text"] == 1


@pytest.mark.parametrize("width, quiet, expected", [("15mm", 4, "qr-size"), ("25mm", 0, "qr-quiet-zone")])
def test_qr_checks_fire(width, quiet, expected, monkeypatch):
    import qrcode

    original = qrcode.QRCode.__init__
    monkeypatch.setattr(qrcode.QRCode, "__init__",
                        lambda self, **kw: original(self, **{**kw, "border": quiet}))
    compose.qr_data_uri.cache_clear()
    try:
        src = compose.qr_data_uri("https://example.com/subscribe")
    finally:
        compose.qr_data_uri.cache_clear()
    report = measure(f'<img class="qr-code" src="{src}" style="width:{width}; height:{width}">')
    assert checks(report) == [expected]


def test_page_count_against_the_formats_counts():
    report = measure("<p>one page</p>", fmt=get_format("press"))
    assert report.page_counts == [2, 4]  # a press prints sheets of two or four pages
    assert any(f.check == "page-count" and "2 or 4" in f.message for f in report.errors)


def test_off_grid_lines_are_measured():
    on = measure(f'<div class="story-body">{WORDS}</div>')
    off = measure(f'<div class="story-body"><p>{WORDS}</p></div><div class="story-body" style="margin-top: 5px">'
                  f'<p>{WORDS}</p></div>')
    assert on.measurements["body_lines_on_grid_pct"] == 100.0
    assert off.measurements["body_lines_on_grid_pct"] < 80


# ---- the sample editions ------------------------------------------------------------------

@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_samples_pass_preflight_in_a4(built_samples, sample):
    [output] = built_samples[sample].outputs
    report = output.preflight
    assert edition_errors(report) == []
    m = report.measurements
    assert m["overflows"] == m["widows"] == m["orphans"] == m["stranded_heads"] == 0
    assert m["hyphen_ladders"] == 0 and m["missing_glyphs"] == 0 and m["small_text"] == 0
    assert m["max_column_spread_lines"] <= 1.0
    assert m["qr_width_mm"] >= 20
    assert m["body_lines"] > 60
    assert m["body_lines_on_grid_pct"] >= 95


@pytest.mark.parametrize("format_name", ["letter", "ereader"])
def test_newest_sample_passes_preflight_in_other_home_formats(format_name):
    _, report = TYPESETTER.typeset(load.load(SAMPLES[-1]), get_format(format_name))
    assert edition_errors(report) == []
    assert report.measurements["overflows"] == 0


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_samples_pass_preflight_in_press(sample):
    """The press edition: a page count a press prints (the samples' copy fills two pages),
    story columns level (copyfit narrows a story whose last leg would be short), the body on
    the grid, the house ad's QR code larger than a home page's (a panel's 50 mm, a back
    page's 90 mm)."""
    rendered, report = TYPESETTER.typeset(load.load(sample), get_format("press"))
    assert edition_errors(report) == []
    m = report.measurements
    assert rendered.pages == report.pages == 2 and report.pages in report.page_counts
    assert m["overflows"] == m["widows"] == m["orphans"] == m["stranded_heads"] == 0
    assert m["max_column_spread_lines"] <= 1.0
    assert m["body_lines_on_grid_pct"] >= 95
    assert m["qr_width_mm"] >= 50


def test_every_format_is_a_profile_with_its_own_page_size():
    sizes = {(fmt.page_width, fmt.page_height) for fmt in formats().values()}
    assert len(sizes) == len(formats()) >= 5
    assert get_format("ereader").columns == 1
    assert get_format("press").bleed == "3mm" and get_format("press").crop_marks


def test_press_pdf_has_bleed_trim_crop_marks_and_cmyk():
    import pikepdf
    import pypdfium2

    rendered = TYPESETTER.render(load.load(SAMPLES[-1]), get_format("press"))
    pdf = pikepdf.open(io.BytesIO(rendered.pdf))
    page = pdf.pages[0]
    trim = [float(v) for v in page.obj["/TrimBox"]]
    bleed = [float(v) for v in page.obj["/BleedBox"]]
    media = [float(v) for v in page.obj["/MediaBox"]]
    assert trim == pytest.approx([0, 0, 11 * 72, 17 * 72], abs=0.1)
    bleed_pt = 3 / 25.4 * 72
    assert bleed == pytest.approx([-bleed_pt, -bleed_pt, 11 * 72 + bleed_pt, 17 * 72 + bleed_pt], abs=0.1)
    assert media[0] <= bleed[0] and media[2] >= bleed[2]
    assert b"/DeviceCMYK cs" in page.Contents.read_bytes() or b" k\n" in page.Contents.read_bytes()
    # Process colours only: no RGB colour on any page, the QR code's black included (only
    # WeasyPrint's own crop marks, drawn in form XObjects, are RGB).
    for number, each in enumerate(pdf.pages, start=1):
        operators = re.findall(rb"^[^\n]* (?:rg|RG)$", each.Contents.read_bytes(), re.M)
        assert operators == [], (number, operators[:3])
    assert b"PDF/X-4" in pdf.Root.Metadata.read_bytes()
    # Crop marks: ink in the bleed strip left of the trim box, where no page content goes.
    image = pypdfium2.PdfDocument(rendered.pdf)[0].render(scale=2).to_pil().convert("L")
    assert image.width == pytest.approx((media[2] - media[0]) * 2, abs=2)
    strip = image.crop((0, 0, int((trim[0] - media[0]) * 2) - 1, image.height))
    assert strip.getextrema()[0] < 128, "no crop mark outside the trim box"


def test_a_long_word_broken_over_lines_is_not_a_ladder():
    name = "llmfan46/Forgotten-Abomination-36B-v4.1-ultra-uncensored-heretic" * 2
    report = measure(f'<p style="width: 25mm; hyphens: auto; overflow-wrap: anywhere">{name} '
                     "ends here</p>")
    assert report.measurements["hyphen_ladders"] == 0
    # ... while three hyphenated words in a row still are one (test_hyphenation_ladder_fires).


def test_stress_edition_keeps_a_press_page_count_and_every_word(tmp_path):
    """Issue 4's stress sample: the lead three times over, 12 tools, 20 trending entries,
    60-character model names. The press edition has a page count a press prints, and no
    word is lost (a lead that jumps: tests/test_planner.py)."""
    from editions import stress_edition
    from pdfcheck import squash, text_of

    path = tmp_path / "2026-04-19.yaml"
    path.write_text(stress_edition(), encoding="utf-8")
    loaded = load.load(path)
    rendered, report = TYPESETTER.typeset(loaded, get_format("press"))
    assert rendered.pages == report.pages and rendered.pages in report.page_counts
    assert [f for f in report.errors if f.check in ("page-count", "overflow", "hyphen-ladder")] == []
    assert report.measurements["body_lines_on_grid_pct"] >= 95
    text = squash(text_of(rendered.pdf))
    for paragraph in loaded.issue.lead.body:  # every word of the lead, front and jump
        assert squash(compose.plain(paragraph)) in text
    for tool in loaded.issue.tools.items:
        assert squash(tool.name) in text


def test_copyfit_ends_a_ladder_in_one_pass(monkeypatch):
    """A laddered paragraph is first set without automatic hyphens (tracking alone rarely
    moves a ladder, and each try is a whole pass): one pass later the ladder is gone.
    (Copyfit's fix for a ladder the line breaker lets through: here it is switched off.)"""
    from printpost import copyfit

    monkeypatch.setattr(linebreaks, "limited_hyphenation", contextlib.nullcontext)
    text = " ".join(["internationalization"] * 12)
    html = f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>@page {{ size: 120mm 90mm; margin: 10mm }} html {{ font: 9pt/12pt "PT Serif"; }}
      #story {{ width: 20mm; hyphens: auto; text-align: justify }}</style></head>
      <body><div class="story-body" id="story"><p id="story-p1">{text}</p></div></body></html>"""

    def report(*stylesheets):
        rendered = render.render(html, created="2026-04-19T06:00:00Z", keep_document=True,
                                 stylesheets=stylesheets)
        return preflight.preflight(rendered.document, A4, missing_glyphs=rendered.notdef)

    before = report()
    assert {f.target for f in before.errors if f.check == "hyphen-ladder"} == {"story-p1"}
    steps = copyfit.next_adjustment({}, before.errors)
    tracking, hyphenate = copyfit.STEPS[steps["story-p1"]]
    assert not hyphenate
    after = report(copyfit.stylesheet(steps))
    assert after.measurements["hyphen_ladders"] == 0


def test_nudges_wait_only_on_pages_where_something_above_moves():
    from printpost import copyfit

    findings = [preflight.Finding("off-grid", 1, "", target="deep-dive", amount=5.0),
                preflight.Finding("off-grid", 2, "", target="opinion", amount=7.0)]
    assert copyfit.next_nudges({}, findings, LINE, skip_pages={1}) == {"opinion": 7.0}
    assert copyfit.next_nudges({}, findings, LINE) == {"deep-dive": 5.0, "opinion": 7.0}


def test_text_drawn_with_no_glyph_is_reported_from_the_kept_pass():
    """Passes are laid out, not drawn; WeasyPrint reports a missing glyph only while drawing,
    so the kept pass is drawn at the end and what it reports joins its findings."""
    from pathlib import Path

    text = SAMPLES[-1].read_text(encoding="utf-8").replace("headline: '", "headline: '中 ", 1)
    loaded = load.LoadedIssue(path=Path("x.yaml"), issue=load.parse(text, "x.yaml"),
                              source=text.encode("utf-8"))
    rendered, report = TYPESETTER.typeset(loaded, get_format("a4"))
    messages = [f.message for f in report.errors if f.check == "missing-glyph"]
    assert any(".notdef" in m and "U+4E2D" in m for m in messages), messages
    assert any(m.startswith("lead.headline: U+4E2D") for m in messages), messages
    assert rendered.pdf.startswith(b"%PDF")
