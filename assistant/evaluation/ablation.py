"""What each weight earns: the same items run again with one weight at a time set to 0.

Every bonus of fusion and of the extractive composer is a setting. A weight earns its
place when the run without it is worse on the held-out ``test`` split, not only on
``dev``, where it was set. ``eval --ablate`` measures that for every non-zero weight; the
two retrievers' own weights are measured by ``--baselines`` instead, and the LLM
verifier's weight only matters in LLM mode.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.core.settings import Settings

__all__ = ["ABLATION_HEADER", "ABLATION_METRICS", "ablated_weights", "ablation_digest", "ablation_rows"]

# Quality settings that weigh a bonus or a penalty: "*_weight", "*_bonus", "*_penalty", "*_prior".
_WEIGHT = re.compile(r"_(?:weight|bonus|penalty|prior)$")
# The dense and BM25 lists are what fusion combines (see --baselines); the LLM verifier's
# weight is not used by extractive answers.
_NOT_ABLATED = frozenset({"dense_weight", "lexical_weight", "sentence_overlap_weight"})
# (summary block, metric, short name): what the ablation table reports per split.
ABLATION_METRICS: tuple[tuple[str, str, str], ...] = (
    ("answers", "key_fact_coverage", "key facts"),
    ("answers", "refusal_accuracy", "refused"),
    ("answers", "false_refusal_rate", "false ref."),
    ("retrieval", "hit@5", "hit@5"),
)
ABLATION_HEADER = ("setting", "value", *(name for *_, name in ABLATION_METRICS))


def ablated_weights(settings: Settings) -> dict[str, float]:
    """Return the weights an ablation sets to 0, with their values in ``settings``."""
    return {
        name: float(getattr(settings, name))
        for name, field in Settings.model_fields.items()
        if _WEIGHT.search(name)
        and name not in _NOT_ABLATED
        and (field.json_schema_extra or {}).get("quality")
        and getattr(settings, name)
    }


def ablation_digest(without: dict[str, Any], full: dict[str, Any], value: float) -> dict[str, Any]:
    """Per split, each metric without the weight and its change from the full run."""
    digest: dict[str, Any] = {"value": value}
    for split in ("dev", "test"):
        ablated, base = (without.get("splits") or {}).get(split), (full.get("splits") or {}).get(split)
        if not ablated or not base or not ablated.get("n_items"):
            continue
        digest[split] = {"n_items": ablated["n_items"]}
        for block, metric, _ in ABLATION_METRICS:
            now, before = ablated.get(block, {}).get(metric), base.get(block, {}).get(metric)
            delta = round(now - before, 4) if now is not None and before is not None else None
            digest[split][metric] = {"without": now, "delta": delta}
    return digest


def ablation_rows(summary: dict[str, Any]) -> list[list[str]]:
    """Rows of the ablation table: a weight, its value, the change without it ("dev/test")."""
    rows = []
    for name, digest in (summary.get("ablation") or {}).items():
        cells = [name, f"{digest['value']:g}"]
        for _, metric, _ in ABLATION_METRICS:
            deltas = [(digest.get(split) or {}).get(metric, {}).get("delta") for split in ("dev", "test")]
            cells.append("/".join("–" if d is None else f"{d:+.3f}".replace("0.", ".", 1) for d in deltas))
        rows.append(cells)
    return rows
