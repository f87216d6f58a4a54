"""Same input, same bytes, on any machine: whatever the working directory, time zone, locale,
clock, SOURCE_DATE_EPOCH, font subsetter, or fonts and font settings of the system and user.

Every build here is a separate `python -m printpost build` process, compared byte for byte
with the reference build of the same edition (buildkit.small_builds).
"""

from __future__ import annotations

import re
import subprocess
import sys
from ctypes.util import find_library
from pathlib import Path

import pypdfium2
import pytest
from fontTools.ttLib import TTFont

from buildkit import UNCOVERED, clean_env, finish, start_build
from pdfcheck import fonts_of, text_of
from printpost.resources import FONTS_DIR


def _pdf(out: Path, builds) -> bytes:
    return (out / builds.pdf_name).read_bytes()


def test_same_bytes_whatever_the_directory_time_zone_locale_and_epoch(small_builds, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    processes = [
        # Relative --out from one directory, absolute from another; opposite ends of the
        # world's time zones (UTC-12 is 26 hours from Kiritimati's UTC+14), another locale.
        start_build(small_builds.new, Path("out"), cwd=tmp_path / "a",
                    env=clean_env(TZ="UTC", SOURCE_DATE_EPOCH=None, LC_ALL="C.UTF-8")),
        start_build(small_builds.new, tmp_path / "b" / "out", cwd=tmp_path / "b" / "deeper",
                    env=clean_env(TZ="Pacific/Kiritimati", SOURCE_DATE_EPOCH="1",
                                  LC_ALL="tr_TR.UTF-8", LANG="tr_TR.UTF-8")),
    ]
    for process in processes:
        status, _, err = finish(process)
        assert status == 0, err
    assert _pdf(tmp_path / "a" / "out", small_builds) == small_builds.new_pdf
    assert _pdf(tmp_path / "b" / "out", small_builds) == small_builds.new_pdf


# WeasyPrint subsets fonts with libharfbuzz-subset when it is installed and falls back to
# fontTools when it is not (weasyprint.pdf.fonts checks its module global `harfbuzz_subset`).
# fontTools stamps each subset font with the current time unless SOURCE_DATE_EPOCH is set,
# which printpost's render step sets from the edition. These builds run without HarfBuzz
# subsetting, the second with its clock 115 days ahead.
WITHOUT_HARFBUZZ_SUBSET = """
import time
import printpost.render  # first: it points fontconfig at the bundled fonts
import weasyprint.pdf.fonts
weasyprint.pdf.fonts.harfbuzz_subset = None
_now = time.time
time.time = lambda: _now() + {offset}
"""


def test_without_libharfbuzz_subset_the_bytes_are_still_deterministic(small_builds, tmp_path):
    processes = [start_build(small_builds.new, tmp_path / f"out{offset}", cwd=tmp_path,
                             prelude=WITHOUT_HARFBUZZ_SUBSET.format(offset=offset))
                 for offset in (0, 115 * 86400)]
    for process in processes:
        status, _, err = finish(process)
        assert status == 0, err
    first, second = (_pdf(tmp_path / f"out{offset}", small_builds) for offset in (0, 115 * 86400))
    assert first == second
    # The fallback really ran (its subsets differ from HarfBuzz's), and prints the same.
    assert first != small_builds.new_pdf
    assert text_of(first) == text_of(small_builds.new_pdf)


# ---- fonts: the bundled ones, only ----------------------------------------------------------

def _trap_font(path: Path) -> None:
    """A font called "Printpost Trap" that has (only) the character no bundled font has."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    for x, y in ((100, 0), (100, 700), (900, 700), (900, 0)):
        (pen.lineTo if x != 100 or y != 0 else pen.moveTo)((x, y))
    pen.closePath()
    box = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "trap"])
    builder.setupCharacterMap({ord(UNCOVERED): "trap"})
    builder.setupGlyf({".notdef": box, "trap": box})
    builder.setupHorizontalMetrics({".notdef": (1000, 100), "trap": (1000, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Printpost Trap", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))


def _bundled_families() -> set[str]:
    families = set()
    for path in FONTS_DIR.glob("*.[ot]tf"):
        with TTFont(path, lazy=True) as font:
            families.add(re.sub(r"[\s-]", "", font["name"].getBestFamilyName()))
    return families


def _font_of_char(pdf: bytes, char: str) -> list[str]:
    """The font each occurrence of `char` is drawn with, as pdfium reads it."""
    import ctypes

    names = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            for position in range(textpage.count_chars()):
                if pypdfium2.raw.FPDFText_GetUnicode(textpage, position) != ord(char):
                    continue
                buffer = ctypes.create_string_buffer(256)
                flags = ctypes.c_int()
                pypdfium2.raw.FPDFText_GetFontInfo(textpage, position, buffer, 256, flags)
                names.append(buffer.value.decode("utf-8", "replace"))
    finally:
        document.close()
    return names


def _trap_env(tmp_path: Path) -> dict[str, str]:
    """Every way fontconfig finds fonts, pointed at the trap: FONTCONFIG_FILE and _PATH (a
    config that lists the trap's directory and then the system's), and a home and XDG data
    directory with the trap in their font folders."""
    trap_dir = tmp_path / "trap"
    _trap_font(trap_dir / "PrintpostTrap.ttf")
    home = tmp_path / "home"
    for fonts in (home / ".fonts", home / ".local" / "share" / "fonts"):
        _trap_font(fonts / "PrintpostTrap.ttf")
    (trap_dir / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{trap_dir}</dir><dir>~/.fonts</dir>"
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>\n')
    return clean_env(FONTCONFIG_FILE=str(trap_dir / "fonts.conf"), FONTCONFIG_PATH=str(trap_dir),
                     HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
                     XDG_CACHE_HOME=str(tmp_path / "cache"))


def test_the_trap_font_is_found_when_the_settings_are_honoured(tmp_path):
    """The control for the next test: plain WeasyPrint in this environment does pick up the
    trap font for the character no bundled font has."""
    env = _trap_env(tmp_path)
    script = ("import sys, weasyprint\n"
              f"html = '<p style=\"font-family: serif\">x {UNCOVERED}</p>'\n"
              "sys.stdout.buffer.write(weasyprint.HTML(string=html).write_pdf())")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    # The PDF names it by its PostScript name, "Printpost-Trap" (with a subset prefix).
    assert any("Printpost-Trap" in name for name in _font_of_char(result.stdout, UNCOVERED))


def test_no_system_or_user_font_is_ever_used(small_builds, tmp_path):
    """The edition has a character in no bundled font; with every font setting pointed at a
    font that has it, printpost still warns about it, draws it with a bundled font (as a
    missing glyph) and writes the very same bytes."""
    env = _trap_env(tmp_path)
    status, _, err = finish(start_build(small_builds.new, tmp_path / "out", cwd=tmp_path, env=env))
    assert status == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "edition.location: U+4E2D" in warnings[0], err
    pdf = _pdf(tmp_path / "out", small_builds)
    assert pdf == small_builds.new_pdf
    families = _bundled_families()
    for name in [font["name"] for font in fonts_of(pdf)] + _font_of_char(pdf, UNCOVERED):
        base = re.sub(r"^/?([A-Z]{6}\+)?", "", name).replace("-", "")
        assert any(base.startswith(family) for family in families), name
    assert _font_of_char(pdf, UNCOVERED), "the character is not in the PDF at all"


# Reports at exit whether this process parsed C declarations (pycparser is what cffi uses)
# and ran the modules of fontTools WeasyPrint imports but printpost's fonts never need.
PYCPARSER_AT_EXIT = """
import atexit, sys
def report():
    subset = sys.modules.get("fontTools.subset")
    print("pycparser imported:", "pycparser" in sys.modules, file=sys.stderr)
    print("instancer imported:", "fontTools.varLib.instancer" in sys.modules, file=sys.stderr)
    print("subsetter run:", subset is not None and type(subset).__name__ == "module",
          file=sys.stderr)
atexit.register(report)
"""


def test_startup_cache_gives_the_same_bytes_without_parsing_c(small_builds,
                                                                            tmp_path):
    # printpost/engine/startup.py: WeasyPrint's C declarations (and pyphen's patterns) kept in the
    # user's cache (here an empty one) the first time, and reused by every later process.
    cache = tmp_path / "cache"

    def build(name, **env):
        return start_build(small_builds.new, tmp_path / name, cwd=tmp_path,
                           env=clean_env(XDG_CACHE_HOME=str(cache), **env),
                           prelude=PYCPARSER_AT_EXIT)

    stock, generating = build("stock", PRINTPOST_NO_CACHE="1"), build("generating")
    results = [finish(stock), finish(generating)]
    assert [status for status, _, _ in results] == [0, 0], results
    assert "pycparser imported: True" in results[0][2]  # WeasyPrint parses its own
    assert len(list((cache / "printpost").glob("_weasyprint_ffi_*.py"))) == 1
    assert len(list((cache / "printpost").glob("hyphenation_*.marshal"))) == 1
    status, _, err = finish(build("prebuilt"))
    assert status == 0, err
    assert "pycparser imported: False" in err
    assert "instancer imported: False" in err
    if find_library("harfbuzz-subset"):  # without it WeasyPrint subsets with fontTools
        assert "subsetter run: False" in err
    for name in ("stock", "generating", "prebuilt"):
        assert _pdf(tmp_path / name, small_builds) == small_builds.new_pdf, name


def test_a_build_leaves_no_temporary_fonts_behind(small_builds, tmp_path):
    # WeasyPrint copies the bundled fonts into a temporary folder for fontconfig; printpost
    # ends without tearing the interpreter down (cli.main), so it removes them itself.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    status, out, err = finish(start_build(small_builds.new, tmp_path / "out", cwd=tmp_path,
                                          env=clean_env(TMPDIR=str(temporary))))
    assert status == 0, err
    assert small_builds.pdf_name.name in out  # its report was flushed before the end
    assert _pdf(tmp_path / "out", small_builds) == small_builds.new_pdf
    assert list(temporary.glob("weasyprint-*")) == []
