"""What an eval run measures of the language model itself (``eval --mode llm``).

The answer figures (key facts, citation validity, refusals) are the same for every
composer; these add what only an LLM run has: how often the model's text could not be
shown and the extractive answer stood in (the fallback rate, with its reasons), how
many citation markers had to be removed, how many sentences were flagged unsupported,
and the time to the first token the model wrote.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["llm_facts", "llm_summary"]


def llm_facts(trace: dict[str, Any]) -> dict[str, Any]:
    """Read one answer's LLM facts from its trace; empty when no model was called."""
    if not trace.get("llm_called"):
        return {}
    reason = ""
    if trace.get("llm_error"):
        reason = "error"
    elif trace.get("llm_language"):
        reason = "wrong language"
    elif trace.get("llm_rejected"):
        reason = "unsupported"
    return {
        "fallback": trace.get("answered_by") == "extractive",
        "fallback_reason": reason,
        "refused": bool(trace.get("llm_refused")),
        "removed_markers": int(trace.get("removed_markers") or 0),
        "unsupported_sentences": int(trace.get("unsupported_sentences") or 0),
        "first_token_ms": trace.get("llm_first_token_ms"),
        "llm_ms": trace.get("llm_ms"),
    }


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 1)


def llm_summary(facts: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Aggregate the per-answer facts of one run; ``None`` when the model was never called."""
    called = [f for f in facts if f]
    if not called:
        return None
    n = len(called)
    first = [float(f["first_token_ms"]) for f in called if f.get("first_token_ms") is not None]
    reasons: dict[str, int] = {}
    for f in called:
        if f["fallback"]:
            reason = f["fallback_reason"] or "other"
            reasons[reason] = reasons.get(reason, 0) + 1
    return {
        "llm_calls": n,
        "fallback_rate": round(sum(f["fallback"] for f in called) / n, 4),
        "fallback_reasons": dict(sorted(reasons.items())),
        "model_refusals": sum(f["refused"] for f in called),
        "marker_repairs": sum(f["removed_markers"] for f in called),
        "answers_with_marker_repairs": sum(f["removed_markers"] > 0 for f in called),
        "unsupported_sentences": sum(f["unsupported_sentences"] for f in called),
        "first_token_p50_ms": _percentile(first, 0.5),
        "first_token_p95_ms": _percentile(first, 0.95),
        "first_token_mean_ms": round(statistics.fmean(first), 1) if first else None,
    }
