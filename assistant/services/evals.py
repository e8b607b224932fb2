"""Run eval sets: check them, run their items, summarise, write the run folder.

``restoration-assistant eval`` runs suites (sets on the store each needs, built or
refreshed first); the app's Evaluate tab runs sets on its own assistant. Both come
here, so a run from either lands in the same files with the same figures. What a front
end shows meanwhile is given as hooks; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.evaluation.suites import Suite

__all__ = [
    "OnItem",
    "SuiteHooks",
    "SuiteRun",
    "check_eval_sets",
    "check_suites",
    "plan_suites",
    "run_eval_plan",
    "run_eval_sets",
    "run_suites",
    "write_run",
]

OnItem = Callable[[Any, int, int], None]
"""Called as ``(result, done, total)`` after each item (a conversation counts its turns)."""

Plan = list[tuple[Suite, list[Any]]]


@contextmanager
def _no_progress(label: str, total: int) -> Iterator[OnItem | None]:
    yield None


def _ignore(suite: Suite, report: Any) -> None:
    return None


@dataclass(frozen=True)
class SuiteHooks:
    """What a front end shows while suites run; each hook is optional.

    ``indexing(suite)`` wraps the build of a suite's store and ``indexed(suite, report)``
    follows it; ``items(label, total)`` wraps a run of items and yields its ``on_item``;
    ``writing()`` wraps computing the metrics and writing the report.
    """

    indexing: Callable[[Suite], AbstractContextManager[Any]] = lambda suite: nullcontext()
    indexed: Callable[[Suite, Any], None] = _ignore
    items: Callable[[str, int], AbstractContextManager[OnItem | None]] = _no_progress
    writing: Callable[[], AbstractContextManager[Any]] = nullcontext


@dataclass
class SuiteRun:
    """The results of every suite, the single-retriever digests and what each store held."""

    results: list[Any]
    baselines: dict[str, Any]
    stores: dict[str, Any]
    assistant: Any
    ablated: dict[str, list[Any]] = field(default_factory=dict)  # weight -> results without it


def check_eval_sets(paths: Sequence[Path], store: Any) -> list[Any]:
    """Check the sets' format and gold references against ``store``; return the problems."""
    from assistant.evaluation.run import check_sets

    return list(check_sets(list(paths), store))


def check_suites(suites: Sequence[Suite]) -> list[Any]:
    """Check every suite's sets against its own store (metadata only: no model is loaded)."""
    from assistant.store.chroma import open_store

    problems: list[Any] = []
    for suite in suites:
        problems += check_eval_sets(suite.sets, open_store(suite.settings, embeddings=None))
    return problems


def run_eval_sets(
    assistant: Any,
    paths: Sequence[Path],
    *,
    limit: int | None = None,
    on_item: OnItem | None = None,
    **config: Any,
) -> tuple[list[Any], dict[str, Any]]:
    """Run the sets' items (the first ``limit``) on ``assistant``; return results and summary.

    ``config`` is recorded in the summary's run configuration (e.g. ``started_from``).

    Raises:
        AssistantError: the sets hold no items, or a set is malformed.

    """
    from assistant.evaluation.run import load_items, run_config, run_eval, select_items, summarize

    items = select_items(load_items(list(paths)), None, limit)
    if not items:
        raise AssistantError("The chosen sets hold no items.")
    results = run_eval(assistant, items, on_item=on_item)
    summary = summarize(results, run_config(assistant, list(paths), limit=limit, **config))
    return results, summary


def write_run(
    results: list[Any], summary: dict[str, Any], run_dir: Path, compare: Path | None = None
) -> Any:
    """Write items, summary and report to ``run_dir``; return the comparison with ``compare``."""
    from assistant.evaluation.reports import compare_runs, write_report
    from assistant.evaluation.run import write_results

    write_results(results, summary, run_dir)
    comparison = compare_runs(summary, results, compare) if compare is not None else None
    write_report(summary, results, run_dir, compare=comparison)
    return comparison


def plan_suites(
    suites: Sequence[Suite], ids: list[str] | None, limit: int | None, split: str
) -> Plan:
    """Load every suite's items and select them; an id found in no suite is an error."""
    from assistant.evaluation.run import load_items, select_items

    loaded = [(suite, load_items(suite.sets)) for suite in suites]
    if ids is not None:  # raises naming the ids no set holds
        select_items([item for _, items in loaded for item in items], ids)
    plan = []
    for suite, items in loaded:
        known = [i for i in ids if i in {item.id for item in items}] if ids is not None else None
        plan.append((suite, select_items(items, known, limit, split)))
    return plan


