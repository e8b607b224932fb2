"""What a benchmark's figures mean: growth with corpus size, the targets met, the plot.

Apart from the measurements so the verdicts (which stage grows linearly, which target is
missed) can be read and tested on a results dict alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "STAGES",
    "TARGETS",
    "growth",
    "growth_exponent",
    "query_stages",
    "targets",
    "write_plot",
]

STAGES = ("embed", "dense", "lexical", "fusion", "compose", "total")
TARGETS: dict[str, Any] = {
    "ingest_speedup_min": 1.5,
    "warm_p95_ms": {10000: 150.0, 50000: 300.0},
    "cold_start_s": 10.0,
    # A stage whose p50 grows with an exponent at or above this (and by at least 1 ms)
    # between the two largest synthetic sizes counts as growing linearly with the corpus.
    "linear_exponent": 0.8,
}


def growth_exponent(sizes: Sequence[int], values: Sequence[float]) -> float | None:
    """Exponent b of value ~ size**b between the two largest sizes (1 = linear).

    The two largest sizes show how a stage scales once fixed costs no longer dominate.
    """
    pairs = [
        (s, v) for s, v in zip(sizes, values, strict=True) if v and v > 0 and not math.isnan(v)
    ]
    if len(pairs) < 2 or pairs[-2][0] == pairs[-1][0]:
        return None
    (s0, v0), (s1, v1) = pairs[-2], pairs[-1]
    return round(math.log(v1 / v0) / math.log(s1 / s0), 3)


def query_stages(query: list[dict[str, Any]]) -> list[str]:
    """Stages the pipeline reported (the documented ones first, then any others it added)."""
    seen = [k for q in query for k in q["ours"] if k not in ("wall", "total", "condense")]
    extra = sorted(set(seen) - set(STAGES))
    return (
        [s for s in STAGES if s != "total"]
        + [s for s in extra if s != "unattributed"]
        + ["unattributed", "total"]
    )


def growth(ingest: list[dict[str, Any]], query: list[dict[str, Any]]) -> dict[str, Any]:
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
        "exponent": {
            name: growth_exponent(sizes, values) for name, values in {**stages, **memory}.items()
        },
    }


def targets(
    ingest: list[dict[str, Any]],
    query: list[dict[str, Any]],
    cold: list[dict[str, Any]],
    growth: dict[str, Any],
) -> list[dict[str, Any]]:
    """Each target of ``TARGETS`` with its measured value and whether it was met."""
    out: list[dict[str, Any]] = []
    for row in ingest:
        if row["embedding"] == "real":
            value = row["ratio"]["speedup"]
            out.append(
                {
                    "target": f"ingest speedup vs baseline, {row['corpus']} (real model)",
                    "value": value,
                    "limit": f">= {TARGETS['ingest_speedup_min']}",
                    "met": value is not None and value >= TARGETS["ingest_speedup_min"],
                }
            )
    for row in query:
        limit = TARGETS["warm_p95_ms"].get(row["chunks_target"] or -1)
        if limit is not None:
            value = row["ours"]["total"]["p95"]
            out.append(
                {
                    "target": f"warm ask p95 at {row['chunks_target']} chunks (ms)",
                    "value": value,
                    "limit": f"<= {limit}",
                    "met": value <= limit,
                }
            )
    sizes = growth["chunks"]
    if len(sizes) >= 2:
        for stage in [s for s in growth["p50_ms"] if s not in ("total", "baseline_total")]:
            exponent = growth["exponent"].get(stage)
            values = growth["p50_ms"][stage]
            known = [v for v in values if not math.isnan(v)]
            grew = known[-1] - known[-2] if len(known) >= 2 else 0.0
            linear = exponent is not None and exponent >= TARGETS["linear_exponent"] and grew >= 1.0
            out.append(
                {
                    "target": f"stage '{stage}' not linear in corpus size ({sizes[-2]}->{sizes[-1]} chunks)",
                    "value": exponent,
                    "limit": f"exponent < {TARGETS['linear_exponent']} or < 1 ms growth",
                    "met": not linear,
                }
            )
    for row in cold:
        value = row["ours"]["median_s"]
        out.append(
            {
                "target": f"cold start to first answer, {row['corpus']} (s)",
                "value": value,
                "limit": f"<= {TARGETS['cold_start_s']}",
                "met": value <= TARGETS["cold_start_s"],
            }
        )
    return out


def write_plot(result: dict[str, Any], path: Path) -> Path | None:
    """Plot per-stage p50 latency and memory against corpus size, one row per model."""
    models = {
        m: r["growth"]
        for m, r in result.get("models", {}).items()
        if len(r["growth"]["chunks"]) >= 2
    }
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
        left.set(
            xscale="log",
            yscale="log",
            xlabel="chunks",
            ylabel="p50 ms",
            title=f"{model}: warm query latency per stage",
        )
        left.legend(fontsize=8)
        for name, values in growth["memory_mb"].items():
            if len(values) == len(sizes):
                right.plot(
                    sizes,
                    values,
                    "--" if name.startswith("baseline") else "-",
                    marker="o",
                    label=name,
                )
        right.set(xscale="log", xlabel="chunks", ylabel="MiB", title=f"{model}: memory")
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
