"""PDF pages → PNG images (previews, thumbnails, and the tests' eyes)."""

from __future__ import annotations

import io


def page_image(pdf: bytes, index: int, dpi: int = 110):
    """One page as a PIL image."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[index].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def page_png(pdf: bytes, index: int, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    page_image(pdf, index, dpi).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def page_jpeg(pdf: bytes, index: int, dpi: int = 36, quality: int = 85) -> bytes:
    """A page as a small JPEG: the front-page thumbnails of the archive cover and the site."""
    buffer = io.BytesIO()
    page_image(pdf, index, dpi).convert("RGB").save(buffer, format="JPEG", quality=quality,
                                                    optimize=True)
    return buffer.getvalue()


def page_image_bytes(pdf: bytes, index: int, dpi: int, image_format: str) -> bytes:
    """A page in the image format named (PNG, JPEG, WEBP), as `printpost preview` writes it."""
    if image_format == "PNG":
        return page_png(pdf, index, dpi)
    buffer = io.BytesIO()
    page_image(pdf, index, dpi).convert("RGB").save(buffer, format=image_format, quality=90)
    return buffer.getvalue()
