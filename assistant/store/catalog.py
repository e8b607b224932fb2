"""What a store holds: its documents, their languages and the case studies' facets.

The app's library and ``restoration-assistant info`` show this; one scan of the stored
metadata builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.core.provenance import origin_of
from assistant.core.settings import Settings
from assistant.store.chroma import Store

__all__ = ["StoreInfo", "describe"]


@dataclass(frozen=True)
class StoreInfo:
    """What the store holds."""

    location: str
    collection: str
    embedding_model: str
    chunks: int
    documents: list[dict[str, Any]] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    ecosystems: list[str] = field(default_factory=list)

    @property
    def languages(self) -> dict[str, int]:
        """Number of documents per language."""
        counts: dict[str, int] = {}
        for doc in self.documents:
            counts[doc["language"]] = counts.get(doc["language"], 0) + 1
        return dict(sorted(counts.items()))


def describe(store: Store, settings: Settings) -> StoreInfo:
    """Scan the store's metadata once: documents (with chunk counts), regions and ecosystems."""
    documents: dict[str, dict[str, Any]] = {}
    regions: set[str] = set()
    ecosystems: set[str] = set()
    for page in store.pages(text=False):
        for meta in (record.metadata for record in page):
            regions.add(str(meta.get("region") or ""))
            ecosystems.add(str(meta.get("ecosystem") or ""))
            doc = documents.setdefault(
                str(meta.get("doc_id")),
                {
                    "doc_id": meta.get("doc_id"),
                    "title": meta.get("title", ""),
                    "kind": meta.get("kind", ""),
                    "language": meta.get("language", ""),
                    "year": meta.get("year"),
                    "origin": origin_of(meta),
                    "owner": meta.get("owner", ""),
                    "chunks": 0,
                },
            )
            doc["chunks"] += 1
    location = (
        f"{settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else str(settings.store_dir)
    )
    return StoreInfo(
        location=location,
        collection=settings.collection,
        embedding_model=store.model,
        chunks=store.count(),
        documents=sorted(documents.values(), key=lambda d: (d["kind"], d["doc_id"])),
        regions=sorted(regions - {""}),
        ecosystems=sorted(ecosystems - {""}),
    )
