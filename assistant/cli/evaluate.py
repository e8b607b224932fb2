"""``restoration-assistant eval``: run eval sets, print dev and test side by side, write a report.

One process measures every suite (the project's sets on one store, the real-document
set on another) with the embedding model loaded once, building or refreshing the
stores first when asked (``--ingest``, ``--realdocs``), as ``make eval`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from assistant.cli.support import (
    ConfigOpt,
    HostOpt,
    ModelOpt,
    PortOpt,
    StoreOpt,
    console,
    errors,
    run_action,
    settings_from,
)
from assistant.core.offline import apply_offline_switches
from assistant.core.settings import Settings
from assistant.evaluation.suites import REALDOCS_SET, REALDOCS_STORE, Suite
from assistant.services import OnItem, SuiteHooks, check_suites, run_eval_plan

__all__ = ["eval_"]


class Split(StrEnum):
    """Which items to run: one split, or both side by side."""

    dev = "dev"
    test = "test"
    all = "all"


class Mode(StrEnum):
    """How answers are composed in the run."""

    extractive = "extractive"
    llm = "llm"


ModeOpt = Annotated[
    Mode | None,
    typer.Option(
        "--mode",
        help="Answer mode for the run: 'extractive', or 'llm' with the configured model"
        " (RA_LLM_* or the config file); also reports fallback rate, marker repairs and"
        " time to first token. Default: the configured answer_mode.",
    ),
]


SplitOpt = Annotated[
    Split,
    typer.Option(
        "--split", help="Run only 'dev' or 'test' items, or 'all' (both, reported side by side)."
    ),
]


SetsArg = Annotated[
    list[Path], typer.Argument(help="Eval sets (JSON Lines), e.g. evals/sets/*.jsonl.")
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Run folder (default: evals/runs/<UTC YYYYmmdd-HHMMSS>)."),
]
CompareOpt = Annotated[
    Path | None, typer.Option("--compare", help="A previous run folder to compare with.")
]
IdsOpt = Annotated[
    Path | None, typer.Option("--ids", help="File of item ids, one a line: run only these.")
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", min=1, help="Run only the first N items (per store).")
]
ValidateOpt = Annotated[
    bool, typer.Option("--validate", help="Only check the sets' format and gold references.")
]
BaselinesOpt = Annotated[
    bool,
    typer.Option(
        "--baselines",
        help="Also run the items with dense-only and BM25-only retrieval, side by side.",
    ),
]
AblateOpt = Annotated[
    bool,
    typer.Option(
        "--ablate",
        help="Also run the items once per fusion and composer weight set to 0, and table"
        " what each weight earns on dev and on test (one more run per weight).",
    ),
]
IngestOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--ingest",
        help="Index these files or folders into --store first (built if missing,"
        " unchanged files skipped); may repeat.",
    ),
]
RealdocsOpt = Annotated[
    Path | None,
    typer.Option(
        "--realdocs",
        help="Folder of real third-party documents: also build --realdocs-store from"
        " the --ingest paths (default corpus/) plus its files and run --realdocs-set"
        " on it. A missing folder is reported in one line and skipped.",
    ),
]
RealdocsStoreOpt = Annotated[
    Path, typer.Option("--realdocs-store", help="Store of corpus plus real documents.")
]
RealdocsSetOpt = Annotated[Path, typer.Option("--realdocs-set", help="The real-document eval set.")]


def eval_(
    sets: SetsArg,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
    out: OutOpt = None,
    compare: CompareOpt = None,
    ids: IdsOpt = None,
    limit: LimitOpt = None,
    split: SplitOpt = Split.all,
    mode: ModeOpt = None,
    validate: ValidateOpt = False,
    baselines: BaselinesOpt = False,
    ablate: AblateOpt = False,
    ingest: IngestOpt = None,
    realdocs: RealdocsOpt = None,
    realdocs_store: RealdocsStoreOpt = REALDOCS_STORE,
    realdocs_set: RealdocsSetOpt = REALDOCS_SET,
) -> None:
    """Run eval sets through the assistant and write metrics and a report.

    Prints the headline, then dev and test side by side per set and per language;
    writes items.jsonl, summary.json, report.md and report.html (with plots, no
    network needed) to the run folder. Tune on dev; judge a change on test.

    --compare adds deltas, paired significance tests and the items that flipped.
    --baselines runs the same items again with each single retriever (dense only, BM25
    only) and adds hit@5 and MRR@10 by language and tag for all three (about 3x the time).
    --ablate runs them again once per weight set to 0 (about 16x the time) and tables the
    change on dev and test: a weight whose removal costs nothing on test does not earn it.
    --validate only checks the sets, one line per problem; exit code 1 if any.

    Example: restoration-assistant eval evals/sets/*.jsonl --store var/eval-store
    --ingest corpus/ --realdocs ../shared/realdocs
    """
    apply_offline_switches()
    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    if mode is not None:
        settings = _with_mode(settings, mode.value)
    suites, skipped = _suites(settings, sets, ingest or [], realdocs, realdocs_store, realdocs_set)
    if skipped:
        console.print(f"[yellow]{escape(skipped)}[/]", soft_wrap=True)
    if validate:
        _print_problems(run_action(lambda: check_suites(suites)), suites)
        return
    run_dir = out or Path("evals/runs") / _utc_stamp()
    summary, comparison = run_action(
        lambda: run_eval_plan(
            suites, run_dir, compare=compare, ids=ids, limit=limit, split=split.value,
            baselines=baselines, ablate=ablate, skipped=skipped, hooks=_HOOKS,
        )
    )  # fmt: skip
    _print_headline(summary, comparison)
    _print_tables(summary)
    _print_llm(summary)
    if baselines:
        _print_baselines(summary)
    if ablate:
        _print_ablation(summary)
    report = escape(str(run_dir / "report.html"))
    console.print(f"Run written to [bold]{escape(str(run_dir))}[/] — open {report}", soft_wrap=True)


def _suites(
    settings: Settings,
    sets: list[Path],
    ingest: list[Path],
    realdocs: Path | None,
    realdocs_store: Path,
    realdocs_set: Path,
) -> tuple[list[Suite], str]:
    """Return the suites to run, and the line saying why the real-document set is skipped."""
    from assistant.evaluation.suites import realdocs_suite

    # The real-document set needs its own store: keep it out of the project's suite.
    own = [p for p in sets if realdocs is None or p.resolve() != realdocs_set.resolve()]
    suites = [Suite("corpus", settings, tuple(own), tuple(ingest))]
    if realdocs is None:
        return suites, ""
    base = ingest or [Path("corpus")]
    extra = realdocs_suite(settings, realdocs, realdocs_set, realdocs_store, base)
    if isinstance(extra, str):
        return suites, extra
    return [*suites, extra], ""


def _with_mode(settings: Settings, mode: str) -> Settings:
    """Return the settings with the run's answer mode; 'llm' needs a configured model."""
    if mode == "llm" and not settings.llm_configured:
        errors.print(
            "[bold red]--mode llm needs a model:[/] set llm_base_url and llm_model"
            " (RA_LLM_BASE_URL, RA_LLM_MODEL), or llm_provider 'llamacpp' and llm_model_path."
        )
        raise typer.Exit(2)
    return settings.model_copy(update={"answer_mode": mode})


def _print_llm(summary: dict[str, Any]) -> None:
    """Print what the language model did: fallbacks, marker repairs, time to first token."""
    llm = summary.get("llm")
    if not llm:
        return
    table = Table(title="Language model", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("", "calls", "fallback", "markers removed", "unsupported", "1st token p50/p95"):
        table.add_column(column, justify="left" if not column else "right")
    splits = summary.get("llm_by_split", {})
    for name, block in (("all", llm), *((k, v) for k, v in splits.items() if v)):
        p50, p95 = block["first_token_p50_ms"] or 0, block["first_token_p95_ms"] or 0
        first = f"{p50:,.0f} / {p95:,.0f} ms"
        table.add_row(
            name, str(block["llm_calls"]), f"{block['fallback_rate']:.2f}",
            str(block["marker_repairs"]), str(block["unsupported_sentences"]), first,
        )  # fmt: skip
    console.print(table)
    reasons = ", ".join(f"{k} {v}" for k, v in llm["fallback_reasons"].items()) or "none"
    console.print(f"[dim]Fallbacks to the extractive answer by reason: {escape(reasons)}[/]")


def _utc_stamp() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _print_problems(problems: list[Any], suites: list[Suite]) -> None:
    count = sum(len(s.sets) for s in suites)
    for problem in problems:
        console.print(escape(str(problem)), soft_wrap=True)
    if problems:
        errors.print(f"[bold red]{len(problems)} problem(s)[/] in {count} set(s).")
        raise typer.Exit(1)
    console.print(f"[green]OK[/]: {count} set(s); every item and gold reference is valid.")


def _indexing(suite: Suite) -> Any:
    where = escape(str(suite.settings.store_dir))
    return console.status(f"Indexing into {where} (unchanged files are skipped)…")


def _indexed(suite: Suite, report: Any) -> None:
    """Print one line per store built, and one per file not indexed."""
    where = escape(str(suite.settings.store_dir))
    counts = {s: report.count(s) for s in ("added", "unchanged", "updated", "pruned", "failed")}
    console.print(
        f"{where}: " + ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        + f"; {report.chunks_written} chunks written",
        soft_wrap=True,
    )
    for failed in report.failed:
        console.print(
            f"  [yellow]not indexed[/]: {escape(failed.path)} — {escape(failed.reason)}",
            soft_wrap=True,
        )


@contextmanager
def _item_progress(label: str, total: int) -> Iterator[OnItem]:
    """Show a progress bar with the running hit@5 and refusals; yield its ``on_item``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    tally = {"gold": 0, "hits": 0, "refused": 0}
    with Progress(
        TextColumn(f"[bold]{escape(label)}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.description}"),
        console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task("", total=total)

        def on_item(result: Any, done: int, total: int) -> None:
            if result.relevant_keys:
                tally["gold"] += 1
                tally["hits"] += bool(result.checks["hit@5"])
            tally["refused"] += not result.supported
            hit5 = f"{tally['hits'] / tally['gold']:.2f}" if tally["gold"] else "–"
            progress.update(
                task, completed=done, description=f"hit@5 {hit5}  refusals {tally['refused']}"
            )

        yield on_item


_HOOKS = SuiteHooks(
    indexing=_indexing,
    indexed=_indexed,
    items=_item_progress,
    writing=lambda: console.status("Computing the metrics and writing the report…"),
)


def _print_headline(summary: dict[str, Any], comparison: Any) -> None:
    from assistant.evaluation.reports import HEADLINE, headline

    table = Table(title=f"Eval: {summary['n_items']} questions")
    table.add_column("metric")
    if comparison is not None:
        table.add_column("previous", justify="right")
    table.add_column("value", justify="right")
    if comparison is not None:
        table.add_column("delta", justify="right")
    values = headline(summary)
    for _, key, higher in HEADLINE:
        digits = 0 if key.endswith("_ms") else 3
        value = values[key]
        row = [key, "–" if value is None else f"{value:.{digits}f}"]
        if comparison is not None:
            old = comparison.previous.get(key)
            row.insert(1, "–" if old is None else f"{old:.{digits}f}")
            delta = None if old is None or value is None else value - old
            colour = "" if not delta else ("green" if (delta > 0) == higher else "red")
            text = "–" if delta is None else f"{delta:+.{digits}f}"
            row.append(f"[{colour}]{text}[/]" if colour else text)
        table.add_row(*row)
    console.print(table)
    if comparison is not None and comparison.paired_items:
        console.print(f"{len(comparison.changed)} item(s) changed outcome; see report.html.")
    elif comparison is not None and comparison.significance_note:
        console.print(escape(comparison.significance_note))


_SHORT = {
    "key facts": "key\nfacts",
    "refusal acc.": "refused",
    "false refusals": "false\nrefused",
    "answer language": "lang.\nok",
}
_LEGEND = (
    "key facts: coverage; refused: unanswerable items refused; false refused: answerable"
    " items refused; lang. ok: answers in the right languages"
)


def _print_tables(summary: dict[str, Any]) -> None:
    """Print dev and test side by side, per set and per language."""
    from assistant.evaluation.report_tables import language_split_table, set_split_table

    for title, (header, rows) in (
        ("Dev and test by set (tune on dev, judge on test)", set_split_table(summary)),
        ("Dev and test by language", language_split_table(summary)),
    ):
        if not rows:
            continue
        # short headers, no vertical rules: both tables fit 80 columns (make's log)
        table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        for i, column in enumerate(header):
            label = _SHORT.get(column, column)
            table.add_column(label, justify="left" if i < 2 else "right", no_wrap=True)
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))
        console.print(table)
    console.print(f"[dim]{_LEGEND}[/]")
    conversations = summary.get("conversations")
    if conversations:
        passed = conversations["all_turns_passed"]
        console.print(
            f"Conversations: {conversations['n_conversations']}, {conversations['n_turns']} turns;"
            f" every turn passed every check in {passed:.0%} of them (per turn: report.html)."
        )


def _print_baselines(summary: dict[str, Any]) -> None:
    from assistant.evaluation.reports import BASELINE_HEADER, baseline_rows

    table = Table(title="Retrievers side by side (hit@5 / MRR@10)")
    for column in BASELINE_HEADER:
        table.add_column(column, justify="left" if column in ("", "group") else "right")
    for row in baseline_rows(summary):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def _print_ablation(summary: dict[str, Any]) -> None:
    from assistant.evaluation.ablation import ABLATION_HEADER, ablation_rows

    table = Table(
        title="Each weight set to 0: change from the full configuration, dev/test",
        box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
    )
    for column in ABLATION_HEADER:
        table.add_column(column, justify="left" if column == "setting" else "right", no_wrap=True)
    for row in ablation_rows(summary):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
