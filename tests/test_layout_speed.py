"""The layout shortcuts change how much work a page takes, never what it looks like: columns
balanced by printpost/engine/balance.py read as WeasyPrint's own, lines kept by
printpost/engine/linebreaks.py are the lines set again, and the work they save is counted."""

from __future__ import annotations

import contextlib
import hashlib
import io

import pikepdf
import pytest

from printpost import compose, load, preflight, render
from printpost.engine import stylesheets
from printpost.engine.patches import EngineOptions
from printpost.formats import get_format

from conftest import SAMPLES, TYPESETTER
from pdfcheck import place_differences, placed_text, text_of

CREATED = "2026-04-19T06:00:00Z"
# WeasyPrint's own code where printpost's shortcuts would run, to compare with.
WEASYPRINTS_BALANCE = EngineOptions(balance="weasyprint")
FRESH_LINES = EngineOptions(lines="fresh")


def _html(sample, format_name: str) -> str:
    loaded = load.load(sample)
    return compose.compose(loaded.issue, get_format(format_name), {})


def _sets(document) -> dict[str, tuple]:
    """Every multi-column set, first fragment of each: {set id: ((page, top, fragments),
    height, [the lines of each column, each column's lines joined])}."""
    sets: dict[str, tuple] = {}
    fragments: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for box, _ in preflight._walk(page._page_box, []):
            element = getattr(box, "element", None)
            style = getattr(box, "style", None)
            if style is None or style["column_count"] == "auto" or element is None:
                continue
            if not element.get("id") or getattr(box, "is_column", False):
                continue
            fragments[element.get("id")] = fragments.get(element.get("id"), 0) + 1
            sets.setdefault(element.get("id"), ((number, round(box.position_y, 2)), box.height, [
                [preflight.line_text(line) for line, _ in preflight._walk(column, [])
                 if type(line).__name__ == "LineBox"]
                for column in box.children]))
    return {name: ((*place, fragments[name]), *rest) for name, (place, *rest) in sets.items()}


def _letters(columns: list[list[str]]) -> str:
    """A set's copy with no line ends: its lines joined, automatic hyphens and spaces left out."""
    return "".join(line.rstrip().removesuffix("\u2010") for column in columns
                   for line in column).replace(" ", "")


@contextlib.contextmanager
def _column_layouts_counted():
    """Counts the layouts of single columns WeasyPrint does inside multi-column sets."""
    from weasyprint.layout import block

    counted = {"layouts": 0}
    block_box_layout = block.block_box_layout

    def counting(context, box, *arguments, **keywords):
        if getattr(box, "is_column", False):
            counted["layouts"] += 1
        return block_box_layout(context, box, *arguments, **keywords)

    block.block_box_layout = counting
    try:
        yield counted
    finally:
        block.block_box_layout = block_box_layout


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
@pytest.mark.parametrize("format_name", ["press", "a4"])
def test_story_columns_balanced_here_are_weasyprints_or_lower_in_fewer_layouts(
        format_name, sample):
    html = _html(sample, format_name)
    with _column_layouts_counted() as ours:
        mine = _sets(render.render(html, created=CREATED, keep_document=True,
                                   write=False).document)
    with _column_layouts_counted() as theirs:
        weasyprints = _sets(render.render(html, created=CREATED, keep_document=True,
                                          write=False, options=WEASYPRINTS_BALANCE).document)
    assert mine.keys() == weasyprints.keys() and len(mine) >= 4
    same = 0
    for name in mine.keys() - {"briefs-cols"}:  # the story sets: body copy only
        (place, height, columns), (their_place, their_height, their_columns) = (
            mine[name], weasyprints[name])
        assert len(columns) <= len(their_columns)
        if place[0] != their_place[0] or place[2] > 1 or their_place[2] > 1:
            continue  # on another page, or run on to the next page (its columns as high
            # as the page lets them be): a set above came out lower than WeasyPrint's
        lengths, their_lengths = list(map(len, columns)), list(map(len, their_columns))
        if len(columns) < len(their_columns):
            # A story that could not end level in as many columns, set a column narrower:
            # the same copy, level.
            assert _letters(columns) == _letters(their_columns), name
            assert max(lengths) - min(lengths) <= 1, (name, lengths)
            same += 1
            continue
        # The same lines, in columns no higher (WeasyPrint's search can stop above the
        # lowest height they fit in, leaving a strip of empty column below the copy) and
        # line for line WeasyPrint's, or more level: where WeasyPrint fills them in turn
        # as 4, 4 and 2 lines, balance.py sets 4, 3 and 3.
        assert sum(columns, []) == sum(their_columns, []), name
        assert height <= their_height + 0.01, (name, height, their_height)
        assert columns == their_columns or (
            max(lengths) - min(lengths) < max(their_lengths) - min(their_lengths)), name
        same += 1
    assert same >= 2  # the sets compared
    assert ours["layouts"] < 0.7 * theirs["layouts"], (ours, theirs)


