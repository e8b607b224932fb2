"""The measurements of a benchmark, each in a fresh worker process, ours against the baseline.

Apart from the run's orchestration so each measurement (ingest pair, warm queries, cold
start) reads on its own, and the ingest-only comparison (:mod:`assistant.bench.ingest`)
reuses the same runner.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings

__all__ = [
    "Log",
    "Runner",
    "cold_start",
    "ingest_pair",
    "median_run",
    "query_row",
    "ratio",
    "reset",
    "sentence_vectors",
]

Log = Callable[[str], None]


class Runner:
    """Spawns worker processes and keeps the work folder tidy."""

    def __init__(self, work: Path, settings: Settings, log: Log) -> None:
        self.work = work
        self.settings = settings.model_dump(mode="json")
        self.log = log
        self.count = 0

    def __call__(self, task: dict[str, Any]) -> dict[str, Any]:
        """Run ``task`` in a fresh worker process and return its result."""
        self.count += 1
        task = {"settings": self.settings, **task}
        task_file = self.work / "tasks" / f"{self.count:03d}-{task['kind']}.json"
        result_file = task_file.with_suffix(".result.json")
        task_file.parent.mkdir(parents=True, exist_ok=True)
        task_file.write_text(json.dumps(task, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "assistant.bench.worker", str(task_file), str(result_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not result_file.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
            raise AssistantError(f"benchmark step {task['kind']} failed:\n{tail}")
        return json.loads(result_file.read_text(encoding="utf-8"))


def ratio(a: float | None, b: float | None) -> float | None:
    """Return ``a / b`` rounded, or None when either is missing or NaN or ``b`` is zero."""
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)


def reset(folder: Path) -> Path:
    """Empty ``folder`` (creating it) and return it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def sentence_vectors(run: Runner, cache: Path, model: str, sentences: list[str], log: Log) -> Path:
    """Real vectors of every source sentence, computed once per model and corpus."""
    from assistant.store.embeddings import model_id

    digest = hashlib.sha256(
        json.dumps([model_id(model), sentences], ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:16]
    folder = cache / f"sentences-{model.replace('/', '_')}-{digest}"
    if (folder / "vectors.npy").is_file() and (folder / "sentences.json").is_file():
        log(f"  sentence vectors: cached ({len(sentences)} sentences)")
        return folder
    log(f"  sentence vectors: embedding {len(sentences)} sentences with {model} (once)")
    run({"kind": "vectors", "model": model, "sentences": sentences, "vectors": str(folder)})
    return folder


def ingest_pair(
    run: Runner,
    model: str,
    label: str,
    paths: list[Path],
    embedding: str,
    vectors: Path,
    base: Path,
    repeat: int,
    log: Log,
) -> dict[str, Any]:
    """Ingest the same files with both systems, alternating which goes first."""
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for rep in range(repeat):
        order = ("ours", "baseline") if rep % 2 == 0 else ("baseline", "ours")
        for system in order:
            log(f"  ingest {label} [{embedding}] {system} (run {rep + 1}/{repeat})")
            runs[system].append(
                run(
                    {
                        "kind": "ingest",
                        "model": model,
                        "system": system,
                        "embedding": embedding,
                        "paths": [str(p) for p in paths],
                        "vectors": str(vectors),
                        "store": str(reset(base / system)),
                    }
                )
            )
    ours = median_run(runs["ours"])
    baseline = median_run(runs["baseline"])
    speedups = [
        ratio(b["seconds"], o["seconds"])
        for o, b in zip(runs["ours"], runs["baseline"], strict=True)
    ]
    return {
        "corpus": label,
        "embedding": embedding,
        "repeat": repeat,
        "ours": ours,
        "baseline": baseline,
        "ratio": {
            "speedup": ratio(baseline["seconds"], ours["seconds"]),
            "speedup_per_run": speedups,
            "chunks_per_s": ratio(ours["chunks_per_s"], baseline["chunks_per_s"]),
            # Text handed to the model (ours adds title and locator, splits decisions finer)
            # and the model's speed on it: speedup ~ embedded_chars_per_s / embedded_chars.
            "embedded_chars": ratio(ours.get("embedded_chars"), baseline.get("embedded_chars")),
            "embedded_chars_per_s": ratio(
                ours.get("embedded_chars_per_s"), baseline.get("embedded_chars_per_s")
            ),
            "peak_rss": ratio(ours["peak_rss_mb"], baseline["peak_rss_mb"]),
        },
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the median time, plus every run's seconds."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["seconds_all"] = [r["seconds"] for r in runs]
    return middle


def cold_start(
    model: str, label: str, ours: Path, baseline: Path, question: str, repeat: int, log: Log
) -> dict[str, Any]:
    """Seconds from spawning a new process to its exit with the first answer printed."""
    ours_cmd = [
        sys.executable,
        "-m",
        "assistant",
        "ask",
        question,
        "--json",
        "--store",
        str(ours / "store"),
        "--embedding-model",
        model,
    ]
    baseline_cmd = [sys.executable, "-c", _BASELINE_COLD, str(baseline / "store"), model, question]
    # The lexical index is cached at ingest, as after `restoration-assistant ingest`.
    env = {**os.environ, "RA_CACHE_DIR": str(ours / "cache")}
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    for rep in range(repeat):
        order = ("ours", "baseline") if rep % 2 == 0 else ("baseline", "ours")
        for system in order:
            log(f"  cold start {label} {system} (run {rep + 1}/{repeat})")
            started = time.perf_counter()
            proc = subprocess.run(
                ours_cmd if system == "ours" else baseline_cmd,
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            seconds = time.perf_counter() - started
            if proc.returncode != 0 or not proc.stdout.strip():
                tail = "\n".join(proc.stderr.strip().splitlines()[-4:])
                raise AssistantError(f"cold start of {system} failed:\n{tail}")
            times[system].append(round(seconds, 3))
    ours_s, base_s = statistics.median(times["ours"]), statistics.median(times["baseline"])
    return {
        "corpus": label,
        "ours": {"median_s": ours_s, "runs_s": times["ours"]},
        "baseline": {"median_s": base_s, "runs_s": times["baseline"]},
        "ratio": ratio(ours_s, base_s),
    }


_BASELINE_COLD = """
import sys
from pathlib import Path
from assistant.core.offline import apply_offline_switches
apply_offline_switches()
from assistant.bench.baseline import baseline_embeddings, open_baseline_store
store = open_baseline_store(Path(sys.argv[1]), baseline_embeddings(sys.argv[2]))
print(store.similarity_search(sys.argv[3], k=5)[0].page_content[:200])
"""


def query_row(label: str, n: int | None, result: dict[str, Any]) -> dict[str, Any]:
    """One corpus's query figures with the ratios ours / baseline."""
    ours, base = result["ours"], result["baseline"]
    memory = result["memory_mb"]
    row = {"corpus": label, "chunks_target": n, **result}
    row["ratio"] = {
        "p50": ratio(ours["total"]["p50"], base["total"]["p50"]),
        "p95": ratio(ours["total"]["p95"], base["total"]["p95"]),
        "loaded_memory": ratio(memory["ours_loaded"], memory["baseline_loaded"]),
    }
    return row
