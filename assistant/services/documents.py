"""Write documents to a store and bring the reader of that store up to date.

The CLI's ``ingest``, the app's uploads and deletions and the eval runs all write
through here, so a store is never changed without its derived index being refreshed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.provenance import Actor, Provenance, check_delete
from assistant.core.settings import Settings
from ingest.formats import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from ingest.indexing import IngestReport

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FileProgress",
    "delete_and_refresh",
    "delete_document",
    "ingest_and_refresh",
    "open_for_ingest",
]

FileProgress = Callable[[str, int, int], None]
"""Called as ``(path, done, total)`` after each file of an ingest."""


def ingest_and_refresh(
    assistant: Any | None,
    paths: Sequence[Path],
    settings: Settings | None = None,
    embeddings: Any | None = None,
    *,
    store: Any | None = None,
    prune: bool = False,
    rebuild: bool = False,
    overrides: Mapping[str, Any] | None = None,
    provenance: Provenance | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_file: FileProgress | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    """Index ``paths`` and refresh what reads the store; return the ingest report.

    With an ``assistant`` the files go into its store with its model, and the assistant
    is refreshed once the ingest returned, so the chat sees them at once. Without one,
    they go into ``store`` (opened by :func:`open_for_ingest` when not given), and the
    lexical index is rebuilt now rather than on the next question. An ingest that
    raises refreshes nothing.
    """
    from ingest.indexing import ingest_paths

    if assistant is not None:
        settings, store, embeddings = assistant.settings, assistant.store, assistant.embeddings
    else:
        if settings is None:
            raise TypeError("ingest_and_refresh needs settings when no assistant is given")
        if store is None:
            store, embeddings = open_for_ingest(settings, embeddings, rebuild=rebuild)
    report = ingest_paths(
        list(paths), settings, store, embeddings, prune=prune, on_progress=on_file,
        provenance=provenance, should_stop=should_stop, overrides=overrides, on_chunks=on_chunks,
    )  # fmt: skip
    if assistant is not None:
        assistant.refresh()
    else:
        from assistant.retrieval.lexical import LexicalIndex

        LexicalIndex.load_or_build(store, settings.cache_dir)
    return report


def open_for_ingest(
    settings: Settings, embeddings: Any | None = None, *, rebuild: bool = False
) -> tuple[Any, Any]:
    """Return ``(store, embeddings)`` to ingest into: the store is created if missing.

    ``rebuild`` drops the collection first; ``embeddings`` are built from the settings
    when not given.
    """
    from assistant.store.chroma import delete_collection, open_store
    from assistant.store.embeddings import embeddings_for

    if rebuild:
        delete_collection(settings)
    if embeddings is None:
        embeddings = embeddings_for(settings)
    return open_store(settings, embeddings, create=True), embeddings


def delete_and_refresh(
    assistant: Any, doc_id: str, actor: Actor, upload_dir: Path | None = None
) -> int:
    """Delete ``doc_id`` as ``actor`` may, refresh the assistant; return the passages removed.

    Raises:
        PermissionDenied: the actor may not delete this document (nothing is refreshed).

    """
    removed = delete_document(assistant.store, doc_id, actor, upload_dir)
    assistant.refresh()
    return removed


def delete_document(store: Any, doc_id: str, actor: Actor, upload_dir: Path | None = None) -> int:
    """Remove every chunk of ``doc_id`` that ``actor`` may delete; return how many were removed.

    Who may delete what is :func:`assistant.core.provenance.check_delete`'s rule (read from the
    stored chunks, never from the current directory). When the document's source file lies
    in ``upload_dir`` it is deleted too, so the document does not come back with the next
    ingest of that folder. Files elsewhere (the bundled corpus) are left alone.

    Raises:
        PermissionDenied: the actor's role does not allow deleting this document.

    """
    ids: list[str] = []
    sources: set[str] = set()
    first: dict[str, Any] | None = None
    for page in store.pages(where={"doc_id": doc_id}, text=False):
        ids.extend(record.id for record in page)
        sources.update(str(record.metadata.get("source_path", "")) for record in page)
        first = first or (page[0].metadata if page else None)
    if not ids or first is None:
        return 0
    check_delete(actor, doc_id, first)
    batch = max(1, int(store.max_batch_size()))
    sentences = store.sentence_vectors()
    for start in range(0, len(ids), batch):
        store.delete(ids[start : start + batch])
        if sentences is not None:
            sentences.delete(ids[start : start + batch])
    store.record_fingerprint()
    if upload_dir is not None:
        folder = upload_dir.resolve()
        for source in filter(None, sources):
            path = Path(source).resolve()
            if folder in path.parents and path.is_file():
                path.unlink()
    return len(ids)
