"""HTML pages: the article's text, headings as locators, tables as Markdown rows."""

from __future__ import annotations

from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.formats.common import structured
from ingest.formats.text_codec import decode
from ingest.limits import FileBudget

__all__ = ["SUFFIXES", "load"]

SUFFIXES = (".html", ".htm")


def load(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Load an HTML page: its article text in reading order, under its headings."""
    from ingest.formats.html_blocks import html_blocks

    title, blocks = html_blocks(decode(path, data), budget.tick)
    if not any(not b.is_heading for b in blocks):
        raise IngestError(path, "no readable text in the HTML (only markup or scripts)")
    return structured(path, data, budget, title, blocks)
