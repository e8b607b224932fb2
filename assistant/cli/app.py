"""Command line: ``restoration-assistant`` (also ``python -m assistant``).

Subcommands parse options, call library functions and print with rich; nothing
here opens stores or builds chains by itself. Larger commands live in their own
modules of this package and are registered at the end of this file.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.support import (
    ConfigOpt,
    HostOpt,
    ModelOpt,
    PortOpt,
    StoreOpt,
    console,
    metadata_overrides,
    run_action,
    settings_from,
)
from assistant.core.offline import apply_offline_switches
from assistant.core.settings import Settings

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
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Kind of the one file given: decision, guidance, case-study…"),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of the one file given.")
    ] = None,
) -> None:
    """Index Markdown, text, HTML, PDF, DOCX, ODT and reStructuredText files into the store.

    Unchanged files are skipped, changed ones replaced; a summary table ends the run,
    files of a folder that were not indexed are listed with the reason, and the exit
    code is 1 when any file failed. --kind and --title set one file's metadata (for a
    folder, write a _metadata.yaml sidecar: see README).

    Example: restoration-assistant ingest corpus/ my-notes/report.pdf --store var/store
    """
    apply_offline_switches()
    overrides = metadata_overrides(paths, kind, title)
    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    report = run_action(
        lambda: _ingest(settings, paths, prune=prune, rebuild=rebuild, overrides=overrides)
    )
    table = Table(title="Ingest summary")
    for column in ("added", "unchanged", "updated", "pruned", "failed", "chunks written"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(report.count(s)) for s in ("added", "unchanged", "updated", "pruned", "failed")),
        str(report.chunks_written),
    )
    console.print(table)
    if report.skipped:
        console.print(escape(report.skipped_summary()))
        for result in report.skipped:
            console.print(f"  [dim]{escape(result.path)}: {escape(result.reason)}[/]", soft_wrap=True)
    if report.failed:
        failures = Table(title="Files not indexed", show_lines=False)
        failures.add_column("file")
        failures.add_column("reason")
        for result in report.failed:
            failures.add_row(escape(result.path), escape(result.reason))
        console.print(failures)
        raise typer.Exit(1)


def _ingest(
    settings: Settings,
    paths: list[Path],
    *,
    prune: bool,
    rebuild: bool,
    overrides: dict[str, str] | None = None,
) -> Any:
    from assistant.cli.progress import IngestProgress
    from assistant.services import ingest_and_refresh, open_for_ingest

    store, embeddings = open_for_ingest(settings, rebuild=rebuild)
    with IngestProgress(console) as progress:
        return ingest_and_refresh(
            None, paths, settings, embeddings, store=store, prune=prune, overrides=overrides,
            on_file=progress.on_file, on_chunks=progress.on_chunks,
        )  # fmt: skip


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
    from assistant import build_assistant
    from assistant.retrieval.hybrid import Filters

    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    filters = Filters.of(kind=kind, language=lang, doc_id=doc, year=year, region=region, ecosystem=ecosystem)
    from assistant.answering.conversation import validate_question

    run_action(lambda: validate_question(question, settings.max_question_chars))  # fail fast
    answer = run_action(
        lambda: build_assistant(settings, warm_up=False).ask(question, filters=filters, k=k, mode=mode)
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
    from assistant.store.catalog import describe
    from assistant.store.chroma import open_store

    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    # The catalogue is read from the store's metadata: no model to load, nothing embedded.
    details = run_action(lambda: describe(open_store(settings, None), settings))
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
    from assistant import build_assistant
    from assistant.ui.app import build_app, launch

    settings = settings_from(
        config, store, chroma_host, chroma_port, embedding_model=embedding_model, host=host, port=port
    )
    assistant = run_action(lambda: build_assistant(settings))
    console.print(f"Chat on http://{settings.host}:{settings.port}  (Ctrl-C to stop)")
    run_action(lambda: launch(build_app(assistant), settings))


from assistant.cli.evaluate import eval_  # noqa: E402

app.command("eval")(eval_)

from assistant.cli.faq import faq  # noqa: E402

app.command("faq")(faq)

from assistant.cli.bench import bench  # noqa: E402

app.command("bench")(bench)

from assistant.cli.read import read  # noqa: E402

app.command("read")(read)


def _reflowed(doc: str | None) -> str | None:
    """A docstring with each paragraph on one line, so the terminal wraps it, not the source.

    Rich help keeps a docstring's line breaks and then wraps each line to the terminal:
    at 80 columns a source line of 88 characters became a line and a stray word. A line
    starting with "-" or "Example:" still starts a line of its own.
    """
    if not doc:
        return doc
    lines: list[str] = []
    for line in inspect.cleandoc(doc).splitlines():
        text = line.strip()
        if text and lines and lines[-1] and not text.startswith(("-", "Example:")):
            lines[-1] += " " + text
        else:
            lines.append(text)
    return "\n".join(lines)


for _command in app.registered_commands:
    _command.help = _command.help or _reflowed(getattr(_command.callback, "__doc__", None))


def main() -> None:
    """Console-script entry point."""
    app()
