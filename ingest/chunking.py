"""Turn a document's sections into size-bounded chunks with stable ids (pure functions).

Decision paragraphs stay one chunk each (a citation must point at one paragraph);
other sections under the same heading are packed together up to ``chunk_size``
characters, and anything longer is split at sentence boundaries, CJK-aware.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.core.records import Chunk, LoadedDocument, Section

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
        for part in split_text(section.text, chunk_size, chunk_overlap):
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
