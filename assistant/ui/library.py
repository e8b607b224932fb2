"""The Library tab: what the store holds, and (when enabled) uploading and deleting documents.

Uploads go through :mod:`assistant.ui.uploads` (type, size and name checks, one folder)
and are indexed with :func:`assistant.services.ingest_and_refresh` into the assistant's
own store, which refreshes the assistant so the chat sees them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr  # at module level: Gradio reads handlers' ``gr.Request`` hints from here

from assistant.core.errors import AssistantError
from assistant.core.provenance import UPLOADED_LABEL, Actor, Provenance
from assistant.core.settings import Settings
from assistant.services import delete_and_refresh, ingest_and_refresh
from assistant.ui.render import KIND_LABELS, escape, status_html
from assistant.ui.uploads import UPLOAD_SUFFIXES, UploadRejected, save_upload

__all__ = ["Catalog", "LibraryTab", "build_library_tab", "read_catalog"]

LIBRARY_HEADERS = ["Title", "Kind", "Language", "Year", "Chunks", "doc_id", "Origin"]
ORIGIN_LABELS = {"bundled": "bundled", "operator": "added by the operator", "upload": UPLOADED_LABEL}
UPLOADS_OFF = (
    "Adding and deleting documents is turned off on this server. An administrator can turn"
    " it on with the `uploads_enabled` setting (RA_UPLOADS_ENABLED=true)."
)


@dataclass(frozen=True)
class Catalog:
    """The store's documents and the values its filters can take."""

    documents: list[dict[str, Any]]
    chunks: int
    embedding_model: str
    kinds: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    ecosystems: list[str] = field(default_factory=list)

    def document_choices(self) -> list[tuple[str, str]]:
        """Dropdown choices ``(label, doc_id)`` sorted by title."""
        docs = sorted(self.documents, key=lambda d: (str(d["title"]).casefold(), str(d["doc_id"])))
        return [(f"{d['title'] or d['doc_id']} ({d['language']})", str(d["doc_id"])) for d in docs]

    def rows(self, query: str = "") -> list[list[Any]]:
        """Library table rows whose title or doc_id contains ``query`` (case-insensitive)."""
        needle = query.strip().casefold()
        rows = []
        for doc in self.documents:
            if needle and needle not in f"{doc['title']} {doc['doc_id']}".casefold():
                continue
            kind = KIND_LABELS.get(str(doc["kind"]), str(doc["kind"]))
            rows.append(
                [
                    doc["title"],
                    kind,
                    doc["language"],
                    doc["year"] or "",
                    doc["chunks"],
                    doc["doc_id"],
                    ORIGIN_LABELS.get(str(doc.get("origin", "")), str(doc.get("origin", ""))),
                ]
            )
        return rows

    def summary(self) -> str:
        """One line: documents, chunks, languages, embedding model."""
        languages: dict[str, int] = {}
        for doc in self.documents:
            languages[str(doc["language"])] = languages.get(str(doc["language"]), 0) + 1
        spread = ", ".join(f"{code} ({n})" for code, n in sorted(languages.items()))
        return (
            f"{len(self.documents)} documents, {self.chunks} passages · languages: {spread or '–'}"
            f" · embedding model: {self.embedding_model}"
        )


def read_catalog(assistant: Any) -> Catalog:
    """Describe the assistant's store: documents, kinds, languages, regions, ecosystems."""
    info = assistant.info()
    return Catalog(
        documents=list(info.documents),
        chunks=info.chunks,
        embedding_model=info.embedding_model,
        kinds=sorted({str(d["kind"]) for d in info.documents if d["kind"]}),
        languages=sorted({str(d["language"]) for d in info.documents if d["language"]}),
        regions=list(info.regions),
        ecosystems=list(info.ecosystems),
    )


