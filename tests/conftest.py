"""Shared fixtures: the sample editions are rendered once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from printpost import pipeline
from printpost.resources import PROJECT_DIR

SAMPLES = sorted((PROJECT_DIR / "issues").glob("*.yaml"))
# One typesetter for the tests of a process, as one `printpost` command has one.
TYPESETTER = pipeline.Typesetter()


@pytest.fixture(scope="session")
def built_samples(tmp_path_factory) -> dict[Path, pipeline.BuildResult]:
    """Each sample edition built in the default format into a temporary output dir."""
    out = tmp_path_factory.mktemp("output")
    return {sample: TYPESETTER.build(sample, out_dir=out) for sample in SAMPLES}


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the newest sample, for mutating."""
    target = tmp_path / SAMPLES[-1].name
    shutil.copy(SAMPLES[-1], target)
    return target


# The month tests' session fixtures (a small synthetic month built once): tests/monthkit.py.
from monthkit import built_month, month_archive, month_issues  # noqa: E402, F401

# A small edition built by `python -m printpost build` once (crash, concurrency and
# reproducibility tests): tests/buildkit.py.
from buildkit import small_builds  # noqa: E402, F401


def pytest_sessionfinish(session, exitstatus):
    """Each test process (an xdist worker ends without exit handlers) removes WeasyPrint's
    temporary copies of the bundled fonts, as the `printpost` command does."""
    import sys

    if "printpost.engine.fonts" in sys.modules:
        sys.modules["printpost.engine.fonts"].release_fonts()
