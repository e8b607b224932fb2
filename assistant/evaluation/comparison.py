"""A previous eval run set beside this one: headline deltas, paired tests, flipped items.

Apart from the writers because it reads another run and runs ranx's significance tests;
the Markdown and HTML reports only lay out what it found.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import ranx_qrels_and_run
from assistant.evaluation.report_rows import HEADLINE, fmt, headline
from assistant.evaluation.results import ItemResult, read_run

__all__ = ["MAX_P", "SIGNIFICANCE", "Comparison", "compare_runs", "comparison_rows"]

SIGNIFICANCE = {"hit@5": "hit_rate@5", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10"}
MAX_P = 0.05


def _delta(previous: float | None, current: float | None) -> float | None:
    if previous is None or current is None:
        return None
    return current - previous


def _fmt_delta(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    return f"{value:+,.0f}" if key.endswith("_ms") else f"{value:+.3f}"


@dataclass
class Comparison:
    """A previous run set beside this one."""

    previous_dir: Path
    previous: dict[str, float | None]
    current: dict[str, float | None]
    # metric -> (p-value or None, significant at MAX_P)
    significance: dict[str, tuple[float | None, bool]] = field(default_factory=dict)
    paired_items: int = 0
    significance_note: str = ""
    changed: list[tuple[str, str]] = field(default_factory=list)
    # configuration keys whose value differs: (key, previous, current)
    config_changes: list[tuple[str, str, str]] = field(default_factory=list)
    only_previous: list[str] = field(default_factory=list)
    only_current: list[str] = field(default_factory=list)


def compare_runs(
    summary: dict[str, Any], items: Sequence[ItemResult], previous_dir: Path
) -> Comparison:
    """Compare this run with the run in ``previous_dir`` (metrics, significance, flips)."""
    previous_summary, previous_items = read_run(previous_dir, require_items=False)
    comparison = Comparison(
        previous_dir=previous_dir,
        previous=headline(_same_split(previous_summary, summary)),
        current=headline(summary),
        config_changes=_config_changes(
            previous_summary.get("config", {}), summary.get("config", {})
        ),
    )
    if not previous_items:
        comparison.significance_note = (
            "The previous run has no items.jsonl: headline deltas only, no tests or flips."
        )
        return comparison
    before = {item.id: item for item in previous_items}
    after = {item.id: item for item in items}
    comparison.only_previous = sorted(set(before) - set(after))
    comparison.only_current = sorted(set(after) - set(before))
    for item_id in (i.id for i in items if i.id in before):
        old, new = before[item_id], after[item_id]
        changes = []
        if old.checks.get("hit@5") != new.checks.get("hit@5"):
            changes.append("hit@5 " + ("gained" if new.checks.get("hit@5") else "lost"))
        if old.supported != new.supported:
            changes.append("now answered" if new.supported else "now refused")
        if changes:
            comparison.changed.append((item_id, "; ".join(changes)))
    _significance(comparison, [after[i] for i in after if i in before], before)
    return comparison


def _same_split(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Return what of a previous run to set beside this one: its same split, if this ran one."""
    split = (current.get("config") or {}).get("split")
    block = (previous.get("splits") or {}).get(split) if split in ("dev", "test") else None
    return block if block and block.get("n_items") else previous


def _config_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Differences between two run configurations, settings flattened."""

    def flat(config: dict[str, Any]) -> dict[str, str]:
        values = {k: v for k, v in config.items() if k != "settings"}
        values.update(config.get("settings", {}))
        return {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()}

    old, new = flat(before), flat(after)
    return [
        (key, old.get(key, "–"), new.get(key, "–"))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


def _significance(
    comparison: Comparison, current: list[ItemResult], before: dict[str, ItemResult]
) -> None:
    """Paired t-tests (ranx ``compare``) over the items with gold that both runs answered."""
    from ranx import compare

    paired = [item for item in current if item.relevant_keys]
    comparison.paired_items = len(paired)
    if len(paired) < 2:
        comparison.significance_note = "too few paired items with gold references to test"
        return
    # Both runs are judged against this run's gold, so a changed set cannot skew the test.
    qrels, run_now = ranx_qrels_and_run(paired, name="current")
    earlier = [replace(before[i.id], relevant_keys=i.relevant_keys) for i in paired]
    _, run_before = ranx_qrels_and_run(earlier, name="previous")
    report = compare(
        qrels,
        runs=[run_before, run_now],
        metrics=list(SIGNIFICANCE.values()),
        max_p=MAX_P,
        make_comparable=True,
    )
    tests = report.comparisons[("previous", "current")]
    for ours, theirs in SIGNIFICANCE.items():
        p_value = float(tests[theirs]["p_value"])
        if math.isnan(p_value):
            comparison.significance[ours] = (None, False)
        else:
            comparison.significance[ours] = (p_value, bool(tests[theirs]["significant"]))


def comparison_rows(comparison: Comparison) -> list[list[str]]:
    """One row per headline metric: previous, current, delta, verdict, paired test."""
    rows = []
    for _, key, higher in HEADLINE:
        old, new = comparison.previous.get(key), comparison.current.get(key)
        delta = _delta(old, new)
        verdict = ""
        if delta:
            verdict = "better" if (delta > 0) == higher else "worse"
        test = _test_text(comparison, key)
        rows.append([key, fmt(old, key), fmt(new, key), _fmt_delta(delta, key), verdict, test])
    return rows


def _test_text(comparison: Comparison, key: str) -> str:
    if key not in SIGNIFICANCE:
        return ""
    if key not in comparison.significance:
        return "–"
    p_value, significant = comparison.significance[key]
    if p_value is None:  # every paired item scored the same in both runs
        return "no difference"
    return f"p={p_value:.3f}" + (" *" if significant else "")
