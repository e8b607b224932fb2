"""Write an eval run as ``report.md`` and a self-contained ``report.html``.

The HTML file carries its CSS and plots inline (PNG as base64), so it can be mailed or
attached to an issue and opened anywhere with no network. With a previous run, both
reports add a side-by-side table, paired significance tests (ranx) and the items whose
outcome changed.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.evaluation.report_tables import sections
from assistant.evaluation.run import ItemResult, ranx_qrels_and_run, read_run

__all__ = [
    "BASELINE_HEADER",
    "HEADLINE",
    "Comparison",
    "baseline_rows",
    "compare_runs",
    "headline",
    "worst_items",
    "write_report",
]

# (summary section, key, higher is better)
HEADLINE: tuple[tuple[str, str, bool], ...] = (
    ("retrieval", "hit@1", True),
    ("retrieval", "hit@5", True),
    ("retrieval", "mrr@10", True),
    ("retrieval", "ndcg@10", True),
    ("retrieval", "recall@5", True),
    ("answers", "key_fact_coverage", True),
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
SIGNIFICANCE = {"hit@5": "hit_rate@5", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10"}
MAX_P = 0.05
WORST = 10

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


def headline(summary: dict[str, Any]) -> dict[str, float | None]:
    """Return the headline metrics of a summary, flat and in display order."""
    return {key: summary.get(section, {}).get(key) for section, key, _ in HEADLINE}


def _block_metrics(block: dict[str, Any]) -> dict[str, float | None]:
    flat = {**block.get("retrieval", {}), **block.get("answers", {})}
    return {key: flat.get(key) for key in BREAKDOWN}


def _fmt(value: float | None, key: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key.endswith("_ms"):
        return f"{value:,.0f}"
    return f"{value:.3f}"


def _delta(previous: float | None, current: float | None) -> float | None:
    if previous is None or current is None:
        return None
    return current - previous


def _fmt_delta(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    return f"{value:+,.0f}" if key.endswith("_ms") else f"{value:+.3f}"


def _first_relevant_rank(item: ItemResult) -> int:
    relevant = set(item.relevant_keys)
    return next((i for i, k in enumerate(item.ranked_keys, start=1) if k in relevant), 999)


def _failures(item: ItemResult) -> list[str]:
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
    failing = [item for item in items if getattr(item, "split", "") != "test" and _failures(item)]
    return sorted(
        failing,
        key=lambda i: (
            -len(_failures(i)),
            i.metrics.get("key_fact_coverage") or 0.0,
            -_first_relevant_rank(i),
            i.id,
        ),
    )[:n]


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


# --- plots -------------------------------------------------------------------------------


def _png(draw: Callable[[Any], None], size: tuple[float, float] = (8.0, 3.6)) -> str:
    """Draw on a fresh Agg figure and return it as a base64 PNG (no pyplot global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plot_by_tag(summary: dict[str, Any]) -> Callable[[Any], None]:
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


def _plot_latency(items: Sequence[ItemResult]) -> Callable[[Any], None]:
    def draw(figure: Any) -> None:
        axes = figure.add_subplot()
        axes.hist([item.latency_ms for item in items], bins=30, color="#4c72b0")
        axes.set_xlabel("latency (ms)")
        axes.set_ylabel("items")
        axes.set_title("Latency per question")

    return draw


def _plot_support(items: Sequence[ItemResult], threshold: float | None) -> Callable[[Any], None]:
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


# --- report bodies -----------------------------------------------------------------------


def _threshold(summary: dict[str, Any]) -> float | None:
    config = summary.get("config", {})
    value = config.get("support_threshold", config.get("settings", {}).get("support_threshold"))
    return float(value) if value is not None else None


def _breakdown_rows(blocks: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, block in blocks.items():
        metrics = _block_metrics(block)
        rows.append([name, str(block.get("n_items", ""))] + [_fmt(v) for v in metrics.values()])
    return rows


BASELINE_HEADER = ["", "group", "n", "configuration", "dense only", "BM25 only", "vs best single"]


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
            groups.append((kind, group, block, {n: singles[n].get(key, {}).get(group) for n in names}))
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
            [kind, group, str(block.get("n_items", "")), text(ours), *(text(v) for v in best),
             "; ".join(gaps) if gaps else "≥ best"]
        )
    return rows


def _comparison_rows(comparison: Comparison) -> list[list[str]]:
    rows = []
    for _, key, higher in HEADLINE:
        old, new = comparison.previous.get(key), comparison.current.get(key)
        delta = _delta(old, new)
        verdict = ""
        if delta:
            verdict = "better" if (delta > 0) == higher else "worse"
        test = _test_text(comparison, key)
        rows.append([key, _fmt(old, key), _fmt(new, key), _fmt_delta(delta, key), verdict, test])
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


def _citation_line(citation: dict[str, Any]) -> str:
    where = ", ".join(str(x) for x in (citation.get("locator"), citation.get("language")) if x)
    title, doc_id = citation.get("title", ""), citation.get("doc_id", "")
    return f"[{citation.get('n', '?')}] {title} — {where} ({doc_id})"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _markdown(
    summary: dict[str, Any], items: Sequence[ItemResult], comparison: Comparison | None
) -> str:
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
        _md_table(["metric", "value"], [[k, _fmt(v, k)] for k, v in headline(summary).items()]),
    ]
    for title, note, (header, rows) in sections(summary):
        parts += ["", f"## {title}", "", *([note, ""] if note else []), _md_table(header, rows)]
    if comparison:
        parts += [
            "",
            f"## Compared with `{comparison.previous_dir}`",
            "",
            _md_table(
                ["metric", "previous", "current", "delta", "", "paired t-test"],
                _comparison_rows(comparison),
            ),
            "",
            f"Significance over {comparison.paired_items} paired items with gold "
            f"(* = p < {MAX_P}). {comparison.significance_note}".rstrip(),
            "",
            "Configuration differences: "
            + (
                "; ".join(f"`{k}` {old} → {new}" for k, old, new in comparison.config_changes)
                or "none"
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
    header = ["", "n", *BREAKDOWN]
    parts += [
        "",
        "## By language",
        "",
        _md_table(["language", *header[1:]], _breakdown_rows(summary.get("by_language", {}))),
        "",
        "## By tag",
        "",
        _md_table(["tag", *header[1:]], _breakdown_rows(summary.get("by_tag", {}))),
    ]
    if summary.get("baselines"):
        parts += [
            "",
            "## Retrievers side by side",
            "",
            "hit@5 / MRR@10 on the same items: the configuration measured, then each single"
            " retriever (" + "; ".join(
                f"{name}: " + ", ".join(f"`{k}={v}`" for k, v in b.get("settings", {}).items())
                for name, b in summary["baselines"].items()
            ) + ").",
            "",
            _md_table(BASELINE_HEADER, baseline_rows(summary)),
        ]
    parts += [
        "",
        "## Worst items",
        "",
        "Dev items only: test items are reported as figures, never listed.",
    ]
    for item in worst_items(items):
        parts += [
            "",
            f"### `{item.id}` — {', '.join(_failures(item))}",
            "",
            f"**Question:** {item.question}",
            "",
            "**Answer:** " + _clip(item.answer.replace("\n", " "), 600),
            "",
            *(f"- {_citation_line(c)}" for c in item.citations),
        ]
    parts += ["", "## Configuration", "", "```", _config_text(config), "```", ""]
    return "\n".join(parts)


def _config_text(config: dict[str, Any]) -> str:
    return json.dumps(config, ensure_ascii=False, indent=2)


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


def _html(
    summary: dict[str, Any], items: Sequence[ItemResult], comparison: Comparison | None
) -> str:
    e = html.escape
    config = summary.get("config", {})
    plots = [
        ("Metric by tag", _png(_plot_by_tag(summary), (10.0, 4.5))),
        ("Latency", _png(_plot_latency(items))),
        ("Support and the refusal threshold", _png(_plot_support(items, _threshold(summary)))),
    ]
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
        _html_table(["metric", "value"], [[k, _fmt(v, k)] for k, v in headline(summary).items()]),
    ]
    for title, note, (header, rows) in sections(summary):
        parts.append(f"<h2>{e(title)}</h2>" + (f"<p class=muted>{e(note)}</p>" if note else ""))
        parts.append(_html_table(header, rows, numeric_from=2))
    if comparison:
        parts += [
            f"<h2>Compared with <code>{e(str(comparison.previous_dir))}</code></h2>",
            _html_table(
                ["metric", "previous", "current", "delta", "", "paired t-test"],
                _comparison_rows(comparison),
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
                f"<li><code>{e(item_id)}</code>: {e(what)}</li>"
                for item_id, what in comparison.changed
            )
            + "</ul>",
        ]
        if comparison.only_previous or comparison.only_current:
            parts.append(
                f"<p class=muted>Only in the previous run: {len(comparison.only_previous)} "
                f"items; only in this run: {len(comparison.only_current)} items.</p>"
            )
    parts += [
        "<h2>By language</h2>",
        _html_table(["language", "n", *BREAKDOWN], _breakdown_rows(summary.get("by_language", {}))),
        "<h2>By tag</h2>",
        _html_table(["tag", "n", *BREAKDOWN], _breakdown_rows(summary.get("by_tag", {}))),
    ]
    if summary.get("baselines"):
        parts += [
            "<h2>Retrievers side by side</h2>",
            "<p class=muted>hit@5 / MRR@10 on the same items: the configuration measured,"
            " then each single retriever.</p>",
            _html_table(BASELINE_HEADER, baseline_rows(summary), numeric_from=2),
        ]
    parts += [
        "<h2>Plots</h2>",
    ]
    for title, png in plots:
        parts.append(f'<h3>{e(title)}</h3><img alt="{e(title)}" src="data:image/png;base64,{png}">')
    parts.append("<h2>Worst items</h2><p>Dev items only: test items are reported as figures, never listed.</p>")
    for item in worst_items(items):
        citations = "".join(f"<li>{e(_citation_line(c))}</li>" for c in item.citations)
        parts.append(
            '<div class="item">'
            f"<h3><code>{e(item.id)}</code> — {e(', '.join(_failures(item)))}</h3>"
            f"<p><b>Question:</b> {e(item.question)}</p>"
            f'<div class="answer">{e(item.answer)}</div>'
            f"<p class=muted>support {item.support:.3f}; gold {e(', '.join(item.relevant_keys))}"
            f"; first relevant rank {_rank_text(item)}</p>"
            f"<ul>{citations}</ul></div>"
        )
    parts += [
        "<h2>Configuration</h2>",
        f"<pre>{e(_config_text(config))}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _rank_text(item: ItemResult) -> str:
    if not item.relevant_keys:
        return "n/a (no gold)"
    rank = _first_relevant_rank(item)
    return "none in top 10" if rank == 999 else str(rank)


def write_report(
    summary: dict[str, Any],
    items: Sequence[ItemResult],
    out_dir: Path,
    compare: Path | Comparison | None = None,
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` to ``out_dir``; return their paths.

    Args:
        summary: the run's summary (from :func:`assistant.evaluation.run.summarize`).
        items: the run's item results.
        out_dir: folder to write to (created if missing).
        compare: a previous run folder holding ``summary.json`` and ``items.jsonl``, or
            a :class:`Comparison` already made from one.

    Raises:
        EvalRunError: ``compare`` is not a readable run folder.

    """
    comparison = compare_runs(summary, items, compare) if isinstance(compare, Path) else compare
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown, page = out_dir / "report.md", out_dir / "report.html"
    markdown.write_text(_markdown(summary, items, comparison), encoding="utf-8")
    page.write_text(_html(summary, items, comparison), encoding="utf-8")
    return markdown, page
