"""The plots of ``report.html``, drawn with matplotlib's Agg canvas as inline base64 PNG.

Apart from the writers so matplotlib stays out of the Markdown path and the plots can be
changed without reading the page layout.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

from assistant.evaluation.results import ItemResult

__all__ = ["plot_by_tag", "plot_latency", "plot_support", "png"]


def png(draw: Callable[[Any], None], size: tuple[float, float] = (8.0, 3.6)) -> str:
    """Draw on a fresh Agg figure and return it as a base64 PNG (no pyplot global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_by_tag(summary: dict[str, Any]) -> Callable[[Any], None]:
    """Bars of hit@5 and key-fact coverage per tag (tags with neither left out)."""
    bars = (("hit@5", "retrieval"), ("key_fact_coverage", "answers"))
    blocks = summary.get("by_tag", {})
    # tags of unanswerable items only have neither metric: leave them out
    tags = [t for t in sorted(blocks) if any(blocks[t][s].get(k) is not None for k, s in bars)]

    def draw(figure: Any) -> None:
        axes = figure.add_subplot()
        for offset, (key, section) in enumerate(bars):
            values = [blocks[tag][section].get(key) for tag in tags]
            axes.bar(
                [i + (offset - 0.5) * 0.4 for i in range(len(tags))],
                [math.nan if v is None else v for v in values],
                width=0.4,
                label=key,
            )
        labels = [f"{tag} ({blocks[tag]['n_items']})" for tag in tags]
        axes.set_xticks(range(len(tags)), labels, rotation=45, ha="right", fontsize=8)
        axes.set_ylim(0, 1.05)
        axes.set_title("hit@5 and key-fact coverage by tag (items)")
        axes.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, frameon=False)

    return draw


def plot_latency(items: Sequence[ItemResult]) -> Callable[[Any], None]:
    """Draw a histogram of latency per question."""

    def draw(figure: Any) -> None:
        axes = figure.add_subplot()
        axes.hist([item.latency_ms for item in items], bins=30, color="#4c72b0")
        axes.set_xlabel("latency (ms)")
        axes.set_ylabel("items")
        axes.set_title("Latency per question")

    return draw


def plot_support(items: Sequence[ItemResult], threshold: float | None) -> Callable[[Any], None]:
    """Support of answerable beside unanswerable questions, with the refusal threshold."""

    def draw(figure: Any) -> None:
        axes = figure.add_subplot()
        answerable = [item.support for item in items if item.answerable]
        unanswerable = [item.support for item in items if not item.answerable]
        values = answerable + unanswerable + ([threshold] if threshold is not None else [])
        values = values or [0.0]
        low, high = min(values), max(values)
        bins = [low + (high - low) * i / 30 for i in range(31)] if high > low else 30
        axes.hist(answerable, bins=bins, alpha=0.6, label=f"answerable ({len(answerable)})")
        axes.hist(unanswerable, bins=bins, alpha=0.6, label=f"unanswerable ({len(unanswerable)})")
        if threshold is not None:
            axes.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold}")
        axes.set_xlabel("support score (best passage cosine)")
        axes.set_ylabel("items")
        axes.set_title("Support of answerable and unanswerable questions")
        axes.legend(fontsize=8)

    return draw
