"""The CLI called in-process: `printpost.cli.main(argv)` returns the exit status and leaves
the process running; the `printpost` console script and `python -m printpost` go through it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

from printpost import cli, exitcodes

from conftest import SAMPLES


def call(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_help_returns_zero_and_prints_usage(capsys):
    status, out, _ = call(capsys, "--help")
    assert status == exitcodes.EXIT_OK
    assert out.startswith("Usage: printpost [OPTIONS] COMMAND")


@pytest.mark.parametrize("argv, words", [
    ((), "Usage: printpost"),  # no command: the help, as bad input
    (("typeset",), "No such command 'typeset'"),
    (("build", "--jobs", "0", "x.yaml"), "Invalid value for '--jobs'"),
    (("build",), "name issue files or a directory"),
    (("build", SAMPLES[0], "--format", "napkin"), "unknown format napkin"),
])
def test_usage_errors_return_bad_input_without_raising(capsys, argv, words):
    status, out, err = call(capsys, *argv)
    assert status == exitcodes.EXIT_BAD_INPUT
    assert words in out + err
    assert "Traceback" not in out + err


def test_validate_returns_each_files_status(capsys, tmp_path):
    status, out, err = call(capsys, "validate", SAMPLES[0])
    assert (status, err) == (exitcodes.EXIT_OK, "")
    assert f"{SAMPLES[0]}: ok (issue #" in out
    bad = tmp_path / "2026-04-20.yaml"
    bad.write_text(SAMPLES[0].read_text(encoding="utf-8").replace("score: ", "score: 1"),
                   encoding="utf-8")
    status, out, err = call(capsys, "validate", SAMPLES[0], bad, tmp_path / "missing.yaml")
    assert status == exitcodes.EXIT_BAD_INPUT
    assert f"{SAMPLES[0]}: ok" in out
    assert "lead.score" in err and "missing.yaml" in err


def test_schema_prints_json(capsys):
    status, out, _ = call(capsys, "schema")
    assert status == exitcodes.EXIT_OK
    assert "edition" in json.loads(out)["properties"]


def test_build_in_process_writes_the_pdf_and_returns(capsys, tmp_path):
    status, out, err = call(capsys, "build", SAMPLES[0], "--out", tmp_path, "--format", "a4")
    assert status == exitcodes.EXIT_OK, err
    written = sorted(tmp_path.rglob("*.pdf"))
    assert len(written) == 1 and written[0].read_bytes().startswith(b"%PDF-")
    assert f"{written[0]}  " in out
    # Called again in the same process: same bytes (nothing of the last call leaks in).
    first = written[0].read_bytes()
    assert call(capsys, "build", SAMPLES[0], "--out", tmp_path / "again")[0] == 0
    assert next((tmp_path / "again").rglob("*.pdf")).read_bytes() == first


def test_the_console_script_and_python_m_run_main():
    script, = metadata.entry_points(group="console_scripts", name="printpost")
    assert script.value == "printpost.cli:run"
    done = subprocess.run([sys.executable, "-m", "printpost", "typeset"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == exitcodes.EXIT_BAD_INPUT
    assert "No such command 'typeset'" in done.stderr
