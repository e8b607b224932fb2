"""``report.md``: an eval run as Markdown, readable in a terminal or an issue.

One function per section, so a section can be changed without reading the others; the
figures come from :mod:`assistant.evaluation.report_rows`, shared with the HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.evaluation.ablation import ABLATION_HEADER, ablation_rows
from assistant.evaluation.comparison import MAX_P, Comparison, comparison_rows
from assistant.evaluation.report_rows import (
    BASELINE_HEADER,
    BREAKDOWN,
    baseline_rows,
    breakdown_rows,
    citation_line,
    clip,
    config_text,
    failures,
    fmt,
    headline,
    worst_items,
)
from assistant.evaluation.report_tables import sections
from assistant.evaluation.results import ItemResult

__all__ = ["markdown"]


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _head(summary: dict[str, Any], items: Sequence[ItemResult]) -> list[str]:
    config = summary.get("config", {})
    parts = [
        "# Eval report",
        "",
        f"{summary.get('n_items', len(items))} items from {', '.join(config.get('sets', []))}; "
        f"embedding model `{config.get('embedding_model', '?')}`, corpus "
        f"`{config.get('corpus_fingerprint', '?')}`. Plots are in report.html.",
        "",
        "## Headline",
        "",
        _md_table(["metric", "value"], [[k, fmt(v, k)] for k, v in headline(summary).items()]),
    ]
    for title, note, (header, rows) in sections(summary):
        parts += ["", f"## {title}", "", *([note, ""] if note else []), _md_table(header, rows)]
    return parts


def _comparison(comparison: Comparison) -> list[str]:
    parts = [
        "",
        f"## Compared with `{comparison.previous_dir}`",
        "",
        _md_table(
            ["metric", "previous", "current", "delta", "", "paired t-test"],
            comparison_rows(comparison),
        ),
        "",
        f"Significance over {comparison.paired_items} paired items with gold "
        f"(* = p < {MAX_P}). {comparison.significance_note}".rstrip(),
        "",
        "Configuration differences: "
        + (
            "; ".join(f"`{k}` {old} → {new}" for k, old, new in comparison.config_changes) or "none"
        ),
        "",
        f"### Items whose outcome changed ({len(comparison.changed)})",
        "",
        *(f"- `{item_id}`: {what}" for item_id, what in comparison.changed),
    ]
    if comparison.only_previous or comparison.only_current:
        parts += [
            "",
            f"Only in the previous run: {len(comparison.only_previous)} items; "
            f"only in this run: {len(comparison.only_current)} items.",
        ]
    return parts


def _breakdowns(summary: dict[str, Any]) -> list[str]:
    header = ["", "n", *BREAKDOWN]
    parts = [
        "",
        "## By language",
        "",
        _md_table(["language", *header[1:]], breakdown_rows(summary.get("by_language", {}))),
        "",
        "## By tag",
        "",
        _md_table(["tag", *header[1:]], breakdown_rows(summary.get("by_tag", {}))),
    ]
    if summary.get("baselines"):
        parts += [
            "",
            "## Retrievers side by side",
            "",
            "hit@5 / MRR@10 on the same items: the configuration measured, then each single"
            " retriever ("
            + "; ".join(
                f"{name}: " + ", ".join(f"`{k}={v}`" for k, v in b.get("settings", {}).items())
                for name, b in summary["baselines"].items()
            )
            + ").",
            "",
            _md_table(BASELINE_HEADER, baseline_rows(summary)),
        ]
    if summary.get("ablation"):
        parts += [
            "",
            "## What each weight earns",
            "",
            "The same items with one weight at a time set to 0: the change from the full"
            " configuration, as dev/test. A weight earns its place when its removal costs on"
            " `test` (key facts, refusals or hit@5 down, false refusals up).",
            "",
            _md_table(list(ABLATION_HEADER), ablation_rows(summary)),
        ]
    return parts


def _worst(items: Sequence[ItemResult]) -> list[str]:
    parts = [
        "",
        "## Worst items",
        "",
        "Dev items only: test items are reported as figures, never listed.",
    ]
    for item in worst_items(items):
        parts += [
            "",
            f"### `{item.id}` — {', '.join(failures(item))}",
            "",
            f"**Question:** {item.question}",
            "",
            "**Answer:** " + clip(item.answer.replace("\n", " "), 600),
            "",
            *(f"- {citation_line(c)}" for c in item.citations),
        ]
    return parts


def markdown(
    summary: dict[str, Any], items: Sequence[ItemResult], comparison: Comparison | None
) -> str:
    """Return ``report.md``: headline, tables, comparison, breakdowns, worst items, config."""
    parts = _head(summary, items)
    if comparison:
        parts += _comparison(comparison)
    parts += _breakdowns(summary)
    parts += _worst(items)
    config = summary.get("config", {})
    parts += ["", "## Configuration", "", "```", config_text(config), "```", ""]
    return "\n".join(parts)
