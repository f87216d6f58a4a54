"""Where printpost's own files live: its layouts and its bundled fonts.

An installed printpost (`pip install .`, a wheel) carries them inside the package, as
printpost/layouts and printpost/fonts (pyproject.toml maps the repository's top-level
layouts/ and fonts/ there), and finds them through importlib.resources. Run from a source
checkout (an editable install, or the checkout on sys.path) they are the checkout's own
folders beside the package. WeasyPrint and fontconfig read real files, so the package must
be unpacked on disk, as pip installs it.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout printpost runs from (its issues/, tests/, bench/), when it runs from one.
PROJECT_DIR = PACKAGE_DIR.parent


def _bundled(name: str) -> Path:
    packaged = importlib.resources.files(__package__) / name
    if isinstance(packaged, Path) and packaged.is_dir():  # an installed package
        return packaged
    checkout = PROJECT_DIR / name
    if checkout.is_dir():  # a source checkout: printpost/ beside layouts/ and fonts/
        return checkout
    # A broken install; said in one line, as every other error (no traceback).
    raise SystemExit(f"printpost: its {name}/ folder is missing (looked in {packaged} and "
                     f"{checkout}); reinstall printpost (pip install printpost)")


LAYOUTS_DIR = _bundled("layouts")
FONTS_DIR = _bundled("fonts")


def layout_dirs() -> list[Path]:
    """Where layouts are looked for, first match wins: the paper's own layouts/ (beside its
    printpost.toml), then the package's. A paper overrides any template or stylesheet file
    by file by putting one of the same name there."""
    from .paper import paper_root

    own = paper_root()
    own_layouts = own / "layouts" if own is not None else None
    if own_layouts is not None and own_layouts.is_dir() and own_layouts.resolve() != LAYOUTS_DIR:
        return [own_layouts.resolve(), LAYOUTS_DIR]
    return [LAYOUTS_DIR]


def find_layout(relative: str | Path) -> Path:
    """The file a layout name stands for (`site/site.css`), the paper's own first."""
    for directory in layout_dirs():
        candidate = directory / relative
        if candidate.is_file():
            return candidate
    return LAYOUTS_DIR / relative
