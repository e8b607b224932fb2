"""Open the Chroma store (embedded on disk, or a Chroma server) with our embeddings.

Chroma's own default embedding function downloads a model on first use, so every
collection is opened with :class:`_ChromaEmbeddingFunction` wrapping ours, and every
write and query carries precomputed vectors.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.core.errors import ModelMismatch, StoreNotFound, explain_operational
from assistant.core.settings import Settings
from assistant.store.embeddings import model_id
from assistant.store.guard import Guarded, Hook, connection_errors, unreachable, unwrap, wrap
from assistant.store.records import Record, records_from_columns
from assistant.store.sentence_vectors import SUFFIX, VERSION, VERSION_KEY, SentenceVectors

__all__ = ["Hook", "Record", "Store", "delete_collection", "open_store"]

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
    """A Chroma client and collection, with the model the collection was built with.

    Against a Chroma server both are wrapped so that a lost connection raises
    :class:`StoreUnavailable` (host, port and what to do) instead of an httpx error.
    The rest of the project reads and writes through the narrow interface below
    (records in, records out); ``collection`` is for this package alone.
    """

    client: Any
    collection: Any
    settings: Settings
    hook: Hook | None = field(default=None, repr=False)

    @property
    def model(self) -> str:
        """Embedding model id recorded in the collection."""
        return str((self.collection.metadata or {}).get(MODEL_KEY, ""))

    def count(self) -> int:
        """Return the number of chunks stored."""
        return int(self.collection.count())

    def fingerprint(self) -> str:
        """Content fingerprint recorded by the last ingest, plus the live chunk count.

        The collection is looked up again first, so a long-running process sees what
        another process (an ingest, a rebuild that re-created the collection) wrote.
        """
        self.reload()
        recorded = (self.collection.metadata or {}).get(FINGERPRINT_KEY, "")
        return f"{recorded}:{self.count()}"

    def reload(self) -> None:
        """Fetch the collection again by name: fresh metadata, and a new id after a rebuild."""
        from chromadb.errors import NotFoundError

        function = getattr(unwrap(self.collection), "_embedding_function", None)
        try:
            collection = self.client.get_collection(
                self.settings.collection, embedding_function=function
            )
        except (NotFoundError, ValueError) as e:
            raise StoreNotFound(
                f"the store has no collection '{self.settings.collection}' any more (being"
                " rebuilt?) — wait for the ingest to finish, or run `restoration-assistant"
                " ingest corpus/`"
            ) from e
        self.collection = wrap(collection, self.settings, self.hook)

    def sentence_vectors(self, *, create: bool = False) -> SentenceVectors | None:
        """Open the sibling collection of answer-sentence vectors; ``None`` when there is none.

        ``create`` makes it (ingest). Without it a store built before these vectors
        existed simply has none, and answers embed their sentences themselves.
        """
        from chromadb.errors import NotFoundError

        name = self.settings.collection + SUFFIX
        function = getattr(unwrap(self.collection), "_embedding_function", None)
        try:
            collection = self.client.get_collection(name, embedding_function=function)
        except (NotFoundError, ValueError):
            collection = None
        if collection is not None and (collection.metadata or {}).get(VERSION_KEY) != VERSION:
            # Embedded from differently cut sentences: useless to answers (they would
            # embed at question time); ingest drops them and embeds anew.
            if not create:
                return None
            self.client.delete_collection(name)
            collection = None
        if collection is None:
            if not create:
                return None
            collection = self.client.create_collection(
                name,
                embedding_function=function,
                metadata={"hnsw:space": "cosine", VERSION_KEY: VERSION},
            )
        return SentenceVectors(wrap(collection, self.settings))

    def record_fingerprint(self) -> str:
        """Hash every chunk id into the collection metadata (ingest calls this at the end)."""
        digest = hashlib.sha256()
        for page in self.pages(text=False, metadata=False):
            for cid in sorted(record.id for record in page):
                digest.update(cid.encode())
        value = digest.hexdigest()[:24]
        metadata = dict(self.collection.metadata or {})
        metadata[FINGERPRINT_KEY] = value
        metadata.pop("hnsw:space", None)  # immutable after creation; passing it again fails
        self.collection.modify(metadata=metadata)
        return value

    def observe(self, hook: Hook | None) -> None:
        """Run every operation on the chunk collection through ``hook`` (``None``: stop).

        The benchmark times the store this way and fault tests interrupt its writes; the
        hook stays across :meth:`reload`. Sentence vectors are not observed.
        """
        self.hook = hook
        self.collection = wrap(self.collection, self.settings, hook)

    # --- the narrow interface: the only calls the rest of the project makes -------------

    def pages(
        self,
        *,
        where: dict[str, Any] | None = None,
        text: bool = True,
        metadata: bool = True,
        vectors: bool = False,
        batch_size: int = 5000,
    ) -> Iterator[list[Record]]:
        """Yield every chunk (or those matching ``where``) a page at a time, in stored order.

        Pages keep memory bounded on large stores.
        """
        include = _include(text, metadata, vectors)
        offset = 0
        while True:
            page = self.collection.get(
                include=include, limit=batch_size, offset=offset, where=where
            )
            if not page["ids"]:
                return
            yield records_from_columns(page)
            offset += len(page["ids"])

    def query(
        self, vector: Any, n: int, where: dict[str, Any] | None = None, *, content: bool = True
    ) -> list[Record]:
        """Return the ``n`` nearest chunks to ``vector`` (best first), with their distance.

        Without ``content`` only ids and distances come back: reading the texts and
        metadata of 120 chunks costs Chroma about 13 ms, the ids alone under 1 ms, so a
        caller that holds the chunks in memory asks for ids.
        """
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"] if content else ["distances"],
        )
        page = {
            key: (value[0] if value is not None else None)
            for key, value in result.items()
            if key in ("ids", "documents", "metadatas")
        }
        return records_from_columns(page, list(result["distances"][0]))

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
        """Return the chunks with these ids (or matching ``where``), with what was asked for.

        Ids not stored are left out; ``limit`` caps how many are returned.
        """
        include = _include(text, metadata, vectors)
        return records_from_columns(
            self.collection.get(ids=ids, where=where, include=include, limit=limit)
        )

    def write(
        self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]], vectors: list[Any]
    ) -> None:
        """Add or replace chunks, with their precomputed vectors."""
        self.collection.upsert(ids=ids, documents=texts, metadatas=metadatas, embeddings=vectors)

    def update(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Merge metadata into stored chunks: the keys given replace theirs, text and vectors stay."""
        self.collection.update(ids=ids, metadatas=metadatas)

    def delete(self, ids: list[str]) -> None:
        """Remove chunks by id."""
        if ids:
            self.collection.delete(ids=ids)

    def max_batch_size(self) -> int:
        """Largest number of records one write may carry."""
        try:
            return int(self.client.get_max_batch_size())
        except (AttributeError, TypeError):
            return 5000


