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
