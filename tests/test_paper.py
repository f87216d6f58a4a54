"""The paper as configuration: printpost.toml, `printpost init`, a paper's own layouts."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from pdfcheck import squash, text_of
from printpost.resources import LAYOUTS_DIR, PROJECT_DIR

from conftest import SAMPLES

MARK = "Printed on the quay at dawn"


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "printpost", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def gazette(tmp_path_factory) -> Path:
    """A paper made by init, with its own name, tagline and epoch, one template and one
    stylesheet of its own, built from its folder."""
    base = tmp_path_factory.mktemp("papers")
    done = run("init", "gazette", "--name", "The Harbour Gazette", "--tagline",
               "Tides • Trade • Town", "--first-issue", "2025-06-01", cwd=base)
    assert done.returncode == 0, done.stderr
    paper = base / "gazette"
    template = (LAYOUTS_DIR / "edition.html.j2").read_text(encoding="utf-8")
    assert template.count("</body>") == 1
    (paper / "layouts" / "edition.html.j2").write_text(
        template.replace("</body>", f'<p class="quay-note">{MARK}</p>\n</body>'), encoding="utf-8")
    css = (LAYOUTS_DIR / "base.css").read_text(encoding="utf-8")
    (paper / "layouts" / "base.css").write_text(
        css + "\n.quay-note { color: rgb(255, 0, 0); }\n", encoding="utf-8")
    done = run("build", "--all", cwd=paper)
    assert done.returncode == 0, done.stderr
    return paper


def test_init_makes_a_paper_that_builds_with_its_own_name_and_layouts(gazette):
    [pdf] = (gazette / "output").rglob("*.pdf")
    assert pdf.name == "2025-06-01-issue-001-a4.pdf"  # its own epoch: issue #1
    text = squash(text_of(pdf.read_bytes()))
    assert "TheHarbourGazette" in text and "AIMorningPost" not in text
    assert squash("Tides • Trade • Town").upper() in text.upper()
    assert squash(MARK) in text  # the paper's own template
    with pikepdf.open(pdf) as document:  # and its own stylesheet: the note in red
        drawn = b"".join(page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array)
                         else b"".join(part.read_bytes() for part in page.Contents)
                         for page in document.pages)
    assert b"1 0 0 rg" in drawn


def test_an_edited_override_rebuilds_the_edition(gazette):
    done = run("build", "--all", cwd=gazette)
    assert done.returncode == 0 and "1 up to date" in done.stdout, done.stdout
    css = gazette / "layouts" / "base.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    done = run("build", "--all", cwd=gazette)
    assert done.returncode == 0 and "1 built" in done.stdout, done.stdout


def test_init_refuses_a_folder_that_is_a_paper(gazette):
    done = run("init", gazette, cwd=gazette.parent)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "already" in done.stderr


@pytest.mark.parametrize("config, words", [
    ('[paper]\ntagine = "x"\n', 'printpost.toml:2: paper.tagine: unknown key `tagine`; did you mean `tagline`?'),
    ('[paper]\nfirst_issue = "2026-01-29"\n', "printpost.toml:2: paper.first_issue: should be a date, written YYYY-MM-DD, got"),
    ('[papr]\nname = "x"\n', "printpost.toml:1: papr: unknown table [papr]; did you mean [paper]?"),
    ('[defaults.opinion]\ntitle = ""\n', "printpost.toml:2: defaults.opinion.title: "),
    ('[defaults.opinon]\ntitle = "x"\n', "did you mean `opinion`?"),
    ('[site]\nbase_url = "aimorningpost.example"\n', "printpost.toml:2: site.base_url: "),
    ('[build]\nformats = ["a5"]\n', "printpost.toml:2: build.formats: unknown format 'a5'"),
    ("[paper\n", "printpost.toml:1: not valid TOML"),
])
def test_a_bad_printpost_toml_is_bad_input_in_one_line(tmp_path, config, words):
    (tmp_path / "printpost.toml").write_text(config, encoding="utf-8")
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / SAMPLES[-1].name).write_bytes(SAMPLES[-1].read_bytes())
    done = run("validate", Path("issues") / SAMPLES[-1].name, cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: ")
    assert words in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1


COMPOSE = """
import hashlib, sys
from printpost import compose, load, formats
loaded = load.load(sys.argv[1])
html = compose.compose(loaded.issue, formats.get_format("a4"))
print(hashlib.sha256(html.encode()).hexdigest())
"""


def test_the_samples_paper_is_this_repositorys_printpost_toml(tmp_path):
    """Its values are the built-in paper's: the samples set the same with it as without."""
    assert (PROJECT_DIR / "printpost.toml").is_file()
    for sample in SAMPLES:
        with_config = subprocess.run([sys.executable, "-c", COMPOSE, sample], cwd=PROJECT_DIR,
                                     capture_output=True, text=True, check=True).stdout
        built_in = subprocess.run([sys.executable, "-c", COMPOSE, sample], cwd=tmp_path,
                                  capture_output=True, text=True, check=True).stdout
        assert with_config == built_in and len(with_config.strip()) == 64
