"""The ``read`` command: show how one file will be read, before a library of its kind is ingested.

A practitioner's first PDF of a new publisher may be read badly (a running head in the
text, a table read as words, a file name for a title); ingesting two hundred of them
before seeing that wastes an afternoon. ``read`` prints what ingest would store, the
metadata and every chunk with the locator an answer would cite, without writing anything
or loading the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.support import ConfigOpt, console, metadata_overrides, run_action, settings_from

__all__ = ["read"]

# The first characters of a chunk shown in the table (all of it with --full).
_PREVIEW = 160


def read(
    path: Annotated[Path, typer.Argument(help="The file to read (any format ingest reads).")],
    config: ConfigOpt = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Kind to read it as: decision, guidance, case-study…")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title to give it.")] = None,
    full: Annotated[bool, typer.Option("--full", help="Print each chunk whole.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the metadata and chunks as JSON.")
    ] = False,
) -> None:
    """Show how a file will be read, without indexing it: its metadata and its chunks with their citations.

    Try one document of a new kind before ingesting a library of them: the title, kind,
    language, symbol and year found, then each chunk's locator (what an answer cites, with
    its page) and its text. Nothing is written and no model is loaded; --kind and --title
    set what ingest --kind/--title would.

    Example: restoration-assistant read reports/cop-16-dec-31-en.pdf
    """
    from assistant.core.offline import apply_offline_switches
    from ingest.chunking import chunk_document
    from ingest.loaders import load_document

    apply_offline_switches()
    overrides = metadata_overrides([path], kind, title)
    settings = settings_from(config, None, None, None)
    document = run_action(lambda: load_document(path, overrides=overrides))
    chunks = chunk_document(document, settings.chunk_size, settings.chunk_overlap)
    meta = document.meta
    if as_json:
        record = {
            "path": str(path),
            "meta": meta.as_metadata(),
            "chunks": [
                {"locator": c.locator, "paragraph": c.paragraph, "page": c.page, "text": c.text}
                for c in chunks
            ],
        }
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{escape(meta.title)}[/]  ({escape(meta.doc_id)})")
    facts = [("kind", meta.kind), ("language", meta.language), ("symbol", meta.symbol), ("year", meta.year)]
    console.print("   ".join(f"[bold]{name}[/] {escape(str(value))}" for name, value in facts if value))
    tables = sum(1 for c in chunks if c.text.startswith("|"))
    notes = sum(1 for c in chunks if ", note " in c.locator)
    console.print(f"{len(chunks)} chunks from {len(document.sections)} sections ({tables} of tables, {notes} notes)")
    table = Table(show_lines=full)
    table.add_column("#", justify="right")
    table.add_column("cited as")
    table.add_column("text")
    for n, chunk in enumerate(chunks, start=1):
        text = chunk.text if full else " ".join(chunk.text.split())
        if not full and len(text) > _PREVIEW:
            text = text[: _PREVIEW - 1] + "…"
        table.add_row(str(n), escape(chunk.locator), escape(text))
    console.print(table)