def _results_html(results: Sequence[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr class="ra-file-{escape(r["status"])}"><td>{escape(r["file"])}</td>'
        f"<td>{escape(r['status'])}</td><td>{escape(r.get('doc_id', ''))}</td>"
        f"<td>{escape(r.get('chunks', ''))}</td><td>{escape(r.get('reason', ''))}</td></tr>"
        for r in results
    )
    failed = sum(r["status"] in ("failed", "refused", "cancelled") for r in results)
    added = len(results) - failed
    head = status_html(
        f"{added} file(s) indexed, {failed} not indexed.", "error" if failed else "ok"
    )
    return (
        f'{head}<table class="ra-results"><thead><tr><th>file</th><th>status</th><th>doc_id</th>'
        f"<th>passages</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def client_gone(blocks: Any, session_hash: str | None) -> bool:
    """Whether the client of a running event has left (Gradio marks its job not alive).

    Gradio stops sending to a client that disconnected but lets a running function go
    on; a long upload asks this between batches and stops instead of embedding for
    nobody.
    """
    queue = getattr(blocks, "_queue", None)
    jobs = [job for jobs in getattr(queue, "active_jobs", None) or [] if jobs for job in jobs]
    mine = [job for job in jobs if getattr(job, "session_hash", None) == session_hash]
    return bool(mine) and not any(getattr(job, "alive", True) for job in mine)


def upload_documents(
    assistant: Any,
    settings: Settings,
    files: Sequence[str],
    on_progress: Callable[[str, int, int], None] | None = None,
    actor: Actor | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[dict[str, Any]]:
    """Save uploaded files safely, index them into the store, and return one result per file.

    Files go to the actor's own folder and are indexed as uploads owned by the actor
    (:mod:`assistant.core.provenance`): they can add documents, never change anyone else's.

    Raises:
        AssistantError: uploads are disabled, or no file was given.

    """
    actor = actor or Actor()
    if not settings.uploads_enabled:
        raise AssistantError(UPLOADS_OFF.replace("`", ""))
    if not files:
        raise AssistantError("Choose one or more files to add first.")
    results, saved = _save_uploads(settings, files, actor)
    if saved:
        report = ingest_and_refresh(
            assistant,
            [Path(p) for p in saved],
            on_file=on_progress,
            provenance=Provenance("upload", actor.name),
            should_stop=should_stop,
        )
        results += _indexed_results(report, saved)
    return results


def _save_uploads(
    settings: Settings, files: Sequence[str], actor: Actor
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Copy the files into the actor's folder; return the refusals and ``{saved path: name}``."""
    max_bytes = int(settings.max_upload_mb * 1_048_576)
    results: list[dict[str, Any]] = []
    saved: dict[str, str] = {}
    for item in files:
        name = Path(item).name
        try:
            path = save_upload(Path(item), name, settings.upload_dir / actor.folder, max_bytes=max_bytes)
        except UploadRejected as e:
            results.append({"file": name, "status": "refused", "reason": str(e)})
            continue
        saved[str(path)] = name
    return results, saved


def _indexed_results(report: Any, saved: dict[str, str]) -> list[dict[str, Any]]:
    """One result per saved file; files not indexed (failed, or cancelled) are removed."""
    results: list[dict[str, Any]] = []
    if report.cancelled:
        done = {r.path for r in report.files}
        for path in set(saved) - done:
            Path(path).unlink(missing_ok=True)
            results.append(
                {"file": saved[path], "status": "cancelled", "reason": "stopped: the client left"}
            )
    for result in report.files:
        if result.status == "failed" and result.path in saved:
            Path(result.path).unlink(missing_ok=True)  # keep only indexed files
        results.append(
            {
                "file": saved.get(result.path, Path(result.path).name),
                "status": result.status,
                "doc_id": result.doc_id,
                "chunks": result.chunks,
                "reason": result.reason,
                "flag": result.flag,
            }
        )
    return results


@dataclass
class LibraryTab:
    """Components other tabs refresh when the library changes."""

    table: Any
    summary: Any
    delete_choice: Any


def build_library_tab(
    assistant: Any, settings: Settings, catalog: Catalog, refresh_outputs: list[Any]
) -> tuple[LibraryTab, Callable[[], list[Any]]]:
    """Create the Library tab's components inside the current Blocks context.

    ``refresh_outputs`` are components of other tabs (the chat's filters) that change
    with the library; the returned function gives their updates after an upload or delete.
    """
    from gradio.context import Context

    from assistant.ui.chat import filter_updates

    blocks = Context.root_block
    summary, search, table = _browse_components(catalog)
    files, add, upload_status, delete_choice, delete, delete_status = _write_components(
        settings, catalog
    )
    upload_report = gr.JSON(visible=False)

    def refreshed(query: str = "") -> list[Any]:
        fresh = read_catalog(assistant)
        return [
            gr.update(value=fresh.rows(query)),
            gr.update(value=escape(fresh.summary())),
            gr.update(choices=fresh.document_choices(), value=None),
            *filter_updates(fresh),
        ]

    def list_documents(query: str) -> list[list[Any]]:
        return read_catalog(assistant).rows(query or "")

    add_files = _add_files_handler(assistant, settings, blocks)
    delete_document_by_id = _delete_handler(assistant, settings)
    outputs = [table, summary, delete_choice, *refresh_outputs]
    search.change(list_documents, search, table, api_name="library")
    # Writes to the store run one at a time, then the table and filters are read again.
    for button, handler, inputs, status, name, after in (
        (add, add_files, files, [upload_status, upload_report], "upload", "upload"),
        (delete, delete_document_by_id, delete_choice, delete_status, "delete_document", "delete"),
    ):
        button.click(
            handler, inputs, status, api_name=name, concurrency_limit=1, concurrency_id="library-write"
        ).then(
            refreshed, search, outputs, api_name=f"library_refresh_after_{after}", api_visibility="private"
        )
    return LibraryTab(table, summary, delete_choice), refreshed


def _browse_components(catalog: Catalog) -> tuple[Any, Any, Any]:
    """Create the summary line, the title search and the documents table."""
    gr.Markdown("### Documents in the library")
    summary = gr.Markdown(escape(catalog.summary()))
    search = gr.Textbox(
        label="Search by title", placeholder="e.g. mangrove, XI/16, 生态", max_lines=1
    )
    table = gr.Dataframe(
        value=catalog.rows(),
        headers=LIBRARY_HEADERS,
        datatype=["str", "str", "str", "str", "number", "str", "str"],
        type="array",
        interactive=False,
        wrap=True,
        column_widths=["36%", "10%", "8%", "6%", "7%", "19%", "14%"],
        label="Documents",
        elem_id="ra-library",
    )
    return summary, search, table


def _write_components(settings: Settings, catalog: Catalog) -> tuple[Any, ...]:
    """Create the add and delete sections (hidden when uploads are off).

    Returns the files, add button, upload status, document choice, delete button and
    delete status.
    """
    enabled = settings.uploads_enabled
    if not enabled:
        gr.Markdown(UPLOADS_OFF)
    with gr.Accordion("Add documents", open=True, visible=enabled):
        gr.Markdown(
            f"Formats: {', '.join(sorted(UPLOAD_SUFFIXES))} · up to {settings.max_upload_mb:g} MB"
            " each. Markdown front matter (title, kind, language, year…) is read; other files"
            " get their metadata from the file."
        )
        files = gr.File(
            label="Files",
            file_count="multiple",
            file_types=sorted(UPLOAD_SUFFIXES),
            elem_id="ra-upload-files",
        )
        add = gr.Button("Add to library", variant="primary", elem_id="ra-upload-button")
        upload_status = gr.HTML(elem_id="ra-upload-status")
    with gr.Accordion("Delete a document", open=False, visible=enabled):
        # Custom values: documents added after the page loaded can be deleted too.
        delete_choice = gr.Dropdown(
            choices=catalog.document_choices(),
            label="Document",
            value=None,
            interactive=True,
            allow_custom_value=True,
        )
        delete = gr.Button("Delete document", variant="stop")
        delete_status = gr.HTML()
    return files, add, upload_status, delete_choice, delete, delete_status


def _add_files_handler(assistant: Any, settings: Settings, blocks: Any) -> Callable[..., Any]:
    """Return the upload event's handler: save, index, refresh; an HTML report and the results."""
    tracker = gr.Progress()  # Gradio injects progress through a parameter with this default

    def add_files(
        paths: list[str] | None, request: gr.Request, progress: Any = tracker
    ) -> tuple[str, list[Any]]:
        def on_progress(path: str, done: int, total: int) -> None:
            progress((done, total), desc=f"Indexed {Path(path).name}")

        progress(0, desc="Saving and indexing…")
        session = getattr(request, "session_hash", None)
        try:
            results = upload_documents(
                assistant,
                settings,
                paths or [],
                on_progress,
                Actor.of(request.username, settings.operator_username),
                should_stop=lambda: client_gone(blocks, session),
            )
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        return _results_html(results), results

    return add_files


def _delete_handler(assistant: Any, settings: Settings) -> Callable[..., str]:
    """Return the delete event's handler: check, delete as the signed-in user, refresh."""

    def delete_document_by_id(doc_id: str | None, request: gr.Request) -> str:
        if not settings.uploads_enabled:
            raise gr.Error(UPLOADS_OFF.replace("`", ""))
        if not doc_id:
            raise gr.Error("Choose a document to delete first.")
        actor = Actor.of(request.username, settings.operator_username)
        try:
            removed = delete_and_refresh(assistant, doc_id, actor, settings.upload_dir)
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        if not removed:
            return status_html(f"No document '{doc_id}' in the library.", "error")
        return status_html(f"Deleted '{doc_id}' ({removed} passages).", "ok")

    return delete_document_by_id
