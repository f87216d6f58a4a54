"""The page planner (printpost/planner.py): editions of every length set on full pages.

Generated editions (tests/editions.py) are built once for the module, in the formats whose
planning differs most (press: 2 or 4 pages of 5 columns; a4: 2 to 4 pages of 3; the
e-reader: any number of one column); bench/pages.py sets every length of every sample in
every format. The planner's decisions are also checked on measured layouts made up here.
"""

from __future__ import annotations

import io

import pypdf
import pytest

from editions import scaled_edition, _yaml_text
from pdfcheck import squash, text_of
from printpost import compose, load, pipeline, planner
from printpost.formats import get_format

from conftest import SAMPLES, TYPESETTER

PAGE_FIGURES = ("page-fill", "split-box", "stranded-head", "listing-balance", "measure",
                "page-count")
# (sample, percent, left out, format): short, as long as the samples, long; full and lean.
LEAN = frozenset({"lead.metrics", "deep_dive.pull_quote", "movers", "trending.huggingface"})
CASES = [
    (SAMPLES[-1], 40, frozenset(), "press"),
    (SAMPLES[-1], 40, LEAN, "press"),
    (SAMPLES[0], 150, frozenset(), "press"),
    (SAMPLES[-1], 250, frozenset(), "press"),
    (SAMPLES[1], 40, LEAN, "a4"),
    (SAMPLES[-1], 250, frozenset(), "a4"),
    (SAMPLES[0], 70, frozenset(), "ereader"),
]


def _name(case) -> str:
    sample, percent, left_out, fmt = case
    return f"{sample.stem}-{percent}{'-lean' if left_out else ''}-{fmt}"


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """Each case typeset once: (loaded, rendered, report) by name."""
    root = tmp_path_factory.mktemp("planned")
    built = {}
    for case in CASES:
        sample, percent, left_out, format_name = case
        path = root / f"{_name(case)}.yaml"
        path.write_text(_yaml_text(scaled_edition(sample, percent, leave_out=left_out)),
                        encoding="utf-8")
        loaded = load.load(path)
        built[_name(case)] = (loaded, *TYPESETTER.typeset(loaded, get_format(format_name)))
    return built


# Known limits of the planner as it stands, each failing as named (strict: a fix shows here).
_UNEVEN_LISTINGS = ("a short edition's listings on the front page: a column of a head and one "
                    "item cannot be feathered level (engine/feather.py opens space only after "
                    "items), so its columns end 4-16 lines apart")
PAGE_LIMITS = {
    _name(CASES[0]): _UNEVEN_LISTINGS,
    _name(CASES[4]): _UNEVEN_LISTINGS,
    _name(CASES[5]): ("250 % copy in a4 at the smallest tier still needs a fifth page for the "
                      "house ad (a4 has at most 4): page 4 79 % filled, page 5 the ad's"),
}


def _with_limits(cases):
    return [pytest.param(case, id=_name(case), marks=pytest.mark.xfail(
                strict=True, raises=AssertionError, reason=PAGE_LIMITS[_name(case)]))
            if _name(case) in PAGE_LIMITS else pytest.param(case, id=_name(case))
            for case in cases]


@pytest.mark.parametrize("case", _with_limits(CASES))
def test_every_page_is_full_and_every_box_whole(planned, case):
    """The figures issue 17 asks of every edition: every page but the last at least 85 %
    filled, the last at least 50 % (or the house ad's), no box split that must stay whole, no
    head stranded, listing columns within 2 lines, every text column 25-75 characters wide,
    and a page count the format allows."""
    _, rendered, report = planned[_name(case)]
    fmt = get_format(case[3])
    m = report.measurements
    assert [str(f) for f in report.errors if f.check in PAGE_FIGURES] == []
    fills = [page["fill_pct"] for page in m["pages"]]
    assert all(fill >= fmt.min_page_fill_pct for fill in fills[:-1]), fills
    assert fills[-1] >= fmt.min_last_page_fill_pct, fills
    assert m["whole_boxes_split"] == m["stranded_heads"] == 0
    assert all(page["listing_spread_lines"] <= fmt.max_listing_spread_lines
               for page in m["pages"])
    low, high = fmt.measure_chars
    assert all(low <= chars <= high for page in m["pages"] for chars in page["measure_chars"])
    assert fmt.page_counts is None or rendered.pages in fmt.page_counts
    assert m["plan"]["pages"] == rendered.pages


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_every_headline_and_paragraph_is_printed_whole(planned, case):
    loaded, rendered, _ = planned[_name(case)]
    issue = loaded.issue
    text = squash(text_of(rendered.pdf))
    paragraphs = [*issue.lead.body, *issue.deep_dive.body,
                  *(p for column in issue.opinion.columns for p in column.body)]
    missing = [p[:50] for p in (*issue.headlines(), *paragraphs)
               if squash(compose.plain(p)) not in text]
    assert missing == []


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="40 % of the newest sample: the planner fills the front page by "
                          "spreading the listings (90 % filled), at tier 0 and without a chart")
