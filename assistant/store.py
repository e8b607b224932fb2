"""Open the Chroma store (embedded on disk, or a Chroma server) with our embeddings.

Chroma's own default embedding function downloads a model on first use, so every
collection is opened with :class:`_ChromaEmbeddingFunction` wrapping ours, and every
write and query carries precomputed vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.embeddings import model_id
from assistant.errors import ModelMismatch, StoreNotFound, StoreUnavailable
from assistant.settings import Settings

__all__ = ["Store", "open_store"]

FINGERPRINT_KEY = "content_fingerprint"
MODEL_KEY = "embedding_model"


class _ChromaEmbeddingFunction:
    """Adapter so Chroma never attaches (and downloads) its default embedding function."""

    def __init__(self, embeddings: Any) -> None:
        self._embeddings = embeddings

    def __call__(self, input: list[str]) -> list[Any]:  # noqa: A002 - Chroma's protocol
        return list(self._embeddings.encode(list(input)))

    def embed_query(self, input: list[str]) -> list[Any]:  # noqa: A002
        return list(self._embeddings.encode(list(input), query=True))

    @staticmethod
    def name() -> str:
        return "restoration-assistant"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaEmbeddingFunction:
        # Another client opening the collection gets an inert placeholder: every call of
        # ours passes vectors, and a placeholder is better than Chroma's downloading default.
        return _ChromaEmbeddingFunction(None)

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


@dataclass
class Store:
    """A Chroma client and collection, with the model the collection was built with."""

    client: Any
    collection: Any
    settings: Settings

    @property
    def model(self) -> str:
        """Embedding model id recorded in the collection."""
        return str((self.collection.metadata or {}).get(MODEL_KEY, ""))

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self.collection.count())

    def fingerprint(self) -> str:
        """Content fingerprint recorded by the last ingest, plus the live chunk count."""
        recorded = (self.collection.metadata or {}).get(FINGERPRINT_KEY, "")
        return f"{recorded}:{self.count()}"

    def record_fingerprint(self) -> str:
        """Hash every chunk id into the collection metadata (ingest calls this at the end)."""
        digest = hashlib.sha256()
        for batch in self.iter_records(include=[]):
            for cid in sorted(batch["ids"]):
                digest.update(cid.encode())
        value = digest.hexdigest()[:24]
        metadata = dict(self.collection.metadata or {})
        metadata[FINGERPRINT_KEY] = value
        metadata.pop("hnsw:space", None)  # immutable after creation; passing it again fails
        self.collection.modify(metadata=metadata)
        return value

    def iter_records(
        self, include: list[str] | None = None, batch_size: int = 5000, where: Any = None
    ) -> Iterator[dict[str, Any]]:
        """Yield ``collection.get`` pages so large stores are read in bounded memory."""
        include = ["documents", "metadatas"] if include is None else include
        offset = 0
        while True:
            page = self.collection.get(
                include=include, limit=batch_size, offset=offset, where=where
            )
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def max_batch_size(self) -> int:
        """Largest number of records one write may carry."""
        try:
            return int(self.client.get_max_batch_size())
        except (AttributeError, TypeError):
            return 5000


def _client(settings: Settings, create: bool) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        except Exception as e:  # noqa: BLE001 - httpx/chromadb raise many connection types
            raise StoreUnavailable(
                f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is unreachable"
                " — start it with `chroma run --path DIR --host HOST --port PORT`, or check"
                " --chroma-host/--chroma-port"
            ) from e
        return client
    if not create and not (settings.store_dir / "chroma.sqlite3").is_file():
        raise StoreNotFound(
            f"no store at {settings.store_dir} — build it with "
            f"`restoration-assistant ingest corpus/ --store {settings.store_dir}`"
        )
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)


def open_store(settings: Settings, embeddings: Any, *, create: bool = False) -> Store:
    """Open (or with ``create``, create) the collection and check its embedding model."""
    from chromadb.errors import NotFoundError

    client = _client(settings, create)
    function = _ChromaEmbeddingFunction(embeddings)
    wanted = model_id(settings.embedding_model)
    try:
        collection = client.get_collection(settings.collection, embedding_function=function)
    except (NotFoundError, ValueError) as e:
        if not create:
            raise StoreNotFound(
                f"the store has no collection '{settings.collection}' — build it with "
                "`restoration-assistant ingest corpus/`"
            ) from e
        collection = client.create_collection(
            settings.collection,
            embedding_function=function,
            metadata={MODEL_KEY: wanted, "hnsw:space": "cosine"},
        )
    built_with = str((collection.metadata or {}).get(MODEL_KEY, ""))
    if built_with != wanted:
        raise ModelMismatch(
            f"the store was built with embedding model '{built_with}' but '{wanted}' is"
            f" configured — set RA_EMBEDDING_MODEL to match, or rebuild with"
            f" `restoration-assistant ingest corpus/ --rebuild`"
        )
    return Store(client=client, collection=collection, settings=settings)


def delete_collection(settings: Settings) -> None:
    """Drop the collection (``ingest --rebuild``); a missing one is not an error."""
    from chromadb.errors import NotFoundError

    client = _client(settings, create=True)
    try:
        client.delete_collection(settings.collection)
    except (NotFoundError, ValueError):
        pass
