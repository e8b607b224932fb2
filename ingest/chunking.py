"""Turn a document's sections into size-bounded chunks with stable ids (pure functions).

Decision paragraphs stay one chunk each (a citation must point at one paragraph);
other sections under the same heading are packed together up to ``chunk_size``
characters, and anything longer is split at sentence boundaries, CJK-aware. A table's
rows are never parted from its header row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.core.records import Chunk, LoadedDocument, Section
from ingest.tables import is_markdown_table

__all__ = ["chunk_document", "chunk_id", "split_text"]

# Paragraphs, lines, then sentence ends in Chinese and Latin scripts, then clauses, words.
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "? ", "! ", "; ", "，", ", ", " ", ""]


def chunk_id(doc_id: str, locator: str, text: str) -> str:
    """Return the stable id of a chunk: a hash of its document, locator and text."""
    digest = hashlib.sha256(f"{doc_id}\x1f{locator}\x1f{text}".encode()).hexdigest()
    return digest[:32]


def split_text(text: str, chunk_size: int, chunk_overlap: int) -> list[str]:
    """Split text longer than ``chunk_size`` at the most natural boundary available."""
    if len(text) <= chunk_size:
        return [text]
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    return [part for part in splitter.split_text(text) if part.strip()]


def _table_parts(text: str, chunk_size: int, chunk_overlap: int) -> list[str] | None:
    """Parts of a Markdown table piece, each under the table's header; None for other text.

    A table piece is whole rows under their header (see :mod:`ingest.tables`); one long
    row may pass the size a little rather than be cut from its header. Beyond half as much
    again, the rows are split like text, each part led by the header.
    """
    if not is_markdown_table(text):
        return None
    lines = text.split("\n")
    if len(text) <= chunk_size * 3 // 2:
        return [text]
    head = "\n".join(lines[:2])
    body = split_text("\n".join(lines[2:]), max(chunk_size - len(head) - 1, 200), chunk_overlap)
    return [f"{head}\n{part}" for part in body]


def _packed(sections: Iterable[Section], chunk_size: int) -> list[Section]:
    """Merge consecutive non-decision sections that share a locator, up to the size bound."""
    packed: list[Section] = []
    for section in sections:
        last = packed[-1] if packed else None
        if (
            last is not None
            and not section.paragraph
            and not last.paragraph
            and last.locator == section.locator
            and last.page == section.page
            and len(last.text) + 2 + len(section.text) <= chunk_size
        ):
            packed[-1] = Section(
                text=f"{last.text}\n\n{section.text}",
                locator=last.locator,
                page=last.page,
                heading=last.heading,
            )
        else:
            packed.append(section)
    return packed


def chunk_document(document: LoadedDocument, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Return the document's chunks in order; ids are unique within the document."""
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section in _packed(document.sections, chunk_size):
        table = _table_parts(section.text, chunk_size, chunk_overlap)
        for part in (
            table if table is not None else split_text(section.text, chunk_size, chunk_overlap)
        ):
            cid = chunk_id(document.meta.doc_id, section.locator, part)
            if cid in seen:  # the same text twice under one locator adds nothing
                continue
            seen.add(cid)
            chunks.append(
                Chunk(
                    chunk_id=cid,
                    text=part,
                    meta=document.meta,
                    locator=section.locator,
                    position=len(chunks),
                    paragraph=section.paragraph,
                    page=section.page,
                    context=section.context,
                )
            )
    return chunks
