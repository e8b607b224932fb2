"""The store of the plain LangChain recipe the benchmark compares against.

What a user would write without this project: ``langchain_chroma.Chroma.from_documents``
into a persistent folder, then ``similarity_search``. Chroma's default embedding function
is refused outright (it would try to download a model). The recipe's other steps
(reading, splitting, the embedding object) are in :mod:`assistant.bench.baseline`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "BASELINE_COLLECTION",
    "baseline_count",
    "build_baseline_store",
    "open_baseline_store",
    "refuse_chroma_default_embeddings",
    "start_chroma_runtime",
]

BASELINE_COLLECTION = "baseline"


def refuse_chroma_default_embeddings() -> None:
    """Make any use of Chroma's downloading default embedding function an error."""
    from chromadb.api.types import DefaultEmbeddingFunction

    def refuse(self: Any, input: Any) -> Any:  # noqa: A002 - Chroma's signature
        raise RuntimeError("Chroma's default embedding function was called; pass embeddings")

    DefaultEmbeddingFunction.__call__ = refuse  # type: ignore[method-assign]


def _client_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def build_baseline_store(chunks: list[Any], embeddings: Any, folder: Path) -> Any:
    """``Chroma.from_documents`` into a persistent folder."""
    from langchain_chroma import Chroma

    refuse_chroma_default_embeddings()
    return Chroma.from_documents(
        chunks,
        embeddings,
        collection_name=BASELINE_COLLECTION,
        persist_directory=str(folder),
        client_settings=_client_settings(),
    )


def open_baseline_store(folder: Path, embeddings: Any) -> Any:
    """Open a store written by :func:`build_baseline_store`."""
    from langchain_chroma import Chroma

    refuse_chroma_default_embeddings()
    return Chroma(
        collection_name=BASELINE_COLLECTION,
        embedding_function=embeddings,
        persist_directory=str(folder),
        client_settings=_client_settings(),
    )


def baseline_count(vectorstore: Any) -> int:
    """Return the number of chunks in a recipe store (LangChain has no public count)."""
    return int(vectorstore._collection.count())


def start_chroma_runtime(folder: Path) -> None:
    """Start Chroma's embedded runtime on an empty folder.

    A comparison calls this first, so neither system is charged for the runtime's start.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chromadb.PersistentClient(
        path=str(folder), settings=ChromaSettings(anonymized_telemetry=False)
    ).heartbeat()
