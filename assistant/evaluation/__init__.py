"""Eval sets, the harness that runs them, and the reports.

Eval sets (data), the harness that runs them through the real pipeline, the checks
and metrics (ranx), and the reports (Markdown and self-contained HTML) with dev and test
side by side.
"""

__all__ = ["checks", "conversations", "items", "llm", "report_tables", "reports", "run", "splits", "suites"]
