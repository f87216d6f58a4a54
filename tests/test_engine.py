"""printpost/engine/patches.py: each patch replaces the WeasyPrint internals it names and
nothing else, only while inside, only for the WeasyPrint version it mirrors, and only when
the engine's options leave it on."""

from __future__ import annotations

import sys

import pytest

from printpost import render  # noqa: F401 (sets the fonts' fontconfig file before WeasyPrint)
from printpost.engine import patches, startup
from printpost.engine.patches import PATCHES, EngineOptions
from printpost.limits import Budget

weasyprint = startup.import_weasyprint()
ARGUMENTS = {"layout": dict(grid=16.0, log=render.FetchLog(), allowed_file=lambda url: None,
                            budget=Budget(seconds=60, pages=12)),
             "write": dict(identifier=b"0123456789abcdef")}


def weasyprint_attributes() -> dict[str, object]:
    """Every module-level attribute of every WeasyPrint module loaded, by dotted name."""
    found = {}
    for name, module in list(sys.modules.items()):
        if (name == "weasyprint" or name.startswith("weasyprint.")) and module is not None:
            for attribute, value in list(vars(module).items()):
                found[f"{name.removeprefix('weasyprint').lstrip('.')}.{attribute}".lstrip(".")] = value
    return found


def changed_inside(phase: str, options: EngineOptions) -> set[str]:
    before = weasyprint_attributes()
    with patches.patched(phase, options, **ARGUMENTS[phase]):
        inside = weasyprint_attributes()
    assert weasyprint_attributes() == before  # all put back
    return {name for name, value in inside.items() if before.get(name) is not value}


@pytest.mark.parametrize("patch", PATCHES, ids=lambda patch: patch.name)
def test_each_patch_names_what_is_there_in_the_version_it_mirrors(patch):
    assert patch.mirrors == weasyprint.__version__.split(".")[0]
    attributes = weasyprint_attributes()
    for target in patch.replaces:
        assert target in attributes, target


@pytest.mark.parametrize("phase", ["layout", "write"])
def test_a_phase_replaces_what_its_patches_name_and_nothing_else(phase):
    named = {target for patch in PATCHES if patch.phase == phase for target in patch.replaces}
    assert named and changed_inside(phase, EngineOptions()) == named


def test_patches_stand_aside_under_another_weasyprint(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert changed_inside("layout", EngineOptions()) == set()
    assert changed_inside("write", EngineOptions()) == set()


def test_no_limits_no_limit_patch():
    before = weasyprint_attributes()
    with patches.patched("layout", EngineOptions(), **{**ARGUMENTS["layout"], "budget": None}):
        inside = weasyprint_attributes()
    assert inside["layout.page.make_page"] is before["layout.page.make_page"]


def test_options_turn_balancing_and_kept_lines_off():
    changed = changed_inside("layout", EngineOptions(balance="weasyprint", lines="fresh"))
    assert "layout.block.columns_layout" not in changed
    assert "layout.block.iter_line_boxes" in changed  # the hyphen limit stays
    assert "layout.block.columns_layout" in changed_inside("layout", EngineOptions(balance="probe"))


@pytest.mark.parametrize("environment, options", [
    ({}, EngineOptions()),
    ({"PRINTPOST_BALANCE": "weasyprint"}, EngineOptions(balance="weasyprint")),
    ({"PRINTPOST_BALANCE": "probe", "PRINTPOST_LINES": "fresh", "PRINTPOST_NO_CACHE": "1"},
     EngineOptions(balance="probe", lines="fresh", startup_cache=False)),
    ({"PRINTPOST_BALANCE": "other", "PRINTPOST_LINES": "kept", "PRINTPOST_NO_CACHE": ""},
     EngineOptions()),
])
def test_options_from_the_environment(environment, options):
    assert EngineOptions.from_environment(environment) == options