def _run_items(assistant: Any, items: list[Any], label: str, hooks: SuiteHooks) -> list[Any]:
    from assistant.evaluation.run import count_questions, run_eval

    with hooks.items(label, count_questions(items)) as on_item:
        return run_eval(assistant, items, on_item=on_item)


def _refresh_store(suite: Suite, embeddings: Any, hooks: SuiteHooks) -> dict[str, Any]:
    """Index the suite's sources into its store; return the files not indexed."""
    from assistant.evaluation.suites import build_store

    with hooks.indexing(suite):
        report = build_store(suite.settings, suite.sources, embeddings)
    hooks.indexed(suite, report)
    return {"not_indexed": {f.path: f.reason for f in report.failed}}


def run_suites(
    plan: Plan,
    embeddings: Any,
    *,
    baselines: bool = False,
    ablate: bool = False,
    hooks: SuiteHooks | None = None,
) -> SuiteRun:
    """Build or refresh each suite's store, then run its items and the variants asked for.

    The variants: each single retriever (``baselines``), the configuration without each
    weight (``ablate``).
    """
    from assistant import build_assistant
    from assistant.evaluation.ablation import ablated_weights
    from assistant.evaluation.run import BASELINES, retrieval_digest, summarize

    hooks = hooks or SuiteHooks()
    results: list[Any] = []
    per_baseline: dict[str, list[Any]] = {name: [] for name in BASELINES} if baselines else {}
    stores: dict[str, Any] = {}
    ablated: dict[str, list[Any]] = {}
    assistants = []
    for suite, items in plan:
        indexed = _refresh_store(suite, embeddings, hooks) if suite.sources else {}
        if not items and assistants:
            continue
        assistant = build_assistant(suite.settings, embeddings=embeddings)
        assistants.append(assistant)
        stores[suite.name] = {
            "store": str(suite.settings.store_dir), "sets": [p.name for p in suite.sets],
            "corpus_fingerprint": assistant.store.fingerprint(), **indexed,
        }  # fmt: skip
        results += _run_items(assistant, items, suite.name, hooks)
        for name, overrides in BASELINES.items() if baselines else ():
            variant = build_assistant(suite.settings.model_copy(update=overrides), embeddings)
            per_baseline[name] += _run_items(variant, items, f"{suite.name}, {name} only", hooks)
        for name in ablated_weights(suite.settings) if ablate else ():
            variant = build_assistant(suite.settings.model_copy(update={name: 0.0}), embeddings)
            ablated.setdefault(name, []).extend(_run_items(variant, items, f"{suite.name}, {name} 0", hooks))
    single = {
        name: {"settings": BASELINES[name], **retrieval_digest(summarize(runs, {}))}
        for name, runs in per_baseline.items()
    }
    return SuiteRun(results, single, stores, assistants[0], ablated)


def run_eval_plan(
    suites: Sequence[Suite],
    run_dir: Path,
    *,
    compare: Path | None = None,
    ids: Path | None = None,
    limit: int | None = None,
    split: str = "all",
    baselines: bool = False,
    ablate: bool = False,
    skipped: str = "",
    hooks: SuiteHooks | None = None,
) -> tuple[dict[str, Any], Any]:
    """Run the suites with one embedding model, write the run folder; return summary, comparison.

    ``ids`` is a file of item ids to run; ``skipped`` the reason a suite could not run,
    kept in the summary. A ``compare`` folder is read before the long run, not after it.
    """
    from assistant.evaluation.ablation import ablated_weights, ablation_digest
    from assistant.evaluation.run import read_ids, read_run, run_config, summarize
    from assistant.store.embeddings import embeddings_for

    hooks = hooks or SuiteHooks()
    plan = plan_suites(suites, read_ids(ids) if ids else None, limit, split)
    if compare is not None:
        read_run(compare, require_items=False)
    first = suites[0].settings
    embeddings = embeddings_for(first)
    run = run_suites(plan, embeddings, baselines=baselines, ablate=ablate, hooks=hooks)
    extra = {
        "ids_file": str(ids) if ids else None, "limit": limit, "split": split,
        "stores": run.stores, **({"realdocs_skipped": skipped} if skipped else {}),
    }  # fmt: skip
    with hooks.writing():
        set_paths = [p for suite in suites for p in suite.sets]
        summary = summarize(run.results, run_config(run.assistant, set_paths, **extra))
        if run.baselines:
            summary["baselines"] = run.baselines
        if run.ablated:
            values = ablated_weights(first)
            summary["ablation"] = {
                name: ablation_digest(summarize(results, {}), summary, values[name])
                for name, results in run.ablated.items()
            }
        comparison = write_run(run.results, summary, run_dir, compare)
    return summary, comparison
