"""An in-memory store with the narrow interface of :class:`assistant.store.chroma.Store`.

For unit tests that need stored chunks but not Chroma: it reads and writes
:class:`Record` values, as the project's code does, and never imitates Chroma's column
dicts. ``tests/store/test_store_interface.py`` runs the same checks on it and on a real
embedded Chroma, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.store.records import Record

__all__ = ["MemoryStore", "matches"]


def matches(metadata: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """Whether ``metadata`` passes a ``where`` clause ($and, $or, $eq, $ne, $in, $nin)."""
    if not where:
        return True
    if "$and" in where:
        return all(matches(metadata, clause) for clause in where["$and"])
    if "$or" in where:
        return any(matches(metadata, clause) for clause in where["$or"])
    for name, condition in where.items():
        tests = condition if isinstance(condition, dict) else {"$eq": condition}
        for operator, operand in tests.items():
            if not _OPERATORS[operator](metadata.get(name), operand):
                return False
    return True


_OPERATORS = {
    "$eq": lambda value, operand: value == operand,
    "$ne": lambda value, operand: value != operand,
    "$in": lambda value, operand: value in operand,
    "$nin": lambda value, operand: value not in operand,
}


class MemoryStore:
    """Chunks kept in insertion order in a dict; cosine distances computed exactly."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self.records: dict[str, Record] = {r.id: r for r in records}

    def _shaped(self, record: Record, text: bool, metadata: bool, vectors: bool) -> Record:
        return Record(
            id=record.id,
            text=record.text if text else "",
            metadata=dict(record.metadata) if metadata else {},
            vector=record.vector if vectors else None,
        )

    def count(self) -> int:
        """Return the number of chunks stored."""
        return len(self.records)

    def pages(
        self,
        *,
        where: dict[str, Any] | None = None,
        text: bool = True,
        metadata: bool = True,
        vectors: bool = False,
        batch_size: int = 5000,
    ) -> Iterator[list[Record]]:
        """Yield the matching chunks ``batch_size`` at a time."""
        found = self.get(where=where, text=text, metadata=metadata, vectors=vectors)
        for start in range(0, len(found), batch_size):
            yield found[start : start + batch_size]

    def get(
        self,
        ids: list[str] | None = None,
        *,
        where: dict[str, Any] | None = None,
        text: bool = True,
        metadata: bool = True,
        vectors: bool = False,
        limit: int | None = None,
    ) -> list[Record]:
        """Return the chunks with these ids (or matching ``where``); unknown ids are left out."""
        chosen = (
            self.records.values()
            if ids is None
            else (self.records[i] for i in ids if i in self.records)
        )
        found = [
            self._shaped(r, text, metadata, vectors) for r in chosen if matches(r.metadata, where)
        ]
        return found[:limit] if limit is not None else found

    def query(
        self, vector: Any, n: int, where: dict[str, Any] | None = None, *, content: bool = True
    ) -> list[Record]:
        """Return the ``n`` nearest chunks by cosine distance, best first (ids only without ``content``)."""
        query = np.asarray(vector, dtype=np.float64)
        scored = []
        for record in self.records.values():
            if matches(record.metadata, where):
                stored = np.asarray(record.vector, dtype=np.float64)
                cosine = float(query @ stored / (np.linalg.norm(query) * np.linalg.norm(stored)))
                scored.append(
                    replace(self._shaped(record, content, content, False), distance=1.0 - cosine)
                )
        return sorted(scored, key=lambda r: r.distance)[:n]

    def write(
        self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]], vectors: list[Any]
    ) -> None:
        """Add or replace chunks."""
        for cid, text, meta, vector in zip(ids, texts, metadatas, vectors, strict=True):
            self.records[cid] = Record(cid, text, dict(meta), vector=np.asarray(vector))

    def update(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Merge new metadata into stored chunks, as Chroma does."""
        for cid, meta in zip(ids, metadatas, strict=True):
            old = self.records[cid]
            self.records[cid] = replace(old, metadata={**old.metadata, **meta})

    def delete(self, ids: list[str]) -> None:
        """Remove chunks by id."""
        for cid in ids:
            self.records.pop(cid, None)
