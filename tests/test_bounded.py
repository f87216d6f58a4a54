"""Bounded work (issue 19, row 1): no edition the schema accepts makes a build run away.

A very long word is given break opportunities before layout (printpost/wordbreaks.py), the
edition's copy is bounded (models.MAX_EDITION_COPY), and each format's layout deadline and
page cap (printpost/limits.py) end whatever still runs away with one line naming the field.
The timings themselves are measured in bench/reliability.py; the bounds here are generous.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import PROJECT_DIR, SAMPLES
from editions import small_edition
from printpost import compose, load, pipeline, render
from printpost.formats import get_format
from printpost.limits import Limits
from printpost.models import MAX_EDITION_COPY
from printpost.wordbreaks import BREAK, LONGEST_RUN, break_long_runs

sys.path.insert(0, str(PROJECT_DIR / "bench"))
import reliability  # noqa: E402  (bench/reliability.py: the same editions the bench times)


def _loaded(text: str, name: str = "2026-04-19.yaml") -> load.LoadedIssue:
    return load.LoadedIssue(path=Path(name), issue=load.parse(text, name), source=text.encode())


def _small_with(field: str, value: str) -> str:
    data = YAML(typ="safe", pure=True).load(small_edition())
    reliability._set(data, field, value)
    return reliability.yaml_text(data)


# ---- long words ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["hyphenatable", "unbreakable", "zwj"])
def test_a_long_word_costs_what_short_words_cost(kind):
    """A 3 000-letter word in a lead paragraph took 46 s of CPU to lay out on one pass
    (hyphenatable; the time grew with the cube of the length: a 6 000-letter one ran past
    five minutes); now about a second, as the same length of prose does. The bound is
    generous: any super-linear cost would blow far past it."""
    loaded = _loaded(_small_with("lead.body.0", reliability.long_word(kind, 3000)))
    started = time.process_time()
    rendered = pipeline.Typesetter().render(loaded, get_format("a4"), keep_document=True)
    seconds = time.process_time() - started
    assert seconds < 15, f"{seconds:.1f} s of CPU for one layout"
    laid_out = "".join(box.text for page in rendered.document.pages
                       for box in _text_boxes(page._page_box.children[0]))  # not folios
    # Every letter of it is laid out (line ends add hyphens; breaks and joiners print nothing;
    # the first letter is a drop cap, set apart).
    assert _letters(reliability.long_word(kind, 3000))[1:] in _letters(laid_out)


def _letters(text: str) -> str:
    return re.sub(r"[\s\u00ad\u2010\u200b\u200d-]+", "", text)


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def test_break_opportunities_go_only_into_long_runs_of_text():
    short = "An ordinary sentence, with hyphen-ated words and huggingface/transformers."
    assert break_long_runs(short) == short
    long = "x" * (3 * LONGEST_RUN)
    assert break_long_runs(long).split(BREAK) == ["x" * LONGEST_RUN] * 3
    # Never inside a tag (a link's address) or an entity; runs go on across inline markup.
    address = "https://example.com/" + "a" * 80
    html = f'<a href="{address}">{"b" * 20}</a>{"c" * 20}&amp;{"d" * 40}'
    broken = break_long_runs(html)
    assert f'href="{address}"' in broken and "&amp;" in broken.replace(BREAK, "")
    assert broken.replace(BREAK, "") == html
    assert all(len(run) <= LONGEST_RUN + 5 for run in
               broken.replace("&amp;", "&").replace("</a>", "").split(">")[-1].split(BREAK))
    # A mark, a joiner or a variation selector stays with its base character.
    for tail in ("\u0301", "\u200d", "\ufe0f"):
        text = ("e" + tail) * (2 * LONGEST_RUN)
        for piece in break_long_runs(text).split(BREAK)[1:]:
            assert piece[0] == "e", repr(piece[:3])
    # A no-break space is no break opportunity: a run joined by them is one long run.
    assert BREAK in break_long_runs("a\u00a0" * LONGEST_RUN)


def test_the_samples_get_no_added_break_opportunities():
    for sample in SAMPLES:
        issue = load.load(sample).issue
        assert BREAK not in compose.compose(issue, get_format("a4"))


# ---- the copy bound -------------------------------------------------------------------------

def test_an_edition_over_the_copy_bound_is_refused_at_load_in_one_line(tmp_path):
    """Every list and piece of copy at its own bound: 1.5 MB of copy that took over five
    minutes and 730 MB to lay out, refused in well under a second."""
    path = tmp_path / "2026-04-19.json"
    path.write_text(json.dumps(reliability._full_edition()), encoding="utf-8")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "printpost", "validate", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert time.perf_counter() - started < 60
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert f"more than the {MAX_EDITION_COPY:,}" in line and "opinion" in line, line


def test_the_largest_edition_the_bench_times_is_one_the_schema_accepts():
    for focus in reliability.FOCUSES:
        issue = load.parse(reliability.largest_edition(focus), "largest.yaml")
        from printpost.models import copy_length

        assert MAX_EDITION_COPY - 300 < copy_length(issue) <= MAX_EDITION_COPY


# ---- layout limits --------------------------------------------------------------------------

def test_a_layout_past_its_page_cap_stops_with_the_field_that_ran_over():
    loaded = _loaded(reliability.prose_edition(12_000))
    with pytest.raises(render.RenderError) as stopped:
        pipeline.Typesetter().typeset(loaded, get_format("a4"), limits=Limits(pages=2))
    message = str(stopped.value)
    assert message.startswith("a4: the edition runs past 2 pages"), message
    assert "max_pages; --max-pages" in message and "the most copy is in lead.body (" in message


def test_a_layout_past_its_deadline_stops_with_the_field_it_was_setting():
    loaded = _loaded(_small_with("lead.body.0", reliability.long_word("hyphenatable", 6000)))
    started = time.process_time()
    with pytest.raises(render.RenderError) as stopped:
        pipeline.Typesetter().typeset(loaded, get_format("a4"), limits=Limits(seconds=0.2))
    assert time.process_time() - started < 10
    message = str(stopped.value)
    assert "took more than 0.2 s to lay out" in message and "--max-seconds" in message
    assert "while setting " in message, message


def test_every_format_has_limits():
    from printpost.formats import formats

    for fmt in formats().values():
        assert fmt.layout_seconds and fmt.max_pages, fmt.name


def test_build_ends_a_runaway_edition_in_one_line_and_builds_the_others(tmp_path):
    """build --all with the page cap from the command line: the long edition fails with
    one line naming it and the field, the short one is built, nothing else is written."""
    issues = tmp_path / "issues"
    issues.mkdir()
    (issues / "2026-04-19.yaml").write_text(reliability.prose_edition(12_000), encoding="utf-8")
    data = YAML(typ="safe", pure=True).load(small_edition())
    data["edition"]["date"] = "2026-04-20"
    data["edition"].pop("issue", None)
    short = reliability.yaml_text(data)
    (issues / "2026-04-20.yaml").write_text(short, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "printpost", "build", "--all", str(issues), "--out",
         str(tmp_path / "out"), "--max-pages", "3", "--jobs", "1", "--quiet"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {issues / '2026-04-19.yaml'}: a4: the edition runs past 3 "
                           "pages"), line
    assert "the most copy is in lead.body" in line and "Traceback" not in result.stderr
    pdfs = sorted(path.name for path in (tmp_path / "out").rglob("*.pdf"))
    assert pdfs == ["2026-04-20-issue-082-a4.pdf"]


def test_the_cli_offers_the_limits_on_every_command_that_lays_out():
    from typer.testing import CliRunner

    from printpost.cli import app

    for command in ("build", "check", "preview", "watch", "archive", "site"):
        help_text = CliRunner().invoke(app, [command, "--help"]).output
        assert "--max-seconds" in help_text and "--max-pages" in help_text, command

