"""Command line: ``restoration-assistant`` (also ``python -m assistant``).

Subcommands parse options, call library functions and print with rich; nothing
here opens stores or builds chains by itself. Larger commands live in ``cli_*.py``
modules and are registered at the end of this file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli_support import (
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
from assistant.offline import apply_offline_switches
from assistant.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    help=(
        "Restoration Assistant: answers ecosystem-restoration questions from CBD decisions,"
        " guidance and case studies, citing the exact paragraph or section.\n\n"
        "Start with:  restoration-assistant ingest corpus/   then   restoration-assistant ask"
        ' "What does decision XI/16 ask Parties to do about the causes of degradation?"'
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to index.")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove documents whose files are gone.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the collection and index from scratch.")
    ] = False,
) -> None:
    """Index Markdown, text, HTML, PDF and DOCX files into the store.

    Unchanged files are skipped, changed ones replaced; a summary table ends the run
    and the exit code is 1 when any file failed.

    Example: restoration-assistant ingest corpus/ my-notes/report.pdf --store var/store
    """
    apply_offline_switches()
    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    report = run_action(lambda: _ingest(settings, paths, prune=prune, rebuild=rebuild))
    table = Table(title="Ingest summary")
    for column in ("added", "unchanged", "updated", "pruned", "failed", "chunks written"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(report.count(s)) for s in ("added", "unchanged", "updated", "pruned", "failed")),
        str(report.chunks_written),
    )
    console.print(table)
    if report.failed:
        failures = Table(title="Files not indexed", show_lines=False)
        failures.add_column("file")
        failures.add_column("reason")
        for result in report.failed:
            failures.add_row(escape(result.path), escape(result.reason))
        console.print(failures)
        raise typer.Exit(1)


def _ingest(settings: Settings, paths: list[Path], *, prune: bool, rebuild: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.embeddings import build_embeddings
    from assistant.lexical import LexicalIndex
    from assistant.store import delete_collection, open_store
    from ingest.indexing import ingest_paths

    if rebuild:
        delete_collection(settings)
    embeddings = build_embeddings(settings.embedding_model, settings.embedding_batch_size)
    store = open_store(settings, embeddings, create=True)
    with Progress(
        TextColumn("[bold]Indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("", total=None)

        def on_progress(path: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=escape(Path(path).name))

        report = ingest_paths(paths, settings, store, embeddings, prune=prune, on_progress=on_progress)
    LexicalIndex.load_or_build(store, settings.cache_dir)  # refresh the derived index now
    return report


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in any UN language.")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer record as JSON.")] = False,
    mode: Annotated[
        str | None,
        typer.Option("--mode", help="extractive (default) or llm (needs llm_base_url and llm_model)."),
    ] = None,
    k: Annotated[int | None, typer.Option("-k", help="Passages to retrieve.")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="decision, guidance, case-study.")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Passage language, e.g. en, zh.")] = None,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Document id.")] = None,
    year: Annotated[list[int] | None, typer.Option("--year", help="Year of the document.")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Case-study region.")] = None,
    ecosystem: Annotated[list[str] | None, typer.Option("--ecosystem", help="Case-study ecosystem.")] = None,
) -> None:
    """Answer a question with a citation on every sentence.

    Example: restoration-assistant ask "生态系统退化的根本原因是什么？" --kind decision --lang zh
    """
    apply_offline_switches()
    from assistant.pipeline import build_assistant
    from assistant.retrieval import Filters

    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    filters = Filters.of(kind=kind, language=lang, doc_id=doc, year=year, region=region, ecosystem=ecosystem)
    from assistant.pipeline import validate_question

    run_action(lambda: validate_question(question, settings.max_question_chars))  # fail fast
    answer = run_action(
        lambda: build_assistant(settings).ask(question, filters=filters, k=k, mode=mode)
    )
    if as_json:
        sys.stdout.write(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    for notice in answer.notices:
        console.print(f"[italic]{escape(notice)}[/]")
    console.print(escape(answer.text))
    cited = answer.citations if answer.supported else answer.related
    if cited:
        console.print()
        console.print("[bold]Sources[/]" if answer.supported else "[bold]Possibly related[/]")
    for c in cited:
        where = ", ".join(x for x in (c.symbol and f"decision {c.symbol}", c.locator, c.language) if x)
        snippet = c.text if len(c.text) <= 240 else c.text[:237] + "…"
        console.print(f"[bold][{c.n}][/] {escape(c.title)} — {escape(where)}")
        console.print(f"    [dim]{escape(snippet)}[/]")


@app.command()
def info(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
) -> None:
    """Show the store: documents, chunks, languages and embedding model.

    Example: restoration-assistant info --store var/store
    """
    apply_offline_switches()
    from assistant.pipeline import build_assistant

    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    details = run_action(lambda: build_assistant(settings).info())
    console.print(f"[bold]Store[/] {escape(details.location)}  collection {details.collection}")
    console.print(f"[bold]Embedding model[/] {escape(details.embedding_model)}")
    console.print(
        f"[bold]Documents[/] {len(details.documents)}   [bold]Chunks[/] {details.chunks}   "
        f"[bold]Languages[/] "
        + ", ".join(f"{code} ({n})" for code, n in details.languages.items())
    )
    table = Table()
    for column in ("doc_id", "title", "kind", "language", "year", "chunks"):
        table.add_column(column)
    for doc in details.documents:
        table.add_row(
            escape(str(doc["doc_id"])), escape(str(doc["title"])), str(doc["kind"]),
            str(doc["language"]), str(doc["year"] or ""), str(doc["chunks"]),
        )
    console.print(table)


@app.command()
def chat(
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 7860).")] = None,
) -> None:
    """Open the chat in the browser at http://127.0.0.1:7860.

    Example: restoration-assistant chat --port 7861
    """
    apply_offline_switches()
    from assistant.pipeline import build_assistant
    from assistant.ui import build_app, launch

    settings = settings_from(
        config, store, chroma_host, chroma_port, embedding_model=embedding_model, host=host, port=port
    )
    assistant = run_action(lambda: build_assistant(settings))
    console.print(f"Chat on http://{settings.host}:{settings.port}  (Ctrl-C to stop)")
    run_action(lambda: launch(build_app(assistant), settings))


@app.command("eval")
def eval_(
    sets: Annotated[
        list[Path], typer.Argument(help="Eval sets (JSON Lines), e.g. evals/sets/*.jsonl.")
    ],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Run folder (default: evals/runs/<UTC YYYYmmdd-HHMMSS>)."),
    ] = None,
    compare: Annotated[
        Path | None, typer.Option("--compare", help="A previous run folder to compare with.")
    ] = None,
    ids: Annotated[
        Path | None, typer.Option("--ids", help="File of item ids, one a line: run only these.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Run only the first N items.")
    ] = None,
    validate: Annotated[
        bool,
        typer.Option("--validate", help="Only check the sets' format and gold references."),
    ] = False,
    baselines: Annotated[
        bool,
        typer.Option(
            "--baselines",
            help="Also run the items with dense-only and BM25-only retrieval, side by side.",
        ),
    ] = False,
) -> None:
    """Run eval sets through the assistant and write metrics and a report.

    Writes items.jsonl, summary.json, report.md and report.html (with plots, no
    network needed) to the run folder and prints the headline metrics.

    --compare adds deltas, paired significance tests and the items that flipped.
    --baselines runs the same items again with each single retriever (dense only, BM25
    only) and adds hit@5 and MRR@10 by language and tag for all three (about 3x the time).
    --validate only checks the sets, one line per problem; exit code 1 if any.

    Example: restoration-assistant eval evals/sets/*.jsonl --compare evals/baseline
    """
    apply_offline_switches()
    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    if validate:
        problems = run_action(lambda: _validate_sets(settings, sets))
        for problem in problems:
            console.print(escape(str(problem)), soft_wrap=True)
        if problems:
            errors.print(f"[bold red]{len(problems)} problem(s)[/] in {len(sets)} set(s).")
            raise typer.Exit(1)
        console.print(f"[green]OK[/]: {len(sets)} set(s); every item and gold reference is valid.")
        return
    run_dir = out or Path("evals/runs") / _utc_stamp()
    summary, comparison = run_action(
        lambda: _eval(
            settings, sets, run_dir, compare=compare, ids=ids, limit=limit, baselines=baselines
        )
    )
    _print_headline(summary, comparison)
    if baselines:
        _print_baselines(summary)
    report = escape(str(run_dir / "report.html"))
    console.print(f"Run written to [bold]{escape(str(run_dir))}[/] — open {report}")


def _utc_stamp() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _validate_sets(settings: Settings, sets: list[Path]) -> list[Any]:
    from assistant.evaluation import check_sets
    from assistant.store import open_store

    # Gold references are checked against store metadata only: no model is needed.
    return check_sets(sets, open_store(settings, embeddings=None))


def _eval(
    settings: Settings,
    sets: list[Path],
    run_dir: Path,
    *,
    compare: Path | None,
    ids: Path | None,
    limit: int | None,
    baselines: bool = False,
) -> tuple[dict[str, Any], Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from assistant.evaluation import (
        BASELINES,
        load_items,
        read_ids,
        read_run,
        retrieval_digest,
        run_config,
        run_eval,
        select_items,
        summarize,
        write_results,
    )
    from assistant.pipeline import build_assistant
    from assistant.reports import compare_runs, write_report

    items = select_items(load_items(sets), read_ids(ids) if ids else None, limit)
    if compare is not None:
        read_run(compare, require_items=False)  # fail before the long run, not after it
    assistant = build_assistant(settings)
    tally = {"gold": 0, "hits": 0, "refused": 0}
    with Progress(
        TextColumn("[bold]Evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=console,
    ) as progress:
        task = progress.add_task("", total=len(items))

        def on_item(result: Any, done: int, total: int) -> None:
            if result.relevant_keys:
                tally["gold"] += 1
                tally["hits"] += bool(result.checks["hit@5"])
            tally["refused"] += not result.supported
            hit5 = f"{tally['hits'] / tally['gold']:.2f}" if tally["gold"] else "–"
            progress.update(
                task, completed=done, description=f"hit@5 {hit5}  refusals {tally['refused']}"
            )

        results = run_eval(assistant, items, on_item=on_item)
        # The same items with each single retriever (the embedding model is shared).
        single: dict[str, Any] = {}
        for name, overrides in BASELINES.items() if baselines else ():
            variant_settings = settings.model_copy(update=overrides)
            variant = build_assistant(variant_settings, embeddings=assistant.embeddings)
            task = progress.add_task(f"{name} only", total=len(items))

            def advance(_result: Any, done: int, _total: int, task: Any = task) -> None:
                progress.update(task, completed=done)

            runs = run_eval(variant, items, on_item=advance)
            single[name] = {"settings": overrides, **retrieval_digest(summarize(runs, {}))}
    extra = {"ids_file": str(ids) if ids else None, "limit": limit}
    with console.status("Computing the metrics and writing the report…"):
        summary = summarize(results, run_config(assistant, sets, **extra))
        if single:
            summary["baselines"] = single
        write_results(results, summary, run_dir)
        comparison = compare_runs(summary, results, compare) if compare is not None else None
        write_report(summary, results, run_dir, compare=comparison)
    return summary, comparison


def _print_headline(summary: dict[str, Any], comparison: Any) -> None:
    from assistant.reports import HEADLINE, headline

    table = Table(title=f"Eval: {summary['n_items']} items")
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


def _print_baselines(summary: dict[str, Any]) -> None:
    from assistant.reports import BASELINE_HEADER, baseline_rows

    table = Table(title="Retrievers side by side (hit@5 / MRR@10)")
    for column in BASELINE_HEADER:
        table.add_column(column, justify="left" if column in ("", "group") else "right")
    for row in baseline_rows(summary):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


from assistant.cli_faq import faq  # noqa: E402

app.command("faq")(faq)

from assistant.cli_bench import bench  # noqa: E402

app.command("bench")(bench)


def main() -> None:
    """Console-script entry point."""
    app()
