"""PDFs read as a person reads them (see :mod:`ingest.formats.pdf_text`), cut by paragraphs or headings."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.formats.common import document, first_line, metadata
from ingest.limits import FileBudget
from ingest.metadata import doc_id_from_name

__all__ = ["SUFFIXES", "load"]

SUFFIXES = (".pdf",)


def load(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Read a PDF as a person reads it (see :mod:`ingest.formats.pdf_text`), cut by paragraphs or headings."""
    from ingest.formats.pdf_sections import pdf_sections
    from ingest.formats.pdf_text import read_pdf

    # pdfminer logs every repair it makes to a damaged file; the one-line reason is enough.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    if b"%PDF-" not in data[:1024]:
        raise IngestError(path, "not a PDF file (no %PDF header; wrong extension?)")
    try:
        reading = read_pdf(data, budget)
    except (IngestError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - a damaged PDF makes pdfminer raise anything
        # (its own errors, IndexError, RecursionError...): it is a fact about the file,
        # reported with its type and message, and must not stop the rest of the batch.
        raise IngestError(path, _pdf_error(e)) from e
    if not any(b.text.strip() for b in reading.blocks):
        if b"/Encrypt" in data:  # opened, but its text did not decrypt to anything readable
            aes = " (AES)" if re.search(rb"/AESV[23]", data) else ""
            raise IngestError(
                path, f"encrypted PDF{aes} that cannot be read here: remove the password and ingest again"
            )
        raise IngestError(path, "PDF has no text layer (scanned?); run OCR first")
    cut = pdf_sections(reading, budget)
    # A PDF keeps the id its file name gives it, decision or not, so a citation or an
    # eval item names the file a user has.
    fields: dict[str, Any] = {"doc_id": doc_id_from_name(path.stem)}
    if cut.decision is not None:
        fields["kind"] = "decision"
    meta = metadata(path, fields, cut.body, title=cut.title)
    if cut.decision is not None and cut.decision.year is not None and meta.year is None:
        meta = replace(meta, year=cut.decision.year)
    elif cut.year is not None and meta.year is None:
        meta = replace(meta, year=cut.year)
    return document(path, data, meta, cut.sections)


def _pdf_error(error: BaseException) -> str:
    """Say in one line why a PDF cannot be read: encrypted, or damaged (with the error)."""
    detail = f"{type(error).__name__}: {first_line(error)}"
    causes = [error, error.__cause__, error.__context__, *error.args]
    names = " ".join(f"{type(c).__name__} {c}" for c in causes if isinstance(c, BaseException))
    if "password" in names.lower() or "encrypt" in names.lower():
        return "encrypted PDF: remove the password and ingest again"
    return f"not a readable PDF ({detail})"
