"""Turn a document's sections into size-bounded chunks with stable ids (pure functions).

Decision paragraphs stay one chunk each (a citation must point at one paragraph);
other sections under the same heading are packed together up to ``chunk_size``
characters, and anything longer is split at sentence boundaries, CJK-aware; a short
lead-in ("…as follows:") is never a chunk of its own. A table's
rows are never parted from its header row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.core.records import Chunk, LoadedDocument, Section
from ingest.tables import is_markdown_table

__all__ = ["chunk_document", "chunk_id", "longest_chunk", "split_text"]

# A section or piece shorter than this share of the chunk size never stands alone: it goes
# with the next (see _packed and _with_lead_ins).
_LEAD_IN_SHARE = 0.25
# Paragraphs, lines, then sentence ends in Chinese and Latin scripts, then clauses, words.
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "? ", "! ", "; ", "，", ", ", " ", ""]


def chunk_id(doc_id: str, locator: str, text: str) -> str:
    """Return the stable id of a chunk: a hash of its document, locator and text."""
    digest = hashlib.sha256(f"{doc_id}\x1f{locator}\x1f{text}".encode()).hexdigest()
    return digest[:32]


def longest_chunk(chunk_size: int) -> int:
    """The longest a piece of text may be: ``chunk_size``, and a short lead-in joined to it."""
    return int(chunk_size * (1 + _LEAD_IN_SHARE))


def split_text(text: str, chunk_size: int, chunk_overlap: int) -> list[str]:
    """Split text longer than ``chunk_size`` at the most natural boundary available.

    A piece may pass the size by a short lead-in joined to it (see :func:`longest_chunk`).
    """
    if len(text) <= chunk_size:
        return [text]
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    return _with_lead_ins([part for part in splitter.split_text(text) if part.strip()], text, chunk_size)


def _with_lead_ins(parts: list[str], text: str, chunk_size: int) -> list[str]:
    """Join a short piece to the next one: "…can be summarized as follows:" leads its list.

    The joined piece is the original text from the first's start to the second's end, so
    nothing between them is lost or repeated; when a piece cannot be placed in ``text``,
    the split is kept as it is.
    """
    spans: list[list[int]] = []
    cursor = 0
    for part in parts:
        start = text.find(part, cursor)
        if start < 0:
            return parts
        spans.append([start, start + len(part)])
        cursor = start + 1
    joined: list[list[int]] = []
    for span in spans:
        if (
            joined
            and joined[-1][1] - joined[-1][0] < chunk_size * _LEAD_IN_SHARE
            and span[1] - joined[-1][0] <= longest_chunk(chunk_size)
        ):
            joined[-1][1] = max(joined[-1][1], span[1])
        else:
            joined.append(span)
    return [text[a:b].strip() for a, b in joined]


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
    """Merge consecutive non-decision sections that share a locator, up to the size bound.

    A short section ("The workflow … can be summarized as follows:") goes with the next
    one whatever their size: alone it would be a chunk that says nothing, and the list it
    introduces would be cut from it. The merged text is then split at natural boundaries,
    so the short section leads the first piece.
    """
    packed: list[Section] = []
    for section in sections:
        last = packed[-1] if packed else None
        if (
            last is not None
            and not section.paragraph
            and not last.paragraph
            and last.locator == section.locator
            and last.page == section.page
            and (
                len(last.text) + 2 + len(section.text) <= chunk_size
                or len(last.text) < chunk_size * _LEAD_IN_SHARE
            )
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
