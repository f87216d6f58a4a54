"""Two corrections to the PDF WeasyPrint 70 writes: a reproducible XMP document ID, and
each attachment listed once."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager


@contextmanager
def fixed_document_id(identifier: bytes):
    """PDF/X-4 metadata carries an XMP DocumentID that WeasyPrint 70 draws at random
    (uuid4 in weasyprint/pdf/metadata.py): here it is derived from the PDF's identifier,
    so the same edition gets the same bytes."""
    import uuid

    from weasyprint.pdf import metadata

    random_id = metadata.uuid4
    metadata.uuid4 = lambda: uuid.UUID(bytes=hashlib.md5(identifier).digest())
    try:
        yield
    finally:
        metadata.uuid4 = random_id


def associate_once(document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF; once is right
    (a `finisher` for write_pdf)."""
    if "AF" in pdf.catalog:
        unique = list(dict.fromkeys(pdf.catalog["AF"]))
        pdf.catalog["AF"].clear()
        pdf.catalog["AF"].extend(unique)
