"""Build the assistant once from settings and answer questions with it.

:func:`build_assistant` is the one factory the CLI, the app, the FAQ builder and the
eval harness share: it loads the embedding model, opens the store, builds the
lexical index and wires the retriever to the composer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.answering import ExtractiveComposer
from assistant.embeddings import build_embeddings, model_id
from assistant.errors import InvalidQuestion
from assistant.lexical import LexicalIndex
from assistant.records import Answer
from assistant.retrieval import Filters, HybridRetriever
from assistant.settings import Settings
from assistant.store import Store, open_store

__all__ = ["Assistant", "StoreInfo", "build_assistant", "validate_question"]

_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)


def validate_question(question: str, max_chars: int) -> str:
    """Return the trimmed question, or raise :class:`InvalidQuestion` saying what to fix."""
    text = (question or "").strip()
    if not text:
        raise InvalidQuestion("Please type a question.")
    if len(text) > max_chars:
        raise InvalidQuestion(
            f"The question is {len(text):,} characters long; please keep it under {max_chars:,}."
        )
    if not _WORDLIKE.search(text):
        raise InvalidQuestion("The question has no words to search for; please ask in words.")
    return text


@dataclass(frozen=True)
class StoreInfo:
    """What the store holds."""

    location: str
    collection: str
    embedding_model: str
    chunks: int
    documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def languages(self) -> dict[str, int]:
        """Number of documents per language."""
        counts: dict[str, int] = {}
        for doc in self.documents:
            counts[doc["language"]] = counts.get(doc["language"], 0) + 1
        return dict(sorted(counts.items()))


class Assistant:
    """Answers questions from one store with one configuration."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Any,
        store: Store,
        retriever: HybridRetriever,
        composer: ExtractiveComposer,
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.store = store
        self.retriever = retriever
        self.composer = composer

    def refresh(self) -> None:
        """Rebuild the lexical index if the collection changed (after an ingest)."""
        self.retriever.lexical = LexicalIndex.load_or_build(self.store, self.settings.cache_dir)

    def ask(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        k: int | None = None,
        ranking_depth: int = 0,
    ) -> Answer:
        """Answer one question with citations; raises :class:`InvalidQuestion` on bad input.

        ``ranking_depth`` retrieves more passages than the composer uses (``k``) and
        records them all in the trace, for ranking metrics at depth 10.
        """
        started = time.perf_counter()
        text = validate_question(question, self.settings.max_question_chars)
        k = k or self.settings.top_k
        retrieval = self.retriever.search(text, filters=filters, k=max(k, ranking_depth))
        ranked = retrieval.sources
        retrieval = replace(retrieval, sources=ranked[:k])
        compose_started = time.perf_counter()
        answer = self.composer.compose(text, retrieval)
        timings = dict(retrieval.timings_ms)
        timings["compose"] = round((time.perf_counter() - compose_started) * 1000, 2)
        timings["total"] = round((time.perf_counter() - started) * 1000, 2)
        trace = {
            "question": question,
            "condensed_query": text,
            "language": retrieval.language,
            "filters": {k: list(v) for k, v in (filters or Filters()).active().items()},
            "settings": self.settings.quality_fingerprint(),
            "embedding_model": model_id(self.settings.embedding_model),
            "corpus_fingerprint": self.store.fingerprint(),
            "prompt_version": None,
            "retrieved": [
                {
                    "chunk_id": s.chunk_id,
                    "doc_id": s.doc_id,
                    "paragraph": s.metadata.get("paragraph", ""),
                    "locator": s.metadata.get("locator", ""),
                    "language": s.language,
                    "relevance": round(s.relevance, 6),
                    "similarity": round(s.similarity, 4),
                    "lexical": round(s.lexical, 4),
                    "ranks": s.ranks,
                    "used": i < k,
                }
                for i, s in enumerate(ranked)
            ],
            "timings_ms": timings,
            **answer.trace,
        }
        return replace(answer, trace=trace)

    def info(self) -> StoreInfo:
        """Describe the documents and chunks in the store."""
        documents: dict[str, dict[str, Any]] = {}
        for page in self.store.iter_records(include=["metadatas"]):
            for meta in page["metadatas"]:
                doc = documents.setdefault(
                    str(meta.get("doc_id")),
                    {
                        "doc_id": meta.get("doc_id"),
                        "title": meta.get("title", ""),
                        "kind": meta.get("kind", ""),
                        "language": meta.get("language", ""),
                        "year": meta.get("year"),
                        "chunks": 0,
                    },
                )
                doc["chunks"] += 1
        location = (
            f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            if self.settings.chroma_host
            else str(self.settings.store_dir)
        )
        return StoreInfo(
            location=location,
            collection=self.settings.collection,
            embedding_model=self.store.model,
            chunks=self.store.count(),
            documents=sorted(documents.values(), key=lambda d: (d["kind"], d["doc_id"])),
        )


def build_assistant(settings: Settings, embeddings: Any | None = None) -> Assistant:
    """Load the model, open the store and build the retrieval pipeline."""
    embeddings = embeddings or build_embeddings(settings.embedding_model, settings.embedding_batch_size)
    store = open_store(settings, embeddings)
    lexical = LexicalIndex.load_or_build(store, settings.cache_dir)
    retriever = HybridRetriever(store=store, embeddings=embeddings, lexical=lexical, settings=settings)
    composer = ExtractiveComposer(embeddings, settings)
    return Assistant(settings, embeddings, store, retriever, composer)
