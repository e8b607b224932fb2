"""Every module of a package is in its ``__all__``, and split modules keep their old import paths.

Modules split for size (reports, FAQ builder, eval harness, benchmark) must not break
callers: the names once defined in them stay importable from there, as the same objects.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["evaluation", "faq", "bench"]

# old module -> (new module, names that moved there)
MOVED = {
    "assistant.evaluation.reports": {
        "assistant.evaluation.comparison": ["Comparison", "compare_runs", "MAX_P", "SIGNIFICANCE"],
        "assistant.evaluation.report_rows": [
            "HEADLINE", "BASELINE_HEADER", "baseline_rows", "headline", "worst_items",
        ],
    },
    "assistant.evaluation.run": {
        "assistant.evaluation.results": ["ItemResult", "EvalRunError", "read_run", "write_results"],
        "assistant.evaluation.metrics": [
            "compile_metrics", "ranx_qrels_and_run", "retrieval_digest", "summarize",
        ],
    },
    "assistant.faq.build": {
        "assistant.faq.records": [
            "FAQ_FORMAT", "FaqCitation", "FaqEntry", "FaqFile", "FaqRequest", "SourceRef",
            "content_hash", "faq_path_for",
        ],
        "assistant.faq.review": ["check_faq", "merge_review"],
        "assistant.faq.duplicates": ["DuplicateFinder", "near_duplicates"],
        "assistant.faq.scope": ["read_passages"],
    },
    "assistant.bench.run": {
        "assistant.bench.growth": ["STAGES", "growth_exponent", "query_stages", "write_plot"],
    },
    "assistant.bench.loadtest": {"assistant.bench.app_process": ["AppProcess", "app_process", "rss_mb"]},
}  # fmt: skip


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_listed_in_its_package_all(package: str) -> None:
    modules = {p.stem for p in (ROOT / "assistant" / package).glob("*.py") if p.stem != "__init__"}
    listed = set(importlib.import_module(f"assistant.{package}").__all__)
    assert modules == listed


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_declares_all_names_it_defines(package: str) -> None:
    for path in sorted((ROOT / "assistant" / package).glob("*.py")):
        if path.stem == "__init__":
            continue
        module = importlib.import_module(f"assistant.{package}.{path.stem}")
        assert module.__doc__, f"{path.stem} has no docstring"
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, f"{path.stem}.__all__ names what it lacks: {missing}"


@pytest.mark.parametrize("old", sorted(MOVED))
def test_moved_names_stay_importable_from_their_old_module(old: str) -> None:
    before = importlib.import_module(old)
    for new, names in MOVED[old].items():
        after = importlib.import_module(new)
        for name in names:
            assert getattr(before, name) is getattr(after, name), f"{old}.{name}"
