"""The ``faq`` command: build a cited FAQ for a workshop, check it, export it.

Only Typer, pathlib and the shared CLI helpers are imported here; the builder, the
model and the exporters load when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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

__all__ = ["faq"]


# The command's options, named as the shared ones in assistant.cli.support are.
OutOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--out", "-o",
        help="File(s) to write: .md, .csv, .json, .docx (repeatable). The FAQ file for"
        " review, NAME.faq.json, is written next to the first one.",
    ),
]
DocOpt = Annotated[list[str] | None, typer.Option("--doc", help="Document id (repeatable).")]
KindOpt = Annotated[
    list[str] | None, typer.Option("--kind", help="decision, guidance, case-study (repeatable).")
]
TopicOpt = Annotated[str | None, typer.Option("--topic", help="Only passages about this topic.")]
AudienceOpt = Annotated[
    str, typer.Option("--audience", help="practitioners, policymakers or communities.")
]
LangOpt = Annotated[
    str | None, typer.Option("--lang", help="Language of the questions, e.g. en, zh (default: the scope's).")
]
CountOpt = Annotated[int, typer.Option("-n", min=1, max=500, help="Number of questions.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Title of the FAQ.")]
ApprovedOpt = Annotated[
    bool, typer.Option("--approved-only", help="Export only entries a reviewer approved.")
]
CheckOpt = Annotated[
    Path | None,
    typer.Option(
        "--check",
        help="Check a FAQ file against the store: mark entries whose sources changed"
        " 'stale — review' (exit code 1 if any are stale).",
    ),
]
FromOpt = Annotated[
    Path | None,
    typer.Option("--from", help="Export an existing FAQ file (after review) without rebuilding."),
]


def faq(
    out: OutOpt = None,
    doc: DocOpt = None,
    kind: KindOpt = None,
    topic: TopicOpt = None,
    audience: AudienceOpt = "practitioners",
    lang: LangOpt = None,
    n: CountOpt = 20,
    title: TitleOpt = None,
    approved_only: ApprovedOpt = False,
    check: CheckOpt = None,
    from_file: FromOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    chroma_host: HostOpt = None,
    chroma_port: PortOpt = None,
    embedding_model: ModelOpt = None,
) -> None:
    """Build a FAQ with cited answers from chosen documents, for trainers to review and hand out.

    Questions come from the documents' structure (a decision's operative paragraphs, a case study's sections, a brief's headings); each is answered by the assistant and kept only if the answer is supported by a cited passage from the scope. Near-duplicates are merged.

    Review by editing NAME.faq.json (status: draft, approved or rejected; edited_question, edited_answer). Running the same command again keeps that review and flags entries whose sources changed as stale.

    Example: restoration-assistant faq --doc cbd-dec-xi-16-en -n 30 --out xi16-faq.md

    Example: restoration-assistant faq --doc cbd-dec-xi-16-zh --lang zh --out xi16-faq-zh.docx

    Example: restoration-assistant faq --check xi16-faq.faq.json

    Example: restoration-assistant faq --from xi16-faq.faq.json --approved-only --out handout.docx
    """
    from assistant.core.offline import apply_offline_switches

    apply_offline_switches()
    settings = settings_from(config, store, chroma_host, chroma_port, embedding_model=embedding_model)
    values = dict(doc_ids=doc or [], kinds=kind or [], topic=topic or "", audience=audience,
                  language=lang, n=n, title=title or "")
    _run(settings, list(out or []), approved_only, check, from_file, values)


def _run(
    settings: Any, outputs: list[Path], approved_only: bool, check: Path | None,
    from_file: Path | None, values: dict[str, Any],
) -> None:
    """Check, export or build, as the options ask; exit 1 when a check finds stale entries."""
    if check is not None:
        stale = run_action(lambda: _check(settings, check, outputs, approved_only))
        if stale:
            raise typer.Exit(1)
        return
    if from_file is not None:
        if not outputs:
            _usage("--from needs at least one --out file")
        run_action(lambda: _export_only(from_file, outputs, approved_only))
        return
    if not outputs:
        _usage("give at least one --out file (.md, .csv, .json or .docx)")
    run_action(lambda: _build(settings, outputs, approved_only, values))


def _usage(message: str) -> None:
    errors.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(2)


def _write(faq: Any, outputs: list[Path], approved_only: bool) -> None:
    from rich.markup import escape

    from assistant.faq.export import export_faq

    for path in outputs:
        export_faq(faq, path, approved_only=approved_only)
        console.print(f"Wrote [bold]{escape(str(path))}[/]", soft_wrap=True)  # a path stays whole


def _build(settings: Any, outputs: list[Path], approved_only: bool, values: dict[str, Any]) -> None:
    from pydantic import ValidationError
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from assistant import build_assistant
    from assistant.core.errors import AssistantError
    from assistant.faq.build import FaqFile, FaqRequest, build_faq, faq_path_for

    try:
        request = FaqRequest(**values)
    except ValidationError as e:
        raise AssistantError(f"invalid FAQ options: {e.errors()[0]['msg']}") from e
    faq_file = next((p for p in outputs if p.name.endswith(".faq.json")), faq_path_for(outputs[0]))
    previous = FaqFile.load(faq_file) if faq_file.exists() else None
    assistant = build_assistant(settings)
    with Progress(
        TextColumn("[bold]Building FAQ"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console,
    ) as progress:
        task = progress.add_task("", total=None)

        def on_progress(done: int, total: int, message: str) -> None:
            progress.update(task, completed=done, total=total, description=message)

        faq = build_faq(assistant, request, previous=previous, on_progress=on_progress)
    faq.save(faq_file)
    summary = Table(title=f"FAQ: {escape(faq.title)}")
    for column in ("proposed", "asked", "kept", "dropped", "merged"):
        summary.add_column(column, justify="right")
    summary.add_row(*(str(faq.summary.get(c, 0)) for c in ("proposed", "asked", "kept", "dropped", "merged")))
    console.print(summary)
    if previous is not None:
        stale = sum(e.stale for e in faq.entries)
        console.print(f"Review carried over from {escape(str(faq_file))}; {stale} entr{'y' if stale == 1 else 'ies'} stale.", soft_wrap=True)
    if faq.dropped:
        dropped = Table(title="Dropped (not supported by the corpus as asked)")
        dropped.add_column("question", overflow="fold")
        dropped.add_column("reason", overflow="fold")
        for item in faq.dropped:
            dropped.add_row(escape(item.question), escape(item.reason))
        console.print(dropped)
    console.print(f"Wrote [bold]{escape(str(faq_file))}[/] (the FAQ file to review)", soft_wrap=True)
    _write(faq, [p for p in outputs if p != faq_file], approved_only)


def _check(settings: Any, path: Path, outputs: list[Path], approved_only: bool) -> int:
    from rich.markup import escape
    from rich.table import Table

    from assistant.faq.build import FaqFile, check_faq
    from assistant.store.chroma import open_store

    faq = FaqFile.load(path)
    newly = check_faq(faq, open_store(settings, embeddings=None))
    faq.save(path)
    stale = [e for e in faq.entries if e.stale]
    if stale:
        table = Table(title=f"Stale — review ({len(stale)} of {len(faq.entries)})")
        for column in ("id", "status", "question", "reason"):
            table.add_column(column, overflow="fold")
        for entry in stale:
            table.add_row(entry.id, entry.status, escape(entry.shown_question), escape(entry.stale_reason))
        console.print(table)
    console.print(
        f"{len(faq.entries)} entries checked: {len(stale)} stale ({len(newly)} newly), "
        f"{len(faq.entries) - len(stale)} unchanged. Marks saved to {escape(str(path))}."
    )
    _write(faq, outputs, approved_only)
    return len(stale)


def _export_only(path: Path, outputs: list[Path], approved_only: bool) -> None:
    from assistant.faq.build import FaqFile

    _write(FaqFile.load(path), outputs, approved_only)
