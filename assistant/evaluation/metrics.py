"""The figures of an eval run: ranking metrics (ranx), answer rates, latency, breakdowns.

Apart from the harness because the same figures are computed for a fresh run, a
re-summarised one and the single-retriever baselines, and ranx's quirks (fixed-width
keys, compile once) belong in one place.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.evaluation.checks import refusal_by_type
from assistant.evaluation.conversations import conversation_summary
from assistant.evaluation.items import SPLITS
from assistant.evaluation.llm import llm_summary
from assistant.evaluation.results import ItemResult

__all__ = [
    "RANKING_DEPTH",
    "RANX_METRICS",
    "compile_metrics",
    "ranx_qrels_and_run",
    "retrieval_digest",
    "summarize",
]

RANKING_DEPTH = 10


def ranx_qrels_and_run(results: Sequence[ItemResult], name: str | None = None) -> tuple[Any, Any]:
    """Build ranx ``Qrels`` and ``Run`` from the items that have gold references.

    Each ranked relevance unit scores ``1/rank`` so ranx keeps our order; an item that
    retrieved nothing gets a placeholder so it still counts (as a miss).
    """
    from ranx import Qrels, Run

    scored = [r for r in results if r.relevant_keys]
    qrels = Qrels({r.id: {_fixed_width(k): 1 for k in r.relevant_keys} for r in scored})
    run_dict = {}
    for r in scored:
        ranked = r.ranked_keys[:RANKING_DEPTH]
        ranking = {_fixed_width(key): 1.0 / rank for rank, key in enumerate(ranked, start=1)}
        run_dict[r.id] = ranking or {_fixed_width("__none__"): 0.0}
    return qrels, Run(run_dict, name=name)


def _fixed_width(key: str) -> str:
    """Return a relevance unit's key as 16 hex digits, the same for the same key in every call.

    ranx stores document keys as NumPy strings as wide as the longest one, and numba
    compiles its helpers anew for every width: with our keys' varying lengths the test
    suite in a fresh environment ran about eight minutes longer than in a warm one. At one
    width they compile once (``compile_metrics``) and stay cached.
    """
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


RANX_METRICS = {
    "hit@1": "hit_rate@1",
    "hit@5": "hit_rate@5",
    "mrr@10": "mrr@10",
    "ndcg@10": "ndcg@10",
    "recall@5": "recall@5",
}


def _ranking_metrics(results: list[ItemResult]) -> dict[str, float | None]:
    from ranx import evaluate

    if not any(r.relevant_keys for r in results):
        return dict.fromkeys(RANX_METRICS)
    qrels, run = ranx_qrels_and_run(results)
    values = evaluate(qrels, run, list(RANX_METRICS.values()), make_comparable=True)
    return {ours: round(float(values[theirs]), 4) for ours, theirs in RANX_METRICS.items()}


def compile_metrics() -> None:
    """Compile ranx's metrics once, on two made-up items, through the path evals take.

    ranx compiles them with numba on first use and caches the result beside the
    package; ``make setup`` calls this so a new environment's first eval does not stall
    for about a minute after its last item.
    """
    import warnings

    from ranx import compare

    def item(item_id: str, ranked: list[str]) -> ItemResult:
        return ItemResult(item_id, "", "en", "en", [], True, "", True, 1.0, [], [], ["x"], ranked)

    one = [item("a", ["x", "z"]), item("b", ["z"])]
    two = [item("a", ["z"]), item("b", ["x"])]
    with warnings.catch_warnings():  # numba's notes on its own casts, while compiling
        warnings.simplefilter("ignore")
        _ranking_metrics(one)
        qrels, run_one = ranx_qrels_and_run(one, name="one")
        _, run_two = ranx_qrels_and_run(two, name="two")
        compare(
            qrels, [run_one, run_two], metrics=list(RANX_METRICS.values()), make_comparable=True
        )


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 4) if present else None


def _block(results: list[ItemResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = sorted(r.latency_ms for r in results)

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(round(p * (len(latencies) - 1))))], 1)

    return {
        "n_items": len(results),
        "retrieval": _ranking_metrics(results),
        "answers": {
            "key_fact_coverage": _mean(r.metrics["key_fact_coverage"] for r in answerable),
            "gold_document_cited": _mean(r.metrics.get("gold_document_cited") for r in answerable),
            "first_citation_gold": _mean(r.metrics.get("first_citation_gold") for r in answerable),
            "citation_validity": _mean(r.metrics["citation_validity"] for r in results),
            "supported_sentence_rate": _mean(r.metrics["supported_sentence_rate"] for r in results),
            "refusal_accuracy": _mean(float(not r.supported) for r in unanswerable),
            "false_refusal_rate": _mean(float(not r.supported) for r in answerable),
            "answer_language": _mean(_as_float(r.checks.get("answer_language")) for r in results),
        },
        "latency": {"p50_ms": pct(0.5), "p95_ms": pct(0.95)},
    }


def _as_float(value: bool | None) -> float | None:
    return None if value is None else float(value)


def _by_language(results: list[ItemResult]) -> dict[str, Any]:
    languages = sorted({r.language for r in results})
    return {lang: _block([r for r in results if r.language == lang]) for lang in languages}


def summarize(results: list[ItemResult], config: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics with breakdowns by language, tag, split and set.

    ``splits`` holds ``dev`` and ``test`` (each with its own ``by_language``): a change
    is judged on ``test``. ``by_set`` gives each set (file stem) overall and per split;
    ``refusal_by_type`` the refusals per adversarial type; ``conversations`` the
    per-turn figures of conversation items.
    """
    summary = _block(results)
    tags = sorted({t for r in results for t in r.tags})
    summary["by_language"] = _by_language(results)
    summary["by_tag"] = {tag: _block([r for r in results if tag in r.tags]) for tag in tags}
    summary["splits"] = {}
    for split in SPLITS:
        part = [r for r in results if r.split == split]
        summary["splits"][split] = {**_block(part), "by_language": _by_language(part)}
    summary["by_set"] = {}
    for name in dict.fromkeys(r.set_name for r in results if r.set_name):
        in_set = [r for r in results if r.set_name == name]
        summary["by_set"][name] = {"all": _block(in_set)} | {
            split: _block([r for r in in_set if r.split == split]) for split in SPLITS
        }
    summary["refusal_by_type"] = refusal_by_type(results)
    summary["conversations"] = conversation_summary(results, _block)
    if (llm := llm_summary([r.llm for r in results])) is not None:
        summary["llm"] = llm
        summary["llm_by_split"] = {
            split: llm_summary([r.llm for r in results if r.split == split]) for split in SPLITS
        }
    summary["config"] = config
    return summary


def retrieval_digest(summary: dict[str, Any]) -> dict[str, Any]:
    """Return a summary's ranking metrics, overall and by language and tag (a baseline's record)."""

    def block(b: dict[str, Any]) -> dict[str, Any]:
        return {"n_items": b.get("n_items"), "retrieval": b.get("retrieval", {})}

    return {
        **block(summary),
        "by_language": {k: block(v) for k, v in summary.get("by_language", {}).items()},
        "by_tag": {k: block(v) for k, v in summary.get("by_tag", {}).items()},
        "splits": {k: block(v) for k, v in summary.get("splits", {}).items()},
        "by_set": {
            name: {k: block(v) for k, v in parts.items()}
            for name, parts in summary.get("by_set", {}).items()
        },
    }
