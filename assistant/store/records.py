"""Stored chunks as the rest of the project sees them: records, never Chroma's column dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Record", "records_from_columns"]


@dataclass(frozen=True)
class Record:
    """One stored chunk (or sentence): its id, text, metadata and what a read asked for.

    ``distance`` is set by a nearest-neighbour query (cosine distance, lower is better)
    and ``vector`` when vectors were asked for.
    """

    id: str
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    distance: float | None = None
    vector: Any = None


def records_from_columns(
    page: dict[str, Any], distances: list[float] | None = None
) -> list[Record]:
    """Turn one Chroma result (columns of equal length) into records."""
    ids = list(page["ids"])
    texts = page.get("documents")
    metadatas = page.get("metadatas")
    vectors = page.get("embeddings")
    return [
        Record(
            id=cid,
            text=texts[i] if texts is not None else "",
            metadata=dict(metadatas[i] or {}) if metadatas is not None else {},
            distance=float(distances[i]) if distances is not None else None,
            vector=vectors[i] if vectors is not None else None,
        )
        for i, cid in enumerate(ids)
    ]
