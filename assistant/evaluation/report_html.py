"""``report.html``: an eval run as one self-contained page (CSS and PNG plots inline).

So it can be mailed or attached to an issue and opened anywhere with no network. One
function per section; the figures come from :mod:`assistant.evaluation.report_rows`,
shared with ``report.md``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from assistant.evaluation.comparison import MAX_P, Comparison, comparison_rows
from assistant.evaluation.report_plots import plot_by_tag, plot_latency, plot_support, png
from assistant.evaluation.report_rows import (
    BASELINE_HEADER,
    BREAKDOWN,
    baseline_rows,
    breakdown_rows,
    citation_line,
    config_text,
    failures,
    fmt,
    headline,
    rank_text,
    threshold,
    worst_items,
)
from assistant.evaluation.report_tables import sections
from assistant.evaluation.results import ItemResult

__all__ = ["page"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222}
h1,h2,h3{font-weight:600}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0 1.2em}th,td{border:1px solid #ddd;padding:.25em .6em}
th{background:#f4f4f4;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.better{color:#1a7f37}.worse{color:#cf222e}.muted{color:#777}
img{max-width:100%;height:auto;border:1px solid #eee;margin:.4em 0}
.item{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:.8em 0}
.answer{white-space:pre-wrap;background:#fafafa;padding:.5em;border-left:3px solid #ccc}
code{background:#f4f4f4;padding:0 .2em}
"""


def _html_table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            css = ' class="n"' if i >= numeric_from else ""
            if cell in ("better", "worse"):
                css = f' class="{cell}"'
            cells.append(f"<td{css}>{html.escape(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _head(summary: dict[str, Any], items: Sequence[ItemResult]) -> list[str]:
    e = html.escape
    config = summary.get("config", {})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Eval report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Eval report</h1>",
        f"<p>{summary.get('n_items', len(items))} items from "
        f"{e(', '.join(config.get('sets', [])))}; embedding model "
        f"<code>{e(str(config.get('embedding_model', '?')))}</code>, corpus "
        f"<code>{e(str(config.get('corpus_fingerprint', '?')))}</code>.</p>",
        "<h2>Headline</h2>",
        _html_table(["metric", "value"], [[k, fmt(v, k)] for k, v in headline(summary).items()]),
    ]
    for title, note, (header, rows) in sections(summary):
        parts.append(f"<h2>{e(title)}</h2>" + (f"<p class=muted>{e(note)}</p>" if note else ""))
        parts.append(_html_table(header, rows, numeric_from=2))
    return parts


def _comparison(comparison: Comparison) -> list[str]:
    e = html.escape
    parts = [
        f"<h2>Compared with <code>{e(str(comparison.previous_dir))}</code></h2>",
        _html_table(
            ["metric", "previous", "current", "delta", "", "paired t-test"],
            comparison_rows(comparison),
        ),
        f"<p class=muted>Significance over {comparison.paired_items} paired items with "
        f"gold (* = p &lt; {MAX_P}). {e(comparison.significance_note)}</p>",
        "<p>Configuration differences: "
        + (
            "; ".join(
                f"<code>{e(k)}</code> {e(old)} → {e(new)}"
                for k, old, new in comparison.config_changes
            )
            or "none"
        )
        + "</p>",
        f"<h3>Items whose outcome changed ({len(comparison.changed)})</h3>",
        "<ul>"
        + "".join(
            f"<li><code>{e(item_id)}</code>: {e(what)}</li>" for item_id, what in comparison.changed
        )
        + "</ul>",
    ]
    if comparison.only_previous or comparison.only_current:
        parts.append(
            f"<p class=muted>Only in the previous run: {len(comparison.only_previous)} "
            f"items; only in this run: {len(comparison.only_current)} items.</p>"
        )
    return parts


def _breakdowns(summary: dict[str, Any]) -> list[str]:
    parts = [
        "<h2>By language</h2>",
        _html_table(["language", "n", *BREAKDOWN], breakdown_rows(summary.get("by_language", {}))),
        "<h2>By tag</h2>",
        _html_table(["tag", "n", *BREAKDOWN], breakdown_rows(summary.get("by_tag", {}))),
    ]
    if summary.get("baselines"):
        parts += [
            "<h2>Retrievers side by side</h2>",
            "<p class=muted>hit@5 / MRR@10 on the same items: the configuration measured,"
            " then each single retriever.</p>",
            _html_table(BASELINE_HEADER, baseline_rows(summary), numeric_from=2),
        ]
    return parts


def _plots(plots: list[tuple[str, str]]) -> list[str]:
    e = html.escape
    parts = ["<h2>Plots</h2>"]
    for title, image in plots:
        parts.append(
            f'<h3>{e(title)}</h3><img alt="{e(title)}" src="data:image/png;base64,{image}">'
        )
    return parts


def _worst(items: Sequence[ItemResult]) -> list[str]:
    e = html.escape
    parts = [
        "<h2>Worst items</h2><p>Dev items only: test items are reported as figures, never listed.</p>"
    ]
    for item in worst_items(items):
        citations = "".join(f"<li>{e(citation_line(c))}</li>" for c in item.citations)
        parts.append(
            '<div class="item">'
            f"<h3><code>{e(item.id)}</code> — {e(', '.join(failures(item)))}</h3>"
            f"<p><b>Question:</b> {e(item.question)}</p>"
            f'<div class="answer">{e(item.answer)}</div>'
            f"<p class=muted>support {item.support:.3f}; gold {e(', '.join(item.relevant_keys))}"
            f"; first relevant rank {rank_text(item)}</p>"
            f"<ul>{citations}</ul></div>"
        )
    return parts


def page(
    summary: dict[str, Any], items: Sequence[ItemResult], comparison: Comparison | None
) -> str:
    """Return ``report.html``: the sections of ``report.md`` plus the plots."""
    plots = [
        ("Metric by tag", png(plot_by_tag(summary), (10.0, 4.5))),
        ("Latency", png(plot_latency(items))),
        ("Support and the refusal threshold", png(plot_support(items, threshold(summary)))),
    ]
    parts = _head(summary, items)
    if comparison:
        parts += _comparison(comparison)
    parts += _breakdowns(summary)
    parts += _plots(plots)
    parts += _worst(items)
    config = summary.get("config", {})
    parts += [
        "<h2>Configuration</h2>",
        f"<pre>{html.escape(config_text(config))}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)