COPY = "The desk sets the copy in even columns. "
BALANCE_CASES = {
    # paragraphs of body copy only
    "paragraphs": "".join(f"<p>{'The desk sets the copy in even columns. ' * n}</p>"
                          for n in (7, 3, 9, 2, 5)),
    # the same, set as the stories are (no margins): columns made from lines laid out once
    "story paragraphs": "".join(f"<p style='margin: 0'>{COPY * n}</p>" for n in (7, 3, 9, 2, 5)),
    # a head inside the set and a listing of blocks that must not split
    "listing": "<h3>Briefs</h3>" + "".join(
        f'<div style="break-inside: avoid; padding: 2pt 0 3pt; font-size: 8pt; '
        f'line-height: 10.7px">{"Tool of the week, in short. " * n}</div>'
        for n in (3, 1, 4, 2, 6, 1, 2, 5)),
    # a box taller than the average column, which cannot be split
    "tall box": '<div style="break-inside: avoid; height: 150px; border: 1px solid"></div>'
                + "<p>The desk sets the copy in even columns.</p>" * 3,
}


@pytest.mark.parametrize("case", sorted(BALANCE_CASES))
@pytest.mark.parametrize("count", [2, 3, 5])
def test_balanced_columns_end_level_as_weasyprints_do(case, count):
    html = f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>@page {{ size: 200mm 280mm; margin: 10mm }}
      html {{ font: 9pt/12pt "PT Serif"; hyphens: auto; text-align: justify }}
      #set {{ columns: {count}; column-gap: 4mm; orphans: 2; widows: 2 }}</style></head>
      <body><p>Above the set.</p><div id="set">{BALANCE_CASES[case]}</div>
      <p>Below the set.</p></body></html>"""

    def heights(document) -> tuple[float, list[float]]:
        from weasyprint.formatting_structure import boxes

        for box, _ in preflight._walk(document.pages[0]._page_box, []):
            if getattr(box, "element", None) is not None and box.element.get("id") == "set" \
                    and not getattr(box, "is_column", False):
                return box.height, [preflight._content_bottom(column, boxes) or 0
                                    for column in box.children]
        raise AssertionError("no set")

    mine = heights(render.render(html, created=CREATED, keep_document=True, write=False).document)
    theirs = heights(render.render(html, created=CREATED, keep_document=True,
                                   write=False, options=WEASYPRINTS_BALANCE).document)
    assert len(mine[1]) == len(theirs[1])
    # No taller than WeasyPrint's by more than one line of the smallest type in the set.
    assert mine[0] <= theirs[0] + 10.7 + 0.01, (mine, theirs)
    assert max(mine[1]) - min(mine[1]) <= max(max(theirs[1]) - min(theirs[1]), 16) + 10.7


@pytest.mark.parametrize("sample, format_name", [
    *((sample, "press") for sample in SAMPLES), (SAMPLES[-1], "a4"), (SAMPLES[0], "ereader")],
    ids=lambda value: getattr(value, "stem", value))
def test_kept_lines_are_the_lines_set_again_with_fewer_lines_set(sample, format_name,
                                                                monkeypatch):
    from weasyprint.layout import inline

    html = _html(sample, format_name)
    get_next_linebox = inline.get_next_linebox
    calls = {"lines": 0}

    def counting(*arguments, **keywords):
        calls["lines"] += 1
        return get_next_linebox(*arguments, **keywords)

    monkeypatch.setattr(inline, "get_next_linebox", counting)
    kept = render.render(html, created=CREATED, keep_document=True)
    with_kept = calls["lines"]
    calls["lines"] = 0
    set_again = render.render(html, created=CREATED, keep_document=True, options=FRESH_LINES)
    assert place_differences(placed_text(kept.document),
                            placed_text(set_again.document)) == []
    assert kept.pages == set_again.pages
    # The listing's second layout and the opinion row's sizing layouts reuse their lines.
    assert with_kept < 0.85 * calls["lines"], (with_kept, calls["lines"])


def test_kept_lines_leave_out_what_is_moved_after_a_line_is_set():
    # A listing is laid out twice (balance.py); its lines are copied the second time, except
    # a line holding a relatively placed box, which its block moves once the line is set.
    html = """<html><head><link rel="stylesheet" href="fonts.css"><style>
      body { font: 10pt/12pt "PT Serif" } .set { columns: 2; column-fill: balance }
      li { break-inside: avoid } sup { position: relative; top: -4pt }
    </style></head><body><div class="set"><ul>""" + "".join(
        f"<li>Item {n} has a note<sup>{n}</sup> raised and some words to wrap onto a line or"
        " two more</li>" for n in range(12)) + "</ul></div></body></html>"
    kept = render.render(html, created=CREATED, keep_document=True)
    set_again = render.render(html, created=CREATED, keep_document=True, options=FRESH_LINES)
    assert place_differences(placed_text(kept.document),
                            placed_text(set_again.document)) == []


def test_kept_lines_are_set_again_when_their_generated_content_changes():
    # A cross-reference is set again once the page it points to is known (WeasyPrint lays
    # the page out again with the new text): the lines kept from before must not come back.
    html = """<html><head><link rel="stylesheet" href="fonts.css"><style>
      @page { size: A6; margin: 10mm }
      body { font: 10pt/12pt "PT Serif" } .set { columns: 2; column-fill: balance }
      li { break-inside: avoid } a::after { content: " p. " target-counter(attr(href), page) }
      .next { break-before: page }
    </style></head><body><div class="set"><ul>""" + "".join(
        f"<li>Item {n} see <a href='#far'>there</a> and some words to wrap</li>"
        for n in range(6)) + "</ul></div><p class='next' id='far'>Far away</p></body></html>"
    rendered = render.render(html, created=CREATED)
    assert rendered.pages == 2
    assert text_of(rendered.pdf).count("there p. 2") == 6, text_of(rendered.pdf)


def test_stylesheets_are_parsed_once_per_process_with_the_same_bytes(monkeypatch):
    import weasyprint.css

    html = _html(SAMPLES[0], "press")
    parse = weasyprint.css.CSS
    parsed = []

    def counting(**options):
        parsed.append(options.get("url") or "<style>")
        return parse(**options)

    monkeypatch.setattr(weasyprint.css, "CSS", counting)
    monkeypatch.setattr(stylesheets, "_stylesheets", {})
    first = render.render(html, created=CREATED, pdf_variant="pdf/x-4")
    assert any(url.endswith("/base.css") for url in parsed) and "<style>" in parsed, parsed
    parsed.clear()
    again = render.render(html, created=CREATED, pdf_variant="pdf/x-4")
    assert parsed == []
    assert again.pdf == first.pdf
    # The sandbox's log reads the same: the fetches of the first parse are logged again.
    assert again.fetches.served == first.fetches.served
    assert any(url.endswith("/fonts.css") for url in again.fetches.served)


def test_press_pdf_x_bytes_do_not_change_from_one_render_to_the_next():
    # WeasyPrint's PDF/X-4 metadata carries a random DocumentID unless printpost fixes it.
    html = _html(SAMPLES[0], "press")
    first = render.render(html, created=CREATED, pdf_variant="pdf/x-4").pdf
    second = render.render(html, created=CREATED, pdf_variant="pdf/x-4").pdf
    assert first == second
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert b"xmp.did:" in pdf.Root.Metadata.read_bytes()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_story_columns_made_from_lines_laid_out_once_are_the_columns_laid_out_again(
        sample):
    # Story sets are laid out once, in one column, and their columns made from those lines
    # (balance._redistributed); balance="probe" lays each set out again at the
    # height found instead. Same bytes: the columns made are the columns WeasyPrint sets.
    html = _html(sample, "press")
    with _column_layouts_counted() as made:
        once = render.render(html, created=CREATED, pdf_variant="pdf/x-4").pdf
    with _column_layouts_counted() as again:
        twice = render.render(html, created=CREATED, pdf_variant="pdf/x-4",
                              options=EngineOptions(balance="probe")).pdf
    assert once == twice
    assert made["layouts"] < again["layouts"]


def test_a_set_of_paragraphs_is_laid_out_once():
    html = f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>html {{ font: 9pt/12pt "PT Serif"; hyphens: auto; text-align: justify }}
      #set {{ columns: 3; column-gap: 4mm }} p {{ margin: 0 }}</style></head>
      <body><div id="set">{BALANCE_CASES["paragraphs"]}</div></body></html>"""
    with _column_layouts_counted() as counted:
        document = render.render(html, created=CREATED, keep_document=True, write=False).document
    assert counted["layouts"] == 1
    (_, _, columns), = _sets(document).values()
    assert len(columns) == 3 and all(columns)


