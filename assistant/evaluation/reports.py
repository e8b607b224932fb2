"""Write an eval run as ``report.md`` and a self-contained ``report.html``.

The HTML file carries its CSS and plots inline (PNG as base64), so it can be mailed or
attached to an issue and opened anywhere with no network. With a previous run, both
reports add a side-by-side table, paired significance tests (ranx) and the items whose
outcome changed. The parts live beside this module: the shared figures
(``report_rows``), the comparison (``comparison``), the plots (``report_plots``) and one
writer per format (``report_markdown``, ``report_html``); this module is their entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.comparison import MAX_P, SIGNIFICANCE, Comparison, compare_runs
from assistant.evaluation.report_html import page
from assistant.evaluation.report_markdown import markdown
from assistant.evaluation.report_rows import (
    BASELINE_HEADER,
    BREAKDOWN,
    HEADLINE,
    WORST,
    baseline_rows,
    headline,
    worst_items,
)
from assistant.evaluation.results import ItemResult

__all__ = [
    "BASELINE_HEADER",
    "BREAKDOWN",
    "HEADLINE",
    "MAX_P",
    "SIGNIFICANCE",
    "WORST",
    "Comparison",
    "baseline_rows",
    "compare_runs",
    "headline",
    "worst_items",
    "write_report",
]


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
    markdown_path, page_path = out_dir / "report.md", out_dir / "report.html"
    markdown_path.write_text(markdown(summary, items, comparison), encoding="utf-8")
    page_path.write_text(page(summary, items, comparison), encoding="utf-8")
    return markdown_path, page_path
