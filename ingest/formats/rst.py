"""reStructuredText manuals, read with docutils: sections, lists and tables."""

from __future__ import annotations

from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.formats.common import structured
from ingest.formats.text_codec import decode, split_front_matter
from ingest.limits import FileBudget

__all__ = ["SUFFIXES", "load"]

SUFFIXES = (".rst", ".rest")


def load(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Load a reStructuredText file; a YAML front matter block is read when present."""
    from ingest.formats.rst_blocks import RstError, rst_blocks

    text = decode(path, data)
    try:  # a title overlined with '---' is not front matter: only a YAML mapping is
        fields, body = split_front_matter(path, text)
    except IngestError:
        fields, body = {}, text
    try:
        title, blocks = rst_blocks(body)
    except RstError as e:
        raise IngestError(path, str(e)) from e
    budget.tick()
    if not any(not b.is_heading for b in blocks):
        raise IngestError(path, "no readable text in the reStructuredText (only markup)")
    return structured(path, data, budget, title, blocks, fields)
