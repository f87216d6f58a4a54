"""Bad input: one clear line per problem, exit 2, no traceback, nothing written or clobbered."""

from __future__ import annotations

import datetime as dt
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


HEADLINE = "headline: 'The Open Source Optimization Wave: Llama3-8B-OT Signals New Era'"
# name → (file text, field path, line, the whole message; "…" at its end: its start)
BAD_FILES = {
    "score-11": (GOOD.replace("score: 7", "score: 11"), "lead.score", 24,
                 "must be from 0 to 10, got the number 11"),
    "empty-headline": (GOOD.replace(HEADLINE, "headline: ''"), "lead.headline", 25,
                       "is empty; write the copy (or leave the line out where the field is optional)"),
    "invisible-headline": (GOOD.replace(HEADLINE, 'headline: "\\u200b\\u2060 \\ufeff"'),
                           "lead.headline", 25, "has no visible character (only white space or "
                           "invisible characters such as U+200B); write the copy"),
    "not-a-date": (GOOD.replace("date: 2026-04-19", "date: 2026-02-30"), "edition.date", 15,
                   "2026-02-30 is not a day of the calendar; write the date YYYY-MM-DD"),
    "words-for-date": (GOOD.replace("date: 2026-04-19", "date: next sunday"), "edition.date", 15,
                       "expected a date written YYYY-MM-DD, got the text 'next sunday'"),
    "number-vs-date": (GOOD.replace("issue: 81", "issue: 82"), "edition.issue", 16,
                       "issue #82 disagrees with the date 2026-04-19, which is issue #81"),
    "misspelt-field": (GOOD.replace("  kicker: Lead Story", "  kikcer: Lead Story"), "lead.kikcer",
                       23, "unknown field; did you mean `kicker`?"),
    "unknown-field": (GOOD.replace("  kicker: Lead Story", "  colour: red"), "lead.colour", 23,
                      "unknown field; `lead:` takes `kicker`, `score`, `headline`, …"),
    "missing-field": (GOOD.replace("  dek: >-\n", "  dekk: >-\n", 1), "lead.dek", 22,
                      "required field is missing; add `dek:` to `lead:`"),
    "missing-in-entry": (GOOD.replace("    description: Analysis of deployment", "    about: Analysis of deployment"),
                         "reading[1].description", 143,
                         "required field is missing; add `description:` to entry 2 of `reading:`"),
    "missing-section": (GOOD.replace("deep_dive:\n", "deep_dives:\n"), "deep_dive", 1,
                        "required field is missing; add `deep_dive:` to the top of the file"),
    "wrong-type": (GOOD.replace("temperature_c: 6", "temperature_c: warm"),
                   "edition.weather.temperature_c", 19,
                   "expected a whole number, got the text 'warm' (write it in full: 157000, not "
                   "157k, and without quotes)"),
    "number-for-text": (GOOD.replace("condition: Cloudy", "condition: 12"), "edition.weather.condition",
                        20, "expected text, got the number 12; quote it: '…'"),
    "opinion-as-list": (GOOD.replace("opinion:\n  title: Opinion & Analysis\n  columns:\n", "opinion:\n"),
                        "opinion", 61, "expected a mapping with `columns:`, got a list"),
    "columns-as-text": (GOOD.replace("  columns:\n    - role: Editor's Column", "  columns: none\n  x:\n    - role: Editor's Column"),
                        "opinion.columns", 63, "expected a list (one `- ` line per entry), got the text 'none'"),
    "bad-trend": (GOOD.replace("direction: down", "direction: downn", 1), "movers[3].direction", 137,
                  "expected up or down, got the text 'downn'; did you mean `down`?"),
    "bad-url": (GOOD.replace("url: https://", "url: javascript:alert(1)//", 1), "subscribe.url", 153,
                "needs http:// or https:// and a host"),
    "url-without-scheme": (GOOD.replace("url: https://", "url: ", 1), "subscribe.url", 153,
                           "needs http:// or https:// and a host: write https:// before it"),
    "broken-ipv6": (GOOD.replace("url: https://aimorningpost.example/subscribe", "url: https://[x"),
                    "subscribe.url", 153,
                    "has a [ without its ] (an IPv6 host is written [2001:db8::1])"),
    "bad-port": (GOOD.replace("url: https://aimorningpost.example/", "url: https://aimorningpost.example:99999/"),
                 "subscribe.url", 153, "has a port that is not a number from 1 to 65535"),
    "host-ending-in-a-number": (GOOD.replace("url: https://aimorningpost.example/", "url: https://aimorningpost.123/"),
                                "subscribe.url", 153,
                                "has a host that ends in a number (.123), which browsers read as an "
                                "IPv4 address; end it in a name (….example) or write four numbers "
                                "from 0 to 255"),
    "host-mixing-directions": (GOOD.replace("url: https://aimorningpost.example/", "url: https://aimorningpostب.example/"),
                               "subscribe.url", 153,
                               "has a host whose part 'aimorningpostب' mixes left-to-right and "
                               "right-to-left letters or starts with a right-to-left digit, which "
                               "browsers refuse; write each part between dots in one script, "
                               "starting with a letter"),
    "bad-link-in-copy": (GOOD.replace("review of optimization", "review of [optimization](www.example.com)"),
                         "reading[0].description", 142,
                         "the link [optimization](…) needs http:// or https:// and a host: write "
                         "https:// before it"),
    "noncharacter": (GOOD.replace(HEADLINE, 'headline: "Efficiency\\uFFFEwins"'), "lead.headline", 25,
                     "holds U+FFFE (a noncharacter) at character 11, which no output can carry; "
                     "remove it"),
    "c1-escape": (GOOD.replace(HEADLINE, 'headline: "Efficiency\\x85wins"'), "lead.headline", 25,
                  "holds U+0085 (a control character) at character 11, which no output can "
                  "carry; remove it"),
    "plane-noncharacter": (GOOD.replace(HEADLINE, 'headline: "Efficiency\\U0001FFFFwins"'),
                           "lead.headline", 25, "holds U+1FFFF (a noncharacter) at character 11, "
                           "which no output can carry; remove it"),
    "unquoted-colon": (GOOD.replace(HEADLINE, "headline: Llama 3: the sequel"), "lead.headline", 25,
                       "not valid YAML/JSON: mapping values are not allowed here; copy holds a "
                       "colon followed by a space, which YAML reads as a new key; quote copy that "
                       "holds a colon: headline: '…: …'"),
    "malformed-yaml": ("edition: [unclosed\n  date: 2026-04-19\n", "edition", 2,
                       "not valid YAML/JSON: expected ',' or ']', but got ':'; a [ list is not "
                       "closed, or copy starts with [; quote copy that starts with [ or {: "
                       "edition: '[…] …'"),
    "not-a-mapping": ("- just\n- a list\n", "", 1,
                      "expected a mapping of sections (edition:, lead:, …), got a list"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_each_problem_names_file_line_field_and_fix(tmp_path, name):
    text, field, line, message = BAD_FILES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    problems = [problem for problem in caught.value.problems if problem.field == field]
    assert len(problems) == 1, caught.value.problems
    [problem] = problems
    if message.endswith("…"):
        assert problem.message.startswith(message[:-1]), problem
    else:
        assert problem.message == message
    if line is not None:
        assert problem.line == line
    assert problem.line is not None
    assert str(problem).startswith(f"{path}:{problem.line}") and "\n" not in str(problem)


def test_the_yaml_syntax_error_shows_its_place_with_a_caret():
    with pytest.raises(load.InvalidIssue) as caught:
        load.parse(BAD_FILES["unquoted-colon"][0], "x.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (25, 20)
    source, caret = problem.report().splitlines()[1:]
    assert source == "    25 |   headline: Llama 3: the sequel"
    assert caret.index("^") == source.index(": the") and set(caret) == set(" |^")


@pytest.mark.parametrize("wrong, right, section", [
    ("issue_number", "issue", "edition"), ("weekend_reading", "reading", None),
    ("biggest_movers", "movers", None), ("subtitle", "dek", "lead"), ("subtitle", "tagline", "edition"),
    ("qr_caption", "scan_label", "subscribe"), ("issueNumber", "issue", "edition"),
    ("Deep-Dive", "deep_dive", None), ("headlin", "headline", "lead"), ("tilte", "title", "edition"),
])
def test_did_you_mean_for_common_names(wrong, right, section):
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(GOOD)
    data["edition"]["date"] = "2026-04-19"
    node = data[section] if section else data
    node[wrong] = node.pop(right, None) or "x"
    with pytest.raises(load.InvalidIssue) as caught:
        load.parse(json.dumps(data, indent=1), "x.json")
    field = f"{section}.{wrong}" if section else wrong
    [problem] = [p for p in caught.value.problems if p.field == field]
    assert problem.message == f"unknown field; did you mean `{right}`?"
    assert problem.line is not None


PYDANTIC_WORDS = re.compile(r"Input should|valid dictionary|instance of|String should|"
                            r"List should|Value error|Field required|Extra inputs|after validation")


def test_no_message_is_in_the_validators_words():
    """Every field of the sample, replaced by each kind of wrong value: no message keeps
    pydantic's wording."""
    from ruamel.yaml import YAML

    sample = YAML(typ="safe").load(GOOD)
    sample["edition"]["date"] = "2026-04-19"

    def paths(node, path=()):
        items = node.items() if isinstance(node, dict) else enumerate(node[:1]) \
            if isinstance(node, list) else ()
        for key, value in items:
            yield (*path, key)
            yield from paths(value, (*path, key))

    import copy

    seen = 0
    for path in paths(sample):
        for wrong in (None, 7, 2.5, True, "x" * 7000, "", [], [1], {}, {"a": 1}, "https://[x"):
            data = copy.deepcopy(sample)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = wrong
            try:
                load.validate(data, "x.json")
            except load.InvalidIssue as error:
                for problem in error.problems:
                    seen += 1
                    assert not PYDANTIC_WORDS.search(problem.message), (path, wrong, str(problem))
    assert seen > 500


def test_messages_quote_only_a_short_excerpt_of_a_value(tmp_path):
    secret = "ghp_" + "S3cr3tT0k3n" * 4
    path = tmp_path / "leak.yaml"
    path.write_text(GOOD.replace("date: 2026-04-19", f"date: {secret}")
                    .replace("  kicker: Lead Story", f"  {secret}: Lead Story")
                    .replace("temperature_c: 6", f"temperature_c: {secret}"), encoding="utf-8")
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    assert len(caught.value.problems) == 3
    for problem in caught.value.problems:
        assert secret[:31] not in problem.report(), problem


def test_malformed_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "edition": {\n  "date": "2026-04-19"\n  "location": "x"\n }\n}\n')
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    [problem] = caught.value.problems
    assert problem.line == 4 and problem.message.startswith("not valid YAML/JSON: expected ',' or '}'")
    assert "put a comma between entries" in problem.message


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
        3, "not valid YAML/JSON: U+007F is not allowed in YAML/JSON text; remove it")


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
    assert again.returncode == 2 and "already has an issue file" in again.stderr


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


# ---- files: links out of the directory, dates already taken, one file by two paths --------

def test_a_link_out_of_the_issues_directory_is_not_read(tmp_path):
    """Issue 19, row 8: a symbolic link to a secrets file was followed and its lines echoed."""
    secret = "ghp_" + "S3cr3tT0k3n" * 4
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secrets.yaml").write_text(f"token: {secret}\n", encoding="utf-8")
    issues = tmp_path / "issues"
    issues.mkdir()
    (issues / "2026-04-20.yaml").symlink_to(elsewhere / "secrets.yaml")
    (issues / "2026-04-21.yaml").symlink_to("../elsewhere/secrets.yaml")
    (issues / "2026-04-19.yaml").write_text(GOOD, encoding="utf-8")
    (issues / "latest.yaml").symlink_to("2026-04-19.yaml")  # inside: read
    assert load.load(issues / "latest.yaml").issue.edition.number == 81
    for name in ("2026-04-20.yaml", "2026-04-21.yaml"):
        with pytest.raises(load.InvalidIssue) as caught:
            load.load(issues / name)
        [problem] = caught.value.problems
        assert "symbolic link to a file outside its directory" in problem.message
    result = run_cli("validate", "issues/2026-04-20.yaml", "issues/2026-04-21.yaml", cwd=tmp_path)
    assert result.returncode == 2 and secret[:8] not in result.stderr + result.stdout
    assert result.stderr.count("symbolic link") == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("existing", ["2026-04-20.json", "2026-04-20.JSON", "2026-04-20.YML",
                                      "2026-04-20.yml", "monday.yaml"])
def test_new_refuses_a_date_that_already_has_a_file(tmp_path, existing):
    """Issue 19, row 6: `new 2026-04-20` beside 2026-04-20.json wrote 2026-04-20.yaml, and
    then neither built."""
    from printpost import scaffold

    issues = tmp_path / "issues"
    issues.mkdir()
    (issues / existing).write_text(GOOD.replace("date: 2026-04-19", "date: 2026-04-20")
                                   .replace("issue: 81", "issue: 82"), encoding="utf-8")
    with pytest.raises(ValueError, match=f"2026-04-20 already has an issue file: `{issues / existing}`"):
        scaffold.create(dt.date(2026, 4, 20), issues)
    assert [p.name for p in issues.iterdir()] == [existing]
    assert scaffold.next_date(issues) == dt.date(2026, 4, 21)  # upper-case suffixes seen


def test_new_on_the_command_line_refuses_a_taken_date(tmp_path):
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "2026-04-20.JSON").write_text("{}", encoding="utf-8")
    result = run_cli("new", "2026-04-20", cwd=tmp_path)
    assert result.returncode == 2 and "already has an issue file" in result.stderr
    assert sorted(p.name for p in (tmp_path / "issues").iterdir()) == ["2026-04-20.JSON"]
    assert run_cli("new", cwd=tmp_path).stdout.strip() == str(Path("issues") / "2026-04-21.yaml")


