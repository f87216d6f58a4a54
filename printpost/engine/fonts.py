"""The bundled fonts, loaded into WeasyPrint's font configuration once per process."""

from __future__ import annotations

import atexit
import shutil

from . import stylesheets

_font_config = None  # one per process: the bundled fonts are loaded into fontconfig once


def font_config():
    """The process's FontConfiguration (fontconfig is told to see only fonts/: render.py)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(release_fonts)
    return _font_config


def release_fonts() -> None:
    """Remove the copies of the bundled fonts WeasyPrint keeps in a temporary folder for
    fontconfig: its FontConfiguration removes them only when it is collected, which a
    process ending need not do (and `printpost` ends without collecting)."""
    global _font_config
    if _font_config is not None and _font_config._folder:
        shutil.rmtree(_font_config._folder, ignore_errors=True)
        _font_config._folder = None
    _font_config = None
    stylesheets.clear()  # their @font-face rules were loaded into that configuration
