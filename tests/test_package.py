"""printpost as a package: a wheel built from the repository carries its layouts and fonts,
installs into a fresh venv outside the checkout, and builds an edition from another folder.

Offline after the first run: the wheels of printpost's dependencies (and of the build
backend) are downloaded once into a wheelhouse in the user's cache, keyed by the
dependency list, and every later run installs from it with --no-index.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import printpost
from pdfcheck import squash, text_of
from printpost.resources import PROJECT_DIR

from conftest import SAMPLES

NOT_PACKAGED = shutil.ignore_patterns(".git", ".venv", "output", "build", "*.egg-info",
                                      "__pycache__", ".pytest_cache", ".hypothesis")


def _clean_env() -> dict[str, str]:
    """The environment of a shell outside the checkout: no venv, no PYTHONPATH."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return env


def _pip(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=timeout)


def _wheelhouse() -> Path:
    """The dependencies' wheels, downloaded once per dependency list and Python."""
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = sorted(project["project"]["dependencies"]) + sorted(project["build-system"]["requires"])
    wanted.append("wheel")
    key = hashlib.sha256(json.dumps([wanted, sys.version_info[:2], platform.machine()])
                         .encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    house = cache / "printpost" / "test-wheelhouse" / key
    if not (house / ".complete").is_file():
        done = _pip("download", "--quiet", "--only-binary", ":all:", "--dest", str(house), *wanted)
        if done.returncode != 0:
            pytest.skip("the dependencies' wheels are not in the wheelhouse yet and could not "
                        f"be downloaded: {done.stderr.strip().splitlines()[-1:]}")
        (house / ".complete").write_text("\n".join(wanted) + "\n", encoding="utf-8")
    return house


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """printpost's wheel, built from a copy of the repository and installed in a fresh venv."""
    base = tmp_path_factory.mktemp("package")
    house = _wheelhouse()
    source = base / "source"
    shutil.copytree(PROJECT_DIR, source, ignore=NOT_PACKAGED)
    dist = base / "dist"
    built = _pip("wheel", "--quiet", "--no-deps", "--no-index", "--find-links", str(house),
                 "--wheel-dir", str(dist), str(source))
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("printpost-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    done = _pip("--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-compile",
                "--no-index", "--find-links", str(house), str(wheel))
    assert done.returncode == 0, done.stderr
    return {"wheel": wheel, "bin": venv / "bin", "base": base}


def test_the_wheel_carries_every_module_layout_and_font(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = set(wheel.namelist())
    modules = [path.relative_to(PROJECT_DIR).as_posix()
               for path in (PROJECT_DIR / "printpost").rglob("*.py")]
    assert [name for name in modules if name not in names] == []  # every subpackage listed
    for folder in ("layouts", "fonts"):
        files = [path.relative_to(PROJECT_DIR).as_posix() for path in (PROJECT_DIR / folder).rglob("*")
                 if path.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                               for part in path.relative_to(PROJECT_DIR).parts)]
        assert files
        missing = [name for name in files if f"printpost/{name}" not in names]
        assert missing == []


def test_installed_printpost_says_its_version(installed):
    done = subprocess.run([str(installed["bin"] / "printpost"), "--version"], capture_output=True,
                          text=True, env=_clean_env(), cwd=installed["base"], timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"printpost {printpost.__version__}"


def test_installed_printpost_builds_an_edition_from_another_folder(installed):
    paper = installed["base"] / "elsewhere"
    paper.mkdir()
    shutil.copy(SAMPLES[-1], paper / SAMPLES[-1].name)
    env = _clean_env()
    where = subprocess.run([str(installed["bin"] / "python"), "-c",
                            "import printpost.resources as r; print(r.LAYOUTS_DIR); print(r.FONTS_DIR)"],
                           capture_output=True, text=True, env=env, cwd=paper, timeout=60)
    venv = installed["bin"].parent
    assert [Path(line).is_relative_to(venv) for line in where.stdout.split()] == [True, True], where

    done = subprocess.run([str(installed["bin"] / "printpost"), "build", SAMPLES[-1].name],
                          capture_output=True, text=True, env=env, cwd=paper, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    [pdf] = (paper / "output").rglob("*-a4.pdf")
    assert "OptimizationWave" in squash(text_of(pdf.read_bytes()))


def test_installed_printpost_makes_a_new_paper_that_builds(installed):
    env = _clean_env()
    printpost_command = str(installed["bin"] / "printpost")
    done = subprocess.run([printpost_command, "init", "new-paper", "--name", "The Valley Courier"],
                          capture_output=True, text=True, env=env, cwd=installed["base"], timeout=60)
    assert done.returncode == 0, done.stderr
    paper = installed["base"] / "new-paper"
    done = subprocess.run([printpost_command, "build", "--all"], capture_output=True, text=True,
                          env=env, cwd=paper, timeout=300)
    assert done.returncode == 0, done.stderr
    [pdf] = (paper / "output").rglob("*-a4.pdf")
    assert "TheValleyCourier" in squash(text_of(pdf.read_bytes()))