def _include(text: bool, metadata: bool, vectors: bool) -> list[str]:
    """Chroma's ``include`` for what a read asks for (ids always come)."""
    wanted = (("documents", text), ("metadatas", metadata), ("embeddings", vectors))
    return [name for name, asked in wanted if asked]


@functools.cache
def _register_adapter() -> None:
    """Make Chroma know our adapter by name, so it can read back a collection's configuration."""
    from chromadb.utils.embedding_functions import register_embedding_function

    register_embedding_function(_ChromaEmbeddingFunction)


def _client(settings: Settings, create: bool) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    _register_adapter()

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        # The constructor turns a refused connection into a ValueError.
        refused: tuple[type[BaseException], ...] = (ValueError, *connection_errors())
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        except refused as e:
            raise unreachable(settings) from e
        return Guarded(client, settings)
    if not create and not (settings.store_dir / "chroma.sqlite3").is_file():
        raise StoreNotFound(
            f"no store at {settings.store_dir} — build it with "
            f"`restoration-assistant ingest corpus/ --store {settings.store_dir}`"
        )
    try:
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    except Exception as e:
        explained = explain_operational(e, settings.store_dir)
        if explained is None:
            raise
        raise explained from e
    return Guarded(client, settings)


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
            metadata={MODEL_KEY: wanted},
            configuration={"hnsw": {"space": "cosine", "ef_search": settings.hnsw_ef_search}},
        )
    built_with = str((collection.metadata or {}).get(MODEL_KEY, ""))
    if built_with != wanted:
        raise ModelMismatch(
            f"the store was built with embedding model '{built_with}' but '{wanted}' is"
            f" configured — set RA_EMBEDDING_MODEL to match, or rebuild with"
            f" `restoration-assistant ingest corpus/ --rebuild`"
        )
    if create:
        _set_search_breadth(collection, settings.hnsw_ef_search)
    return Store(client=client, collection=wrap(collection, settings), settings=settings)


def _set_search_breadth(collection: Any, ef_search: int) -> None:
    """Give a store built with another HNSW search breadth this one (ingest calls this).

    With Chroma's default (100) a query for the dense depth (120) is approximate, and
    which near-tied passage makes the cut changed from one process to the next; 200 still
    missed one now and then in a fresh build, 400 finds the exact neighbours on the
    bundled corpus. Chroma applies it from the next process on.
    """
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    if hnsw.get("ef_search") != ef_search:
        collection.modify(configuration={"hnsw": {"ef_search": ef_search}})


def delete_collection(settings: Settings) -> None:
    """Drop the collection (``ingest --rebuild``); a missing one is not an error."""
    from chromadb.errors import NotFoundError

    client = _client(settings, create=True)
    for name in (settings.collection, settings.collection + SUFFIX):
        try:
            client.delete_collection(name)
        except (NotFoundError, ValueError):
            pass