@pytest.mark.parametrize("count", [2, 3])
def test_a_whole_set_of_columns_is_made_whole_grid_lines_high(count):
    # A listing in smaller type (10.7 px lines) on a 16 px grid: the set would end between
    # grid lines and push what follows off the grid; with the grid given it ends on it.
    html = f"""<html lang="en"><head><link rel="stylesheet" href="fonts.css">
      <style>@page {{ size: 200mm 280mm; margin: 10mm }}
      html {{ font: 9pt/12pt "PT Serif" }} #set {{ columns: {count}; column-gap: 4mm }}</style>
      </head><body><p>Above the set.</p><div id="set">{BALANCE_CASES["listing"]}</div>
      <p id="below">Below the set.</p></body></html>"""

    def set_and_below(grid):
        document = render.render(html, created=CREATED, keep_document=True, write=False,
                                 grid=grid).document
        found = {box.element.get("id"): box
                 for box, _ in preflight._walk(document.pages[0]._page_box, [])
                 if getattr(box, "element", None) is not None and box.element.get("id")
                 and not getattr(box, "is_column", False)}
        return found["set"], found["below"]

    (plain, plain_below), (gridded, below) = set_and_below(None), set_and_below(16.0)
    assert plain.height % 16 > 0.5  # would be off the grid
    assert gridded.height == pytest.approx(-(-plain.height // 16) * 16)
    assert all(column.height == gridded.height for column in gridded.children)
    # what follows moves down by what the set grew, onto the grid
    assert below.position_y - plain_below.position_y == pytest.approx(gridded.height - plain.height)
    # the same copy in the same columns, only the frame is higher
    assert [len(column.children) for column in gridded.children] == \
        [len(column.children) for column in plain.children]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
@pytest.mark.parametrize("format_name", ["press", "a4"])
def test_first_pass_has_no_ladders_or_off_grid_frames(format_name, sample):
    # What took copyfit a pass each is done while laying out: the line breaker stops at two
    # hyphenated lines in a row, balanced sets end on the grid.
    from printpost import pipeline

    loaded = load.load(sample)
    _, report, _ = TYPESETTER.measure(loaded, get_format(format_name), ())
    assert [f for f in report.findings if f.check in ("hyphen-ladder", "off-grid-frame")] == []
    assert report.measurements["hyphen_ladders"] == 0



def _lines(breaks: str, step: float = 16.0):
    """Lines one step high; 'b' where a column may end after the line, '.' where not."""
    from printpost.engine import balance

    return [balance._Line(index * step, (index + 1) * step, mark == "b", None)
            for index, mark in enumerate(breaks)]


@pytest.mark.parametrize("breaks, count, expected", [
    ("b" * 10, 3, [4, 3, 3]),  # filled in turn: 4, 4, 2
    ("b" * 11, 3, [4, 4, 3]),  # level already: as filled
    ("b" * 16, 5, [4, 3, 3, 3, 3]),  # filled in turn: 4, 4, 4, 4 and an empty column
    ("...b...bbb", 3, [4, 4, 2]),  # the breaks allow no better
])
def test_columns_are_made_level_as_the_breaks_allow(breaks, count, expected):
    from printpost.engine import balance

    lines = _lines(breaks)
    height = balance._least_height(lines, count, 0)
    starts = balance._level(lines, balance._fill(lines, count, height), height, 16.0, count)
    assert [round(h / 16) for h in balance._column_heights(lines, starts)] == expected
