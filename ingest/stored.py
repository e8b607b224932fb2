"""What the store already holds, document by document, as an ingest run sees it.

An ingest run decides per file whether to skip, update or refuse it from what is stored:
the version each document was written at, whether all its chunks made it (an interrupted
update leaves chunks of two versions), where its file was and who owns it. This module
reads that once per run from the chunks' metadata, apart from the writing in
:mod:`ingest.indexing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.provenance import origin_of
from assistant.store.chroma import Store

__all__ = ["StoredDoc", "official_symbols", "stored_documents"]


@dataclass
class StoredDoc:
    """What the store holds of one document: its file, version, chunk ids and provenance."""

    source_path: str = ""
    content_hash: str = ""
    n_chunks: int = 0
    ids: set[str] = field(default_factory=set)
    complete: bool = True
    origin: str = "operator"
    owner: str = ""
    symbol: str = ""


def stored_documents(store: Store) -> dict[str, StoredDoc]:
    """Read every stored chunk's metadata (not its text) into one record per doc_id."""
    docs: dict[str, StoredDoc] = {}
    for page in store.pages(text=False):
        for record in page:
            meta = record.metadata
            doc = docs.setdefault(str(meta.get("doc_id", "")), StoredDoc())
            doc.ids.add(record.id)
            if doc.content_hash and doc.content_hash != meta.get("content_hash"):
                doc.complete = False  # chunks of two versions: an update was interrupted
            doc.content_hash = str(meta.get("content_hash", ""))
            doc.n_chunks = int(meta.get("n_chunks", 0))
            doc.source_path = str(meta.get("source_path", ""))
            doc.origin = origin_of(meta)
            doc.owner = str(meta.get("owner", ""))
            doc.symbol = str(meta.get("symbol", ""))
    return docs


def official_symbols(stored: dict[str, StoredDoc]) -> dict[str, str]:
    """Upper-cased symbols of the stored bundled and operator documents → their doc_id."""
    return {
        doc.symbol.strip().upper(): doc_id
        for doc_id, doc in sorted(stored.items())
        if doc.symbol and doc.origin != "upload"
    }
