"""Sentence vectors computed at ingest, so answering a question embeds only the question.

The extractive composer scores every sentence of the passages it quotes against the
question. Embedding those sentences at question time was most of an answer's latency,
so ingest embeds them once, beside the chunks, in a sibling collection
(``<collection>__sentences``: id ``<chunk_id>:<n>``, the text as embedded, its vector).

The vectors are derived data, never required: a chunk without them (a store built by an
older version, an ingest killed between the two writes) is embedded at question time as
before, and a stored vector is used only if it was embedded from exactly the text the
composer would embed now.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.language.injection import INSTRUCTION
from assistant.language.scripts import HAN_CHAR
from assistant.language.sentences import split_sentences
from assistant.store.records import Record, records_from_columns

__all__ = [
    "MARKUP",
    "SUFFIX",
    "VERSION",
    "VERSION_KEY",
    "LIST_ITEM_JOINER",
    "EvidenceSentence",
    "SentenceRows",
    "SentenceVectors",
    "evidence_sentences",
    "sentence_rows",
]

SUFFIX = "__sentences"
# Bump when evidence_sentences() changes: stores with another version re-embed at ingest.
VERSION = 5
VERSION_KEY = "evidence_sentences_version"
MAX_SENTENCES_PER_CHUNK = 8
# A list longer than this is quoted item by item (each led by its introduction).
MAX_LIST_CHARS = 700
# Between a long list's introduction and one of its items, in the quotable text.
LIST_ITEM_JOINER = " … "
_CJK = HAN_CHAR
# A quotable sentence has a letter or a digit. (Dropping sentences needs no VERSION bump:
# stored vectors are looked up by the text the composer would embed.)
_SAYS = re.compile(r"[^\W_]")
# Markdown list markers and emphasis are layout, not words of the passage.
# (Multiline, so the eval's support check can strip it from whole passages alike.)
MARKUP = re.compile(r"^\s*(?:[-*+]|\d+\))\s+|\*\*|__", re.MULTILINE)
# A list item: "- text", "1) text" or "1. text" (the number is kept when quoted).
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_NUMBERED = re.compile(r"\d+[.)]\s")
_BLANK_LINE_BEFORE = re.compile(r"\n[ \t]*\n[ \t]*\Z")
@dataclass(frozen=True)
class EvidenceSentence:
    """A sentence a passage can contribute to an answer, and the text its vector is of.

    ``whole_list`` marks a list quoted whole with its introduction (what a question
    asking for several things wants).
    """

    order: int
    text: str
    embed_text: str
    whole_list: bool = False


def evidence_sentences(text: str, metadata: dict[str, Any]) -> list[EvidenceSentence]:
    """Return the sentences of a chunk that may be quoted, in order, with their embedding text.

    One definition for ingest and the composer, so stored vectors match what is quoted.
    A sentence is embedded led by its document's title and section ("Extent: about 200
    million trees" then still knows it is about FMNR in Niger); a decision paragraph
    carries its own subject and is embedded as it stands. A list is quoted whole with
    the line that introduces it ("six key attributes: absence of threats; …"): a
    question about a list wants all of it, and an item alone rarely makes sense.
    """
    return list(_evidence_sentences(text, "" if metadata.get("paragraph") else _lead(metadata)))


@lru_cache(maxsize=2048)
def _evidence_sentences(text: str, lead: str) -> tuple[EvidenceSentence, ...]:
    """:func:`evidence_sentences` of a text led by ``lead``; kept, as passages come back."""
    pieces = split_sentences(text)
    opens = _paragraph_openings(text, pieces)
    found: list[EvidenceSentence] = []

    def add(order: int, sentence: str, whole_list: bool = False, embedded: str = "") -> None:
        if (
            len(sentence) >= (6 if _CJK.search(sentence) else 20)
            and _SAYS.search(sentence)  # not a table's rule row ("| --- | --- |") nor a line of dots
            and "://" not in sentence
            and not INSTRUCTION.search(sentence)
        ):
            embedded = embedded or sentence
            embed_text = f"{lead}: {embedded}" if lead else embedded
            found.append(EvidenceSentence(order, sentence, embed_text, whole_list))

    i = 0
    while i < len(pieces) and len(found) < MAX_SENTENCES_PER_CHUNK:
        sentence = _clean(pieces[i])
        if lead and sentence.endswith((":", "：")):
            end = i + 1
            # The list runs over its items and their own further sentences ("- item. more
            # of it"), up to a new paragraph ("se.plan includes…" after a blank line).
            while end < len(pieces) and (
                _ITEM.match(pieces[end]) or pieces[end][:1].islower() and end not in opens
            ):
                end += 1
            items: list[str] = []
            for piece in pieces[i + 1 : end]:
                if INSTRUCTION.search(piece):
                    continue
                if _ITEM.match(piece) or not items:
                    items.append(_clean(piece))
                else:
                    items[-1] = f"{items[-1]} {_clean(piece)}"
            whole = " ".join([sentence, *items])
            if items and len(whole) <= MAX_LIST_CHARS:
                # Quoted as a list, one item a line ("four benefits: biodiversity
                # conservation carbon sequestration…" ran its items together); embedded
                # as one line.
                lines = [item if _NUMBERED.match(item) else f"- {item}" for item in items]
                add(i, "\n".join([sentence, *lines]), whole_list=True, embedded=whole)
            else:  # a long list: each item with its introduction
                for offset, item in enumerate(items, start=1):
                    add(i + offset, f"{sentence}{LIST_ITEM_JOINER}{item}")
            i = max(end, i + 1)
            continue
        add(i, sentence)
        i += 1
    return tuple(found[:MAX_SENTENCES_PER_CHUNK])


def _paragraph_openings(text: str, pieces: list[str]) -> set[int]:
    """Return the indices of the pieces that open a paragraph (a blank line before them)."""
    opens: set[int] = set()
    cursor = 0
    for k, piece in enumerate(pieces):
        at = text.find(piece, cursor)
        if at < 0:
            continue
        if _BLANK_LINE_BEFORE.search(text, max(0, at - 40), at):
            opens.add(k)
        cursor = at + len(piece)
    return opens


def _clean(piece: str) -> str:
    return MARKUP.sub("", piece).strip()


def _lead(metadata: dict[str, Any]) -> str:
    title = str(metadata.get("title", "")).strip()
    section = str(metadata.get("locator", "")).strip()
    return title if not section or section == title else f"{title}, {section}"


@dataclass
class SentenceRows:
    """The sentence records of some chunks, before their vectors are known."""

    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]


def sentence_rows(chunks: Iterable[tuple[str, str, dict[str, Any]]]) -> SentenceRows:
    """Ids, embedding texts and metadata of the sentences of ``(chunk_id, text, metadata)`` chunks.

    Apart from embedding, so ingest can embed chunks and sentences in one model call.
    """
    rows = SentenceRows([], [], [])
    for chunk_id, text, metadata in chunks:
        found = evidence_sentences(text, metadata)
        if len(found) < 2:
            continue  # a one-sentence chunk is scored by its own vector: nothing to store
        for sentence in found:
            rows.ids.append(f"{chunk_id}:{sentence.order}")
            rows.texts.append(sentence.embed_text)
            rows.metadatas.append({"chunk_id": chunk_id, "order": sentence.order})
    return rows


class SentenceVectors:
    """The sibling collection of sentence vectors of one chunk collection.

    Vectors looked up are kept per chunk (the best passages come back question after
    question); a write or delete through this object forgets them, and a chat that sees
    the store change opens a new one.
    """

    _KEPT_CHUNKS = 2048

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self._kept: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()

    def add(self, chunks: Iterable[tuple[str, str, dict[str, Any]]], embeddings: Any) -> int:
        """Embed and store the evidence sentences of ``(chunk_id, text, metadata)`` chunks."""
        rows = sentence_rows(chunks)
        if rows.ids:
            self.write(rows, embeddings.encode(rows.texts))
        return len(rows.ids)

    def write(self, rows: SentenceRows, vectors: Any) -> None:
        """Store sentence rows with vectors computed by the caller (one per row, in order)."""
        if rows.ids:
            self._kept.clear()
            self.collection.upsert(
                ids=rows.ids, embeddings=vectors, documents=rows.texts, metadatas=rows.metadatas
            )

    def delete(self, chunk_ids: list[str]) -> None:
        """Drop the sentences of removed chunks."""
        if chunk_ids:
            self._kept.clear()
            self.collection.delete(where={"chunk_id": {"$in": chunk_ids}})

    def count(self) -> int:
        """Return the number of sentences stored."""
        return int(self.collection.count())

    def get(self, chunk_ids: list[str] | None = None, *, vectors: bool = False) -> list[Record]:
        """Return the stored sentences (of these chunks, or all): text as embedded, metadata."""
        where = {"chunk_id": {"$in": chunk_ids}} if chunk_ids is not None else None
        include = ["documents", "metadatas", *(["embeddings"] if vectors else [])]
        return records_from_columns(self.collection.get(where=where, include=include))

    def lookup(self, chunk_ids: list[str]) -> dict[tuple[str, str], np.ndarray]:
        """Return the stored vectors of these chunks' sentences, keyed by (chunk id, embedded text)."""
        missing = [cid for cid in dict.fromkeys(chunk_ids) if cid not in self._kept]
        if missing:
            got = self.collection.get(
                where={"chunk_id": {"$in": missing}}, include=["embeddings", "documents", "metadatas"]
            )
            fetched: dict[str, dict[str, np.ndarray]] = {cid: {} for cid in missing}
            for text, meta, vector in zip(got["documents"], got["metadatas"], got["embeddings"], strict=True):
                fetched[str(meta["chunk_id"])][text] = np.asarray(vector, dtype=np.float32)
            self._kept.update(fetched)
        found: dict[tuple[str, str], np.ndarray] = {}
        for cid in dict.fromkeys(chunk_ids):
            self._kept.move_to_end(cid)
            found.update(((cid, text), vector) for text, vector in self._kept[cid].items())
        while len(self._kept) > self._KEPT_CHUNKS:
            self._kept.popitem(last=False)
        return found
