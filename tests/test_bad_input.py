"""Bad input: one clear line per problem, exit 2, no traceback, nothing written or clobbered."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from printpost import load
from printpost.resources import PROJECT_DIR

from conftest import SAMPLES

GOOD = SAMPLES[-1].read_text(encoding="utf-8")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "printpost", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# name → (file text, expected field path or None, expected words in the message)
BAD_FILES = {
    "score-11": (GOOD.replace("score: 7", "score: 11"), "lead.score", "less than or equal to 10"),
    "empty-headline": (GOOD.replace(
        "headline: 'The Open Source Optimization Wave: Llama3-8B-OT Signals New Era'", "headline: ''"),
        "lead.headline", "at least 1 character"),
    "not-a-date": (GOOD.replace("date: 2026-04-19", "date: 2026-02-30"), "edition.date", "valid date"),
    "words-for-date": (GOOD.replace("date: 2026-04-19", "date: next sunday"), "edition.date", "valid date"),
    "number-vs-date": (GOOD.replace("issue: 81", "issue: 82"), "edition.issue", "which is issue #81"),
    "unknown-field": (GOOD.replace("  kicker: Lead Story", "  kikcer: Lead Story"), "lead.kikcer", "unknown field"),
    "missing-field": (GOOD.replace("  dek: >-\n", "  dekk: >-\n", 1), "lead.dek", "missing"),
    "wrong-type": (GOOD.replace("temperature_c: 6", "temperature_c: warm"),
                   "edition.weather.temperature_c", "valid integer"),
    "bad-url": (GOOD.replace("url: https://", "url: javascript:alert(1)//", 1), None, "match pattern"),
    "malformed-yaml": ("edition: [unclosed\n  date: 2026-04-19\n", None, "not valid YAML"),
    "not-a-mapping": ("- just\n- a list\n", None, "expected a mapping"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_each_problem_names_file_line_and_field(tmp_path, name):
    text, field, words = BAD_FILES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    lines = [str(problem) for problem in caught.value.problems]
    assert any(words in line for line in lines), lines
    for line in lines:
        assert line.startswith(str(path)) and "\n" not in line
    if field:
        [problem] = [p for p in caught.value.problems if p.field == field]
        assert problem.line is not None and problem.line > 1


def test_malformed_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "edition": {\n  "date": "2026-04-19"\n  "location": "x"\n }\n}\n')
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    [problem] = caught.value.problems
    assert problem.line == 4 and "not valid YAML/JSON" in problem.message


def test_json_issue_files_are_accepted(tmp_path):
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(GOOD)
    data["edition"]["date"] = data["edition"]["date"].isoformat()
    path = tmp_path / "2026-04-19.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load.load(path).issue.edition.number == 81


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_a_line_break_the_reader_would_fold_away_is_refused(tmp_path, char):
    """NEL, LS and PS are legal raw in a JSON string, but the YAML reader takes them for line
    breaks and would print a space instead: refused, with the line, not silently changed
    (found by the long Hypothesis run)."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(GOOD)
    data["edition"]["date"] = data["edition"]["date"].isoformat()
    data["lead"]["headline"] = f"Efficiency{char}wins"
    path = tmp_path / "2026-04-19.json"
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    [problem] = caught.value.problems
    assert problem.line == text[:text.index(char)].count("\n") + 1
    assert f"U+{ord(char):04X} is not allowed" in problem.message


def test_the_first_refused_character_is_the_one_reported():
    # A key of DEL then NEL: DEL comes first and YAML refuses it anywhere (found by the
    # random Hypothesis profile; NEL was reported, as the line-break check ran first).
    with pytest.raises(load.InvalidIssue) as caught:
        load.parse("edition:\n  date: 2026-04-19\n  \x7f\x85: 1\n", "x.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.message) == (
        3, "not valid YAML/JSON: U+007F is not allowed in YAML/JSON text")


