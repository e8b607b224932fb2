"""What every format's loader shares: metadata as declared, sections from blocks, the document.

Fields declared outside the file (sidecar YAML, command line) reach every loader through one
context value set by :func:`ingest.loaders.load_document`, so no loader's signature changes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.records import DocumentMeta, LoadedDocument, Section
from ingest.decisions import looks_like_decision, parse_decision
from ingest.formats.blocks import Block, split_table
from ingest.formats.text_codec import CONTROL_CHARS, clean
from ingest.limits import FileBudget
from ingest.metadata import Declared, build_meta

__all__ = ["DECLARED", "declared", "document", "first_line", "metadata", "paragraphs", "structured"]

# Fields declared outside the file for the load in progress (see the module docstring).
DECLARED: ContextVar[Declared | None] = ContextVar("declared", default=None)


def metadata(
    path: Path, fields: dict[str, Any], body: str, title: str = "", headings: Iterable[str] = ()
) -> DocumentMeta:
    """Metadata from front matter ``fields``, fields declared beside the file, and the text."""
    return build_meta(path, declared(fields), body, title=title, headings=headings)


def declared(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the fields that win for the file being loaded (see :class:`Declared`)."""
    declared = DECLARED.get()
    return declared.merge(fields) if declared is not None else dict(fields)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> Iterator[str]:
    """Blank-line separated paragraphs, stripped, one at a time (a huge file is not split whole)."""
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        part = text[start : match.start()].strip()
        if part:
            yield part
        start = match.end()
    part = text[start:].strip()
    if part:
        yield part


def structured(
    path: Path,
    data: bytes,
    budget: FileBudget,
    title: str,
    blocks: list[Block],
    fields: dict[str, Any] | None = None,
) -> LoadedDocument:
    """Sections of a format read into blocks: the innermost heading is each one's locator.

    A document that reads as a decision (numbered paragraphs under a decision heading)
    is parsed into its paragraphs instead, as in every other format.
    """
    fields = fields or {}
    full = "\n".join(b.text for b in blocks)
    headings = [b.text for b in blocks if b.is_heading]
    kind = declared(fields).get("kind")
    if kind == "decision" or (not kind and looks_like_decision(full)):
        decision = parse_decision(full)
        if decision:
            return document(path, data, metadata(path, fields, full, title=title), decision)
    meta = metadata(path, fields, full, title=title, headings=headings)
    sections: list[Section] = []
    locator = meta.title
    for block in blocks:
        if block.is_heading:
            locator = block.text
            continue
        for piece in split_table(block.text) if block.text.startswith("| ") else [block.text]:
            budget.add_section()
            sections.append(Section(text=piece, locator=locator, heading=locator))
    return document(path, data, meta, sections)


def first_line(error: BaseException) -> str:
    """Return the first line of an error's message, bounded, for a one-line reason."""
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no details"


def document(
    path: Path, data: bytes, meta: DocumentMeta, sections: list[Section]
) -> LoadedDocument:
    """Assemble the loaded document: sections cleaned, empty ones dropped, the file hashed."""
    # Last line of defence for every format: a damaged PDF or crafted markup can still
    # smuggle control characters (NUL...) into extracted text or the title.
    sections = [
        replace(s, text=clean(s.text).strip()) for s in sections if clean(s.text).strip()
    ]
    if not sections:
        raise IngestError(path, "no text to index")
    if CONTROL_CHARS.search(meta.title):
        meta = replace(meta, title=clean(meta.title).strip() or path.stem)
    return LoadedDocument(
        meta=meta,
        sections=tuple(sections),
        content_hash=hashlib.sha256(data).hexdigest(),
        path=str(path),
    )


