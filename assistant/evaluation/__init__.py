"""Eval sets, the harness that runs them, and the reports.

Eval sets (data), the harness that runs them through the real pipeline (and again with each
weight set to 0: the ablation), the checks and metrics (ranx), and the reports (Markdown and
self-contained HTML) with dev and test side by side.
"""

__all__ = [
    "ablation",
    "checks",
    "comparison",
    "conversations",
    "items",
    "llm",
    "metrics",
    "report_html",
    "report_markdown",
    "report_plots",
    "report_rows",
    "report_tables",
    "reports",
    "results",
    "run",
    "same",
    "splits",
    "suites",
]