def test_issue_number_is_derived_when_left_out(tmp_path):
    path = tmp_path / "derived.yaml"
    path.write_text(GOOD.replace("  issue: 81\n", ""), encoding="utf-8")
    assert load.load(path).issue.edition.number == 81


def test_cli_reports_bad_files_builds_good_ones_and_keeps_old_pdfs(tmp_path):
    out = tmp_path / "out"
    good = tmp_path / "2026-04-19.yaml"
    good.write_text(GOOD, encoding="utf-8")

    first = run_cli("build", str(good), "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [pdf] = list(out.rglob("*.pdf"))
    before = pdf.read_bytes()

    # Break the same edition and build it again, together with a second bad file
    # and a missing one: exit 2, one line per problem, no traceback, old PDF intact.
    good.write_text(GOOD.replace("score: 7", "score: 11"), encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(GOOD.replace("date: 2026-04-19", "date: 2026-13-01"), encoding="utf-8")
    result = run_cli("build", str(good), str(other), str(tmp_path / "missing.yaml"),
                     "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3, result.stderr
    assert re.search(r"2026-04-19\.yaml:\d+: lead\.score: ", errors[0])
    assert "other.yaml" in errors[1] and "edition.date" in errors[1]
    assert "missing.yaml: no such file" in errors[2]
    assert pdf.read_bytes() == before
    assert sorted(p.name for p in out.rglob("*")) == sorted(p.name for p in [pdf.parent, pdf])


def test_good_files_still_build_next_to_bad_ones(tmp_path):
    out = tmp_path / "out"
    bad = tmp_path / "bad.yaml"
    bad.write_text("edition: {}\n", encoding="utf-8")
    result = run_cli("build", str(bad), str(SAMPLES[0]), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert [p.name for p in out.rglob("*.pdf")] == ["2026-04-05-issue-067-a4.pdf"]


def test_unknown_format_is_bad_input(tmp_path):
    result = run_cli("build", str(SAMPLES[0]), "--format", "napkin", "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown format napkin" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_validate_renders_nothing_and_reports(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("score: 7", "score: -1"), encoding="utf-8")
    result = run_cli("validate", str(SAMPLES[0]), str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert "ok (issue #67, Sunday, 5 April 2026)" in result.stdout
    assert "lead.score" in result.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_schema_is_json_schema_of_every_section():
    result = run_cli("schema", cwd=PROJECT_DIR)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) == {"edition", "lead", "deep_dive", "opinion", "tools",
                                         "trending", "movers", "reading", "subscribe"}


def test_new_scaffolds_the_next_edition_which_validates(tmp_path):
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "2026-04-19.yaml").write_text(GOOD, encoding="utf-8")
    result = run_cli("new", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    created = tmp_path / "issues" / "2026-04-20.yaml"
    assert result.stdout.strip() == str(Path("issues") / "2026-04-20.yaml")
    issue = load.load(created).issue
    assert issue.edition.number == 82 and issue.edition.weekday == "Monday"
    again = run_cli("new", "2026-04-20", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_help_has_examples():
    for command in ("build", "validate", "new", "schema", "preview"):
        result = run_cli(command, "--help", cwd=PROJECT_DIR)
        assert result.returncode == 0 and "Example" in result.stdout, command


def _modules_imported(*args: str) -> set[str]:
    """Top-level modules a fresh `printpost ARGS` process imported (python -X importtime)."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "printpost", *args],
                         cwd=PROJECT_DIR, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
            if line.startswith("import time:")}


def test_help_and_validate_start_without_the_renderer():
    """`printpost --help` loads neither the data model nor the layouts (it starts in a fifth
    of a second); `validate` loads the model but never WeasyPrint."""
    help_modules = _modules_imported("--help")
    assert "typer" in help_modules  # the measurement sees imports at all
    assert not help_modules & {"weasyprint", "pydantic", "jinja2", "qrcode", "fontTools"}
    validate_modules = _modules_imported("validate", str(SAMPLES[-1]))
    assert "pydantic" in validate_modules and "weasyprint" not in validate_modules
