"""Preflight's page measures (printpost/pages.py): each fires on a layout broken on purpose,
and `printpost check` exits 1 on each defect issue 17 found on real pages (rebuilt here)."""

from __future__ import annotations

import functools
import json

import pytest

from printpost import pipeline, preflight, render
from printpost.formats import get_format

from conftest import SAMPLES

A4 = get_format("a4")
WORDS = " ".join(["the desk sets the copy in even columns"] * 6)
PAGE = "@page { size: 120mm 90mm; margin: 10mm }"


def measure(body: str, css: str = "", fmt=A4) -> preflight.Report:
    html = f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>{PAGE} html {{ font: 9pt/12pt "PT Serif"; }} {css}</style></head>
      <body>{body}</body></html>"""
    rendered = render.render(html, created="2026-04-19T06:00:00Z", keep_document=True)
    return preflight.preflight(rendered.document, fmt, missing_glyphs=rendered.notdef)


def errors(report, check: str) -> list[preflight.Finding]:
    return [finding for finding in report.errors if finding.check == check]


def page(report, number: int) -> dict:
    return report.measurements["pages"][number - 1]


# ---- fill ------------------------------------------------------------------------------

def test_a_full_page_measures_full():
    report = measure(f'<div class="story-body" style="columns: 3">{WORDS * 6}</div>')
    assert report.pages >= 2
    assert page(report, 1)["fill_pct"] >= 97
    assert errors(report, "page-fill") == []


def test_a_page_left_mostly_blank_fires():
    report = measure(f"<p>{WORDS[:80]}</p><p style='break-before: page'>{WORDS * 6}</p>")
    assert page(report, 1)["fill_pct"] < 20 and page(report, 2)["fill_pct"] > 97
    underfilled = [f.page for f in errors(report, "page-fill")]
    assert 1 in underfilled and 2 not in underfilled
    assert report.measurements["pages_underfilled"] == len(underfilled)


def test_a_last_page_under_half_full_fires():
    report = measure("<div style='height: 70mm; background: #eee'></div><p>last</p>")
    last = report.pages
    assert last == 2 and page(report, 1)["fill_pct"] == 100 and page(report, 2)["fill_pct"] < 50
    assert [f.page for f in errors(report, "page-fill")] == [last]
    assert "last page" in errors(report, "page-fill")[0].message


def test_a_blank_column_foot_is_measured_per_column():
    """Three grid columns: the first ends after a few lines, the others run to the foot."""
    report = measure(f'<div class="story-body" style="columns: 3; column-fill: auto; height: 70mm">'
                     f'<p style="break-after: column">{WORDS[:60]}</p><p>{WORDS * 4}</p></div>')
    first, second, _ = page(report, 1)["columns"]
    assert first["blank_foot_lines"] > 10 and first["fill_pct"] < 40
    assert second["blank_foot_lines"] == 0 and second["fill_pct"] > 95


def test_a_gap_of_a_few_lines_is_a_hole_and_spacing_is_not():
    spaced = measure(f"<p>{WORDS}</p><p style='margin-top: 24pt'>{WORDS * 4}</p>")
    holed = measure(f"<p>{WORDS}</p><p style='margin-top: 120pt'>{WORDS * 4}</p>")
    assert page(spaced, 1)["fill_pct"] >= 97
    assert page(holed, 1)["fill_pct"] < page(spaced, 1)["fill_pct"] - 30


# ---- boxes that stay whole ---------------------------------------------------------------

def test_a_fact_box_split_over_pages_fires():
    report = measure(f"<p>{WORDS * 2}</p><aside class='factbox' style='break-inside: auto'>"
                     f"<p>{WORDS * 3}</p></aside>")
    [finding] = errors(report, "split-box")
    assert "factbox" in finding.message and "pages 1–2" in finding.message
    assert page(report, 1)["whole_boxes_split"] == page(report, 2)["whole_boxes_split"] == 1


def test_a_listing_item_split_over_columns_fires():
    report = measure(f'<div class="columns" style="columns: 2; column-fill: auto; height: 40mm">'
                     f'<section class="listing"><ul><li style="break-inside: auto">{WORDS * 2}'
                     "</li></ul></section></div>")
    [finding] = errors(report, "split-box")
    assert "listing item" in finding.message and "columns" in finding.message


def test_a_whole_box_kept_whole_does_not_fire():
    report = measure(f"<p>{WORDS * 3}</p><aside class='factbox' style='break-inside: avoid'>"
                     f"<p>{WORDS * 2}</p></aside>")
    assert report.pages == 2 and errors(report, "split-box") == []


# ---- stranded heads ----------------------------------------------------------------------

def test_a_section_head_with_its_intro_stranded_at_a_column_foot_fires():
    """The a4 defect of issue 17: "Trending" and its one-line intro end a column, the list
    starts the next. A head alone is caught too; a head above its columns is not stranded."""
    report = measure(f'<div class="columns" style="columns: 2; column-fill: auto; height: 60mm">'
                     f'<section class="listing"><p>{WORDS}</p><h2 class="section-head">Trending'
                     '</h2><p class="listing-intro" style="break-after: column">Weekly snapshot'
                     "</p><ul><li>an entry</li></ul></section></div>")
    [finding] = errors(report, "stranded-head")
    assert "Trending + Weekly snapshot" in finding.message
    assert report.measurements["stranded_heads"] == 1
    above = measure(f'<h2 class="headline">Across the columns</h2><p class="dek">A dek</p>'
                    f'<div class="story-body" style="columns: 2"><p>{WORDS}</p></div>')
    assert errors(above, "stranded-head") == []


# ---- listing columns and measures --------------------------------------------------------

def _listing(breaks_before: int, items: int = 8) -> str:
    column_break = ' style="break-before: column"'
    entries = "".join(f"<li{column_break if i == breaks_before else ''}>entry {i}</li>"
                      for i in range(items))
    return (f'<div class="columns" style="columns: 2"><section class="listing"><ul>{entries}'
            "</ul></section></div>")


def test_uneven_listing_columns_fire():
    uneven = measure(_listing(breaks_before=2))  # 2 items in one column, 6 in the other
    assert len(errors(uneven, "listing-balance")) == 1
    assert page(uneven, 1)["listing_spread_lines"] > 2
    level = measure(_listing(breaks_before=4))
    assert errors(level, "listing-balance") == [] and page(level, 1)["listing_spread_lines"] <= 1


@pytest.mark.parametrize("width, fires", [("22mm", True), ("60mm", False), ("190mm", True)])
def test_a_text_column_outside_the_measure_fires(width, fires):
    report = measure(f'<div class="story-body" style="width: {width}"><p>{WORDS * 2}</p></div>',
                     "@page { size: 210mm 120mm }")
    low, high = page(report, 1)["measure_chars"]
    assert bool(errors(report, "measure")) == fires, (low, high)
    assert (low < 25 or high > 75) == fires


# ---- the defects of issue 17, rebuilt, and `printpost check` -----------------------------

def check_json(monkeypatch, path, format_name: str, css: str) -> tuple[int, dict]:
    """`printpost check --json PATH --format F` in-process, with `css` added to every pass."""
    from typer.testing import CliRunner

    from printpost import cli

    monkeypatch.setattr(pipeline.Typesetter, "typeset",
                        functools.partialmethod(pipeline.Typesetter.typeset, stylesheets=(css,)))
    result = CliRunner().invoke(cli.app, ["check", str(path), "--format", format_name, "--json"])
    [report] = json.loads(result.stdout)
    return result.exit_code, report


def findings(report, check: str) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == check and f["severity"] == "error"]


# Each section on a page of its own, and the subscribe box as small as on a home page: the
# press edition with the fixed page breaks issue 17 found.
FIXED_BREAKS = ("#opinion, .briefs, #subscribe { break-before: page !important }"
                " #subscribe { min-height: 0 !important; height: auto !important }")


def test_check_fails_press_pages_two_and_three_mostly_blank(monkeypatch):
    status, report = check_json(monkeypatch, SAMPLES[-1], "press", FIXED_BREAKS)
    assert status == 1
    underfilled = {f["page"] for f in findings(report, "page-fill")}
    assert {2, 3} <= underfilled
    assert all(page["fill_pct"] < 50 for page in report["measurements"]["pages"][1:3])


@pytest.mark.parametrize("format_name", ["a4", "ereader"])
def test_check_fails_a_last_page_holding_only_the_subscribe_box(monkeypatch, format_name):
    """a4 page 3 of the samples (the subscribe box and a reading item) and the e-reader's
    last page (the subscribe box alone), both mostly blank."""
    css = ("#subscribe { break-before: page !important; min-height: 0 !important;"
           " height: auto !important }")
    status, report = check_json(monkeypatch, SAMPLES[-1], format_name, css)
    last = report["pages"]
    assert status == 1
    assert last in [f["page"] for f in findings(report, "page-fill")]
    assert report["measurements"]["pages"][-1]["fill_pct"] < 50


def test_check_fails_the_subscribe_box_split_over_pages(monkeypatch):
    """letter: the flex subscribe box at a page foot, its QR code on one page and its caption
    on the next."""
    css = ("#subscribe { display: flex !important; break-before: page !important;"
           " margin-top: 215mm !important; min-height: 0 !important; height: auto !important }")
    status, report = check_json(monkeypatch, SAMPLES[-1], "letter", css)
    assert status == 1
    [split] = findings(report, "split-box")
    assert split["message"].startswith("subscribe")
    assert split["story"] == "subscribe"


def test_check_fails_a_stranded_trending_head_with_its_intro(monkeypatch):
    css = "#trending .listing-intro { break-after: column !important }"
    status, report = check_json(monkeypatch, SAMPLES[-1], "a4", css)
    assert status == 1
    [stranded] = findings(report, "stranded-head")
    assert "Trending" in stranded["message"] and "Weekly snapshot" in stranded["message"]
    page_of = stranded["page"]
    assert report["measurements"]["pages"][page_of - 1]["stranded_heads"] == 1


# ---- the samples ---------------------------------------------------------------------------

PAGE_FIGURES = ("page-fill", "split-box", "stranded-head", "listing-balance", "measure")


@pytest.mark.parametrize("format_name", ["a4", "press"])
def test_the_newest_sample_passes_the_page_measures(format_name):
    """Set by the page planner: every page full, no box split, no head stranded."""
    from printpost import load

    _, report = pipeline.Typesetter().typeset(load.load(SAMPLES[-1]), get_format(format_name))
    assert [str(f) for f in report.errors if f.check in PAGE_FIGURES] == []