def test_a_same_date_clash_is_told_once_naming_at_most_ten_files():
    """Issue 19, row 10: 1,000 files of one date gave 1,000 lines each naming 999 files."""
    from printpost import catalog

    day = dt.date(2026, 4, 19)
    dates = {Path(f"issues/copy-{index:04d}.yaml"): day for index in range(1000)}
    dates[Path("issues/other.yaml")] = dt.date(2026, 4, 20)
    clashes = catalog.same_date_clashes(dates)
    assert len(clashes) == 1000 and Path("issues/other.yaml") not in clashes
    [problem] = filter(None, clashes.values())
    assert problem.startswith("issues/copy-0000.yaml: edition.date: 2026-04-19 is the date of "
                              "1,000 issue files (issues/copy-0000.yaml, ")
    assert "issues/copy-0009.yaml and 990 more)" in problem and len(problem) < 600


def test_one_file_by_two_paths_is_one_file(tmp_path):
    """Issue 19, row 10: the same directory given twice (relative and absolute) made every
    file clash with itself, and nothing built."""
    from editions import write_small_edition

    issues = tmp_path / "issues"
    issues.mkdir()
    write_small_edition(issues)
    out = tmp_path / "out"
    result = run_cli("build", "--all", "issues", str(issues), "./issues/", "--out", str(out),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 edition: 1 built" in result.stdout and "edition.date" not in result.stderr
    named = run_cli("validate", "issues/2026-04-19.yaml", cwd=tmp_path)
    assert named.returncode == 0
    again = run_cli("build", "issues/2026-04-19.yaml", str(issues / "2026-04-19.yaml"),
                    "--out", str(out), cwd=tmp_path)
    assert again.returncode == 0 and "edition.date" not in again.stderr, again.stderr
