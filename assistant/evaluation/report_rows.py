"""The figures and rows both reports show: headline, breakdowns, baselines, worst items.

Kept apart from the Markdown and HTML writers so the two formats (and the terminal)
format the same numbers the same way and pick the same worst items.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from assistant.evaluation.results import ItemResult

__all__ = [
    "BASELINE_HEADER",
    "BREAKDOWN",
    "HEADLINE",
    "WORST",
    "baseline_rows",
    "breakdown_rows",
    "citation_line",
    "clip",
    "config_text",
    "failures",
    "first_relevant_rank",
    "fmt",
    "headline",
    "rank_text",
    "threshold",
    "worst_items",
]

# (summary section, key, higher is better)
HEADLINE: tuple[tuple[str, str, bool], ...] = (
    ("retrieval", "hit@1", True),
    ("retrieval", "hit@5", True),
    ("retrieval", "mrr@10", True),
    ("retrieval", "ndcg@10", True),
    ("retrieval", "recall@5", True),
    ("answers", "key_fact_coverage", True),
    ("answers", "first_citation_gold", True),
    ("answers", "citation_validity", True),
    ("answers", "supported_sentence_rate", True),
    ("answers", "refusal_accuracy", True),
    ("answers", "false_refusal_rate", False),
    ("answers", "answer_language", True),
    ("latency", "p50_ms", False),
    ("latency", "p95_ms", False),
)
BREAKDOWN = (
    "hit@5", "mrr@10", "key_fact_coverage", "citation_validity", "refusal_accuracy",
    "answer_language",
)  # fmt: skip
WORST = 10
BASELINE_HEADER = ["", "group", "n", "configuration", "dense only", "BM25 only", "vs best single"]


def headline(summary: dict[str, Any]) -> dict[str, float | None]:
    """Return the headline metrics of a summary, flat and in display order."""
    return {key: summary.get(section, {}).get(key) for section, key, _ in HEADLINE}


def _block_metrics(block: dict[str, Any]) -> dict[str, float | None]:
    flat = {**block.get("retrieval", {}), **block.get("answers", {})}
    return {key: flat.get(key) for key in BREAKDOWN}


def fmt(value: float | None, key: str = "") -> str:
    """Format a metric for display: ``–`` when missing, milliseconds as whole numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key.endswith("_ms"):
        return f"{value:,.0f}"
    return f"{value:.3f}"


def first_relevant_rank(item: ItemResult) -> int:
    """Rank (from 1) of the first gold passage retrieved, 999 when none was."""
    relevant = set(item.relevant_keys)
    return next((i for i, k in enumerate(item.ranked_keys, start=1) if k in relevant), 999)


def rank_text(item: ItemResult) -> str:
    """Return the first relevant rank as a reader sees it."""
    if not item.relevant_keys:
        return "n/a (no gold)"
    rank = first_relevant_rank(item)
    return "none in top 10" if rank == 999 else str(rank)


def failures(item: ItemResult) -> list[str]:
    """Return the checks an item failed, in words."""
    failed = []
    if not item.checks.get("hit@5", True):
        failed.append("missed hit@5")
    if not item.checks.get("refused_correctly", True):
        failed.append("answered an unanswerable question")
    if not item.checks.get("answered", True):
        failed.append("refused an answerable question")
    if not item.checks.get("key_facts", True):
        failed.append(f"key-fact coverage {item.metrics.get('key_fact_coverage') or 0:.0%}")
    if not item.checks.get("answer_language", True):
        problems = (item.language_check or {}).get("problems") or ["wrong language"]
        failed.append(f"answer language ({problems[0]})")
    return failed


def worst_items(items: Sequence[ItemResult], n: int = WORST) -> list[ItemResult]:
    """Pick the ``n`` items that failed most: missed hit@5, wrong refusal, missing key facts.

    Test items are never listed: their failures are not read while tuning (evals/README.md),
    so a report shows them only as figures.
    """
    failing = [item for item in items if getattr(item, "split", "") != "test" and failures(item)]
    return sorted(
        failing,
        key=lambda i: (
            -len(failures(i)),
            i.metrics.get("key_fact_coverage") or 0.0,
            -first_relevant_rank(i),
            i.id,
        ),
    )[:n]


def threshold(summary: dict[str, Any]) -> float | None:
    """Return the support threshold (refusal cut-off) the run's configuration records."""
    config = summary.get("config", {})
    value = config.get("support_threshold", config.get("settings", {}).get("support_threshold"))
    return float(value) if value is not None else None


def breakdown_rows(blocks: dict[str, Any]) -> list[list[str]]:
    """One row per language or tag: name, item count, then the ``BREAKDOWN`` metrics."""
    rows = []
    for name, block in blocks.items():
        metrics = _block_metrics(block)
        rows.append([name, str(block.get("n_items", ""))] + [fmt(v) for v in metrics.values()])
    return rows


def baseline_rows(summary: dict[str, Any]) -> list[list[str]]:
    """hit@5 / MRR@10 of the configuration and each single retriever, overall, by language and tag.

    The last column says whether the configuration is at least as good as the best
    single retriever on both metrics, and if not, by how much it trails.
    """
    singles = summary.get("baselines") or {}
    if not singles:
        return []
    names = list(singles)

    def pair(block: dict[str, Any] | None) -> tuple[float | None, float | None]:
        metrics = (block or {}).get("retrieval") or {}
        return metrics.get("hit@5"), metrics.get("mrr@10")

    def text(values: tuple[float | None, float | None]) -> str:
        return "–" if values[0] is None else f"{values[0]:.3f}/{values[1]:.3f}"

    groups = [("all", "", summary, {n: singles[n] for n in names})]
    for kind, key in (("language", "by_language"), ("tag", "by_tag")):
        for group, block in summary.get(key, {}).items():
            groups.append(
                (kind, group, block, {n: singles[n].get(key, {}).get(group) for n in names})
            )
    rows = []
    for kind, group, block, theirs in groups:
        ours = pair(block)
        if ours[0] is None:
            continue  # no item with gold in this group (e.g. unanswerable questions)
        best = [pair(theirs[n]) for n in names]
        gaps = [
            f"{metric} −{max(v[i] for v in best if v[i] is not None) - ours[i]:.3f}"
            for i, metric in enumerate(("hit@5", "MRR"))
            if any(v[i] is not None and v[i] > ours[i] + 1e-9 for v in best)
        ]
        rows.append(
            [
                kind,
                group,
                str(block.get("n_items", "")),
                text(ours),
                *(text(v) for v in best),
                "; ".join(gaps) if gaps else "≥ best",
            ]
        )
    return rows


def citation_line(citation: dict[str, Any]) -> str:
    """Return a citation as one line: number, title, locator and language, document id."""
    where = ", ".join(str(x) for x in (citation.get("locator"), citation.get("language")) if x)
    title, doc_id = citation.get("title", ""), citation.get("doc_id", "")
    return f"[{citation.get('n', '?')}] {title} — {where} ({doc_id})"


def clip(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def config_text(config: dict[str, Any]) -> str:
    """Return the run configuration as indented JSON."""
    return json.dumps(config, ensure_ascii=False, indent=2)
