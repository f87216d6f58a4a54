"""Reading built PDFs back: text, fonts, boxes. Used by the tests as a reader would."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pypdfium2


FOLIO_BAND = 40  # points at the top and bottom of a page where the running heads sit


def text_of(pdf: Path | bytes, folios: bool = False) -> str:
    """The text of all pages in reading order, white space folded.

    Without `folios`, the running heads and feet are left out, so that a paragraph that
    runs over a page reads as one.
    """
    document = pypdfium2.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    pages = []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            if folios:
                pages.append(textpage.get_text_range())
            else:
                width, height = page.get_size()
                pages.append(textpage.get_text_bounded(0, FOLIO_BAND, width, height - FOLIO_BAND))
    finally:
        document.close()
    text = "\n".join(pages).replace("\r", "")
    text = re.sub(r"[\u2010\u00ad\ufffe\x02]\s*\n", "", text)  # automatic hyphens at line ends
    text = re.sub(r"-\s*\n(?=\w)", "-", text)  # a line broken after a real hyphen
    return re.sub(r"\s+", " ", text)


def squash(text: str) -> str:
    """Text without white space and hyphens: for finding copy whatever the line breaks.

    (pdfium reports a hyphen that ends a line as U+FFFE or U+0002, whether the hyphenator put it
    there or the copy had it, so hyphens cannot be compared exactly across line ends.)
    """
    return re.sub(r"[\s\u2010\u00ad\ufffe\x02-]+", "", text)


def fonts_of(pdf: Path | bytes) -> list[dict]:
    """Every font dictionary used on any page: base name, embedded file kind."""
    reader = pypdf.PdfReader(pdf if isinstance(pdf, Path) else __import__("io").BytesIO(pdf))
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor_holder = descendants[0].get_object() if descendants else font
            descriptor = descriptor_holder.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor]
            found[str(font["/BaseFont"])] = {"name": str(font["/BaseFont"]), "embedded": embedded}
    return list(found.values())


def placed_text(document) -> list[tuple]:
    """Every text box of a laid-out WeasyPrint document: (page, text, x, y, width, height),
    px, in box-tree order."""
    from weasyprint.formatting_structure import boxes

    found = []

    def walk(box, page):
        if isinstance(box, boxes.TextBox):
            found.append((page, box.text, box.position_x, box.position_y, box.width,
                          box.height))
        for child in getattr(box, "children", ()):
            walk(child, page)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    return found


def place_differences(first: list[tuple], second: list[tuple],
                      tolerance: float = 1e-6) -> list[str]:
    """Where two `placed_text` lists differ: the same words on the same pages, each at the
    same place and size to `tolerance` px (floating-point rounding), or the differences."""
    if len(first) != len(second):
        return [f"{len(first)} text boxes against {len(second)}"]
    return [f"{one} against {other}" for one, other in zip(first, second)
            if one[:2] != other[:2]
            or any(abs(a - b) > tolerance for a, b in zip(one[2:], other[2:]))][:5]
