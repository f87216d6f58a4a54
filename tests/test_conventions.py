"""The CLI's conventions: -h, --version, words instead of types in help, preflight errors
fail a build (unless --draft), the scaffold refused until filled, URLs and image names
checked, one size unit, findings said with page and section names."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

import printpost
from printpost import cli, exitcodes, publish, wording
from printpost.formats import formats
from printpost.preflight import Finding

from conftest import SAMPLES

COMMANDS = ("build", "validate", "check", "new", "schema", "preview", "archive", "site", "watch",
            "serve")


def call(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_version(capsys):
    assert call(capsys, "--version") == (0, f"printpost {printpost.__version__}\n", "")


@pytest.mark.parametrize("command", ("", *COMMANDS))
def test_dash_h_is_help_in_words_not_types(capsys, command):
    status, out, _ = call(capsys, *([command] if command else []), "-h")
    assert status == exitcodes.EXIT_OK and out.startswith("Usage: printpost")
    assert re.findall(r"<[a-z]+[^>]*>", out) == []  # no <list[str]>, <int range>, <path>
    if "-f, --format" in out:
        assert ", ".join(formats()) in " ".join(out.split())


def test_completion_is_offered(capsys):
    status, out, _ = call(capsys, "--help")
    assert "--install-completion" in out and "--show-completion" in out


@pytest.fixture
def tofu_issue(tmp_path):
    """The newest sample with a headline in a script no bundled font has."""
    path = tmp_path / SAMPLES[-1].name
    text = SAMPLES[-1].read_text(encoding="utf-8")
    path.write_text(text.replace("Optimization Wave", "Optimization 漢字 Wave"), encoding="utf-8")
    return path


def test_build_fails_on_preflight_errors_unless_draft(capsys, tofu_issue, tmp_path):
    status, out, err = call(capsys, "build", tofu_issue, "--out", tmp_path / "out")
    assert status == exitcodes.EXIT_BUILD_FAILED
    [pdf] = (tmp_path / "out").rglob("*-a4.pdf")  # written all the same, to look at
    assert f"{publish.human_size(pdf.stat().st_size)}," in out  # the site's unit too
    assert f"error: {pdf}: written, but not fit to print (" in err
    errors = [line for line in err.splitlines() if line.startswith(f"{pdf}: error: ")]
    assert errors and all(line.startswith((f"{pdf}: error: page ", f"{pdf}: error: the edition: "))
                          for line in errors)
    assert any("lead.headline" in line and "(missing-glyph)" in line for line in errors), err
    assert "page 0" not in err and "-cols" not in err

    status, _, err = call(capsys, "build", tofu_issue, "--out", tmp_path / "out", "--draft")
    assert status == exitcodes.EXIT_OK
    assert f"note: {pdf}: written as a draft (--draft) despite" in err


def test_a_sample_builds_with_exit_zero(capsys, tmp_path):
    """Page-design findings are printed but fail only `check`: a good edition builds."""
    status, out, err = call(capsys, "build", SAMPLES[-1], "--out", tmp_path)
    assert status == exitcodes.EXIT_OK, err


def test_the_unfilled_scaffold_is_refused_until_filled(capsys, tmp_path):
    status, out, _ = call(capsys, "new", "2026-04-20", "--dir", tmp_path)
    assert status == 0
    scaffold = tmp_path / "2026-04-20.yaml"
    for command in ("build", "validate"):
        status, _, err = call(capsys, command, scaffold, *(["--out", tmp_path] if command == "build" else []))
        assert status == exitcodes.EXIT_BAD_INPUT, err
        assert err.startswith(f"error: {scaffold}: edition.location and ") and "TODO" in err
        assert "--draft" in err
    assert not list(tmp_path.rglob("*.pdf"))
    assert call(capsys, "validate", scaffold, "--draft")[0] == exitcodes.EXIT_OK


@pytest.mark.parametrize("url", ["aimorningpost.example", "ftp://aimorningpost.example/",
                                 "https://", "https://exa mple.com/"])
def test_site_refuses_a_base_url_without_scheme_and_host(capsys, tmp_path, url):
    status, out, err = call(capsys, "site", "--base-url", url, "--issues", tmp_path,
                            "--out", tmp_path / "site")
    assert status == exitcodes.EXIT_BAD_INPUT
    assert err.startswith(f"error: --base-url {url}: ") and "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_preview_refuses_an_image_name_it_cannot_write(capsys, tmp_path):
    status, _, err = call(capsys, "preview", SAMPLES[-1], "--out", tmp_path / "page.gif")
    assert status == exitcodes.EXIT_BAD_INPUT and ".png, .jpg, .jpeg, .webp" in err
    assert not (tmp_path / "page.gif").exists()


def test_preview_writes_the_format_its_name_asks_for(capsys, tmp_path):
    target = tmp_path / "page.jpg"
    status, _, err = call(capsys, "preview", SAMPLES[-1], "--out", target, "--dpi", "30")
    assert status == exitcodes.EXIT_OK, err
    assert target.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG bytes


def test_findings_are_said_with_page_and_section_names():
    assert wording.finding(Finding("column-balance", 2, "columns end 3 lines apart",
                                   story="briefs-cols")) == (
        "error: page 2, the listings (tools, trending, movers, reading): "
        "columns end 3 lines apart (column-balance)")
    assert wording.finding(Finding("page-count", 0, "5 pages, not 4", severity="warning")) == (
        "warning: the edition: 5 pages, not 4 (page-count)")
    assert wording.place("opinion-2-p3") == "opinion column 2, paragraph 3"
    assert wording.place("deep-dive-cols-2") == "the deep dive"
