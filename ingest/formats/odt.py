"""OpenDocument text: headings, paragraphs, lists and tables from content.xml."""

from __future__ import annotations

from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.formats.common import structured
from ingest.limits import FileBudget

__all__ = ["SUFFIXES", "load"]

SUFFIXES = (".odt",)


def load(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Load an OpenDocument text file (its zip was checked before this is called)."""
    from ingest.formats.odt_blocks import OdtError, odt_blocks

    try:
        title, blocks = odt_blocks(data)  # load_document checked the zip first
    except OdtError as e:
        raise IngestError(path, str(e)) from e
    budget.tick()
    if not any(not b.is_heading for b in blocks):
        raise IngestError(path, "OpenDocument file has no text")
    return structured(path, data, budget, title, blocks)