def test_short_copy_is_filled_with_the_editions_own_numbers(planned):
    """40 % of a sample fills a press front page: larger sizes, and charts whose bars are the
    edition's own numbers (every label a name the edition prints, every value its own)."""
    loaded, rendered, report = planned[_name(CASES[0])]
    plan = report.measurements["plan"]
    assert rendered.pages == 2 and plan["ad"] == "page"  # the back page is the house ad's
    assert plan["tier"] > 0 or plan["side_chart_lines"] or plan["band_chart_lines"]
    charts = planner.charts(loaded.issue)
    names = {repo.name for repo in loaded.issue.trending.github}
    assert charts and all(label in names or label in {m.name for m in loaded.issue.movers}
                          or label in {e.name for e in loaded.issue.trending.huggingface}
                          for chart in charts for label, _, _ in chart.bars)
    stars = next(chart for chart in charts if chart.key == "stars")
    assert [value for _, value, _ in stars.bars] == sorted(
        (float(repo.stars) for repo in loaded.issue.trending.github), reverse=True)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="250 % of the newest sample fits four press pages without a jump: "
                          "the lead's copy fits the front page and the planner sets it a tier "
                          "larger (measurements['jump'] is None)")
def test_long_copy_jumps_and_takes_four_press_pages(planned):
    """250 % of a sample: the lead jumps from the front page, the edition runs to four pages
    (a press prints two or four), the front page still the lead's."""
    _, rendered, report = planned[_name(CASES[3])]
    assert rendered.pages == 4
    # pypdf, not pdfium: pdfium's text leaves the kickers out (noted on issue 4).
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages]
    assert report.measurements["jump"] is not None
    [jump_line] = [line for line in pages[0].splitlines() if "Continued on page" in line]
    continued_on = int(jump_line.split("Continued on page")[1].split()[0])
    # The jump line names the page the rest of the lead is on (its head set in capitals).
    assert "continued from page 1" in pages[continued_on - 1].lower()
    assert all("continued from page" not in page.lower()
               for number, page in enumerate(pages, 1) if number != continued_on)


def test_the_same_edition_gives_the_same_bytes(planned):
    loaded, rendered, _ = planned[_name(CASES[1])]
    again, _ = pipeline.Typesetter().typeset(loaded, get_format("press"))  # planned anew
    assert again.pdf == rendered.pdf


# ---- decisions on measured layouts made up here -------------------------------------------

PRESS = get_format("press")
A4 = get_format("a4")
LINE = 16.0


def geometry(end: float, *, area: float = 1500.0, ad_page: int | None = None,
             ad_top: float = 0.0, pages: int | None = None, fills=()) -> planner.Geometry:
    """A measured pass whose copy ends `end` pages in (1.25: a quarter down page 2)."""
    page, depth = int(end), (end - int(end)) * area
    pages = pages or page + 1
    return planner.Geometry(
        pages=pages, area_height=area, line=LINE, copy_end=(page, depth),
        ad_page=page if ad_page is None else ad_page, ad_top=depth + 24 if ad_top == 0 else ad_top,
        ad_height=9 * LINE, ad_margin_top=0.0, lead_grid_lines=0, lead_depth=0.0,
        side_depth=0.0, side_chart_depth=0.0, metrics_depth=0.0, inside_depth=0.0,
        inside_entries=0, fills=tuple(fills) or (95.0,) * pages)


def test_the_house_ad_takes_the_rest_of_the_last_page():
    plan = planner.decide(PRESS, planner.Plan(), geometry(1.3), [])
    assert plan.pages == 2 and not plan.ad_alone
    # The room below the copy, less the gap measured above the ad, and half a pixel.
    assert plan.ad_height == pytest.approx(0.7 * 1500 - 24 - 0.5)
    assert plan.ad == "page"  # more than half a page: set as the back page's ad
    small = planner.decide(PRESS, planner.Plan(), geometry(1.85), [])
    assert small.ad == "box" and small.ad_height == pytest.approx(0.15 * 1500 - 24.5)


def test_a_press_edition_is_two_or_four_pages():
    """Copy and ad over two pages go to four (a press prints sheets of two or four); the
    home formats may stop at three."""
    assert planner.decide(PRESS, planner.Plan(), geometry(2.2), []).pages == 4
    assert planner.decide(A4, planner.Plan(), geometry(2.2), []).pages == 3
    assert planner.allowed_pages(PRESS, 3) == 4 and planner.allowed_pages(PRESS, 5) == 4
    assert planner.allowed_pages(get_format("ereader"), 7) == 7


def test_copy_ending_a_page_early_leaves_the_back_page_to_the_house_ad():
    plan = planner.decide(PRESS, planner.Plan(), geometry(0.95, ad_page=1, pages=2,
                                                          fills=(96, 64)), [])
    assert plan.pages == 2 and plan.ad_alone and plan.ad == "page"
    assert plan.tier == 0 and not plan.band_chart_lines  # the front page is full


def test_short_copy_is_set_a_size_larger_until_the_page_is_full():
    short = geometry(0.6, ad_page=1, pages=2, fills=(58, 64))
    plan = planner.decide(PRESS, planner.Plan(), short, [])
    assert plan.tier == 1 and plan.ad_alone
    # A tier that ran over the pages planned is taken back, and not tried again.
    over = geometry(1.97, pages=2)
    back = planner.decide(PRESS, planner.replace(plan, pages=2, tier=2), over, [])
    assert back.tier == 1 and back.tier_ceiling == 1


def test_numbers_are_charted_only_when_the_edition_prints_them():
    issue = load.load(SAMPLES[-1]).issue
    keys = [chart.key for chart in planner.charts(issue)]
    assert "stars" in keys
    assert planner._compact_value("4.2k") == 4200 and planner._compact_value("1.3M") == 1.3e6
    assert planner._compact_value("12,345") == 12345 and planner._compact_value("many") is None
    bare = issue.model_copy(update={"movers": [], "trending": issue.trending.model_copy(
        update={"github": issue.trending.github[:1], "huggingface": []})})
    assert planner.charts(bare) == []  # one repository is not a chart
