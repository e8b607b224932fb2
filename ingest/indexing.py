"""Write documents into the store: idempotent, resumable, in bounded batches.

Chunk ids are stable hashes, so a re-run skips unchanged files and an interrupted
run is completed next time without duplicates: new chunks are written before stale
ones are deleted, so the store answers at every moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.provenance import Provenance, as_upload, path_origin
from assistant.core.records import Chunk, LoadedDocument, search_text
from assistant.core.settings import Settings
from assistant.store.chroma import Store
from assistant.store.sentence_vectors import SentenceVectors, sentence_rows
from assistant.store.vector_cache import VectorCache, cache_key_prefix, encode_unique
from ingest.chunking import chunk_document
from ingest.files import check_file, collect_files
from ingest.limits import FileLimits, check_chunks
from ingest.loaders import load_document
from ingest.report import FileResult, IngestCancelled, IngestReport, Status
from ingest.stored import StoredDoc, official_symbols, stored_documents

__all__ = [
    "FileResult",
    "IngestCancelled",
    "IngestReport",
    "check_file",
    "collect_files",
    "index_text",
    "ingest_paths",
]

# Bump when parsing or chunking changes, so every document is re-chunked once.
PIPELINE_VERSION = "5"
WRITE_BATCH = 64

ProgressFn = Callable[[str, int, int], None]
ChunksFn = Callable[[int], None]
StopFn = Callable[[], bool]


def index_text(chunk: Chunk) -> str:
    """Search text of a chunk about to be written."""
    return search_text(chunk.text, chunk.as_metadata())


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _version_hash(document: LoadedDocument, settings: Settings) -> str:
    # The metadata is part of the version: a sidecar or --title change re-stamps the chunks.
    meta = hashlib.sha256(repr(document.meta).encode()).hexdigest()[:8]
    sizes = f"{settings.chunk_size}:{settings.chunk_overlap}"
    return f"{document.content_hash[:40]}:{meta}:{sizes}:{PIPELINE_VERSION}"


def _write(run: _Run, chunks: list[Chunk], extra: dict[str, Any]) -> None:
    """Embed and write chunks (and their sentences) in batches, checking for a stop between."""
    store, sentences = run.store, run.sentences
    size = min(WRITE_BATCH, store.max_batch_size())
    for batch in _batches(chunks, size):
        if run.should_stop is not None and run.should_stop():
            raise IngestCancelled("stopped before finishing: nobody is waiting for the result")
        texts = [index_text(c) for c in batch]
        if run.legacy_embedding:  # the earlier way, kept as the benchmark's reference
            vectors = run.embeddings.encode(texts)
            if sentences is not None:
                sentences.add(
                    ((c.chunk_id, c.text, c.as_metadata()) for c in batch), run.embeddings
                )
        else:
            rows = sentence_rows(
                (c.chunk_id, c.text, c.as_metadata()) for c in (batch if sentences else [])
            )
            # One model call for chunks and sentences; each distinct text embedded once.
            both = encode_unique(run.embeddings, texts + rows.texts, run.cache)
            vectors = both[: len(texts)]
            if sentences is not None:
                # Sentences first: a kill between the two writes leaves vectors without a
                # chunk (overwritten by the re-run), never a chunk that lacks them.
                sentences.write(rows, both[len(texts) :])
        store.write(
            ids=[c.chunk_id for c in batch],
            texts=[c.text for c in batch],
            metadatas=[{**c.as_metadata(), **extra} for c in batch],
            vectors=vectors,
        )
        if run.on_chunks is not None:
            run.on_chunks(len(batch))


def _backfill(
    store: Store, sentences: SentenceVectors, embeddings: Any, on_progress: ProgressFn | None
) -> None:
    """Embed the sentences of a store built before sentence vectors existed (once)."""
    total = store.count()
    done = 0
    for page in store.pages():
        rows = [(record.id, record.text, record.metadata) for record in page]
        for batch in _batches(rows, WRITE_BATCH):
            sentences.add(batch, embeddings)
            done += len(batch)
            if on_progress:
                on_progress("sentence vectors of the stored chunks", done, total)


def ingest_paths(
    paths: Iterable[Path],
    settings: Settings,
    store: Store,
    embeddings: Any,
    *,
    prune: bool = False,
    on_progress: ProgressFn | None = None,
    provenance: Provenance | None = None,
    should_stop: StopFn | None = None,
    overrides: Mapping[str, Any] | None = None,
    on_chunks: ChunksFn | None = None,
    legacy_embedding: bool = False,
) -> IngestReport:
    """Index files and folders; unchanged files are skipped, changed ones replaced.

    A file that fails for any reason is reported and the run goes on. A killed run is
    completed by the next one: a file whose chunks are all stored is skipped by its
    content hash, and a half-written one gets its missing chunks.

    Args:
        paths: files or folders to index.
        settings: chunking and file-size settings.
        store: the open store to write to.
        embeddings: the model that embeds new chunks (``encode(texts)``).
        prune: also delete documents whose source file no longer exists.
        on_progress: called as ``(path, done, total)`` after each file; an exception it
            raises stops the run between files (the store stays consistent).
        provenance: what to stamp on the chunks; by default ``bundled`` for files in the
            project's corpus folder and ``operator`` for the rest. Uploads pass
            ``Provenance("upload", owner)`` and can then write only their own documents.
        should_stop: asked before each file and each batch of chunks; when it says yes
            the run stops, drops the half-written new document, and returns the report
            so far with ``cancelled`` set (the app's client has gone: nobody would read it).
        overrides: metadata fields declared for the files (``ingest FILE --kind K``),
            stronger than front matter, sidecar files and inference.
        on_chunks: called with the number of chunks just written, after each batch.
        legacy_embedding: embed chunks and then their sentences in separate calls, with
            no reuse of vectors (the benchmark's reference for the speed of ingest).

    """
    files, run = _start_run(paths, settings, store, embeddings, on_progress, should_stop)
    run.overrides = dict(overrides or {})
    run.on_chunks, run.legacy_embedding = on_chunks, legacy_embedding
    if settings.vector_cache and not legacy_embedding:
        run.cache = VectorCache(settings.cache_dir / "vectors.sqlite", cache_key_prefix(embeddings))
    try:
        for done, path in enumerate(files, start=1):
            if not _ingest_one(path, run, provenance or Provenance(path_origin(path))):
                break
            if on_progress:
                on_progress(str(path), done, len(files))
    finally:
        if run.cache is not None:
            run.cache.close()
    if prune and not run.report.cancelled:
        _prune(run, {str(_absolute(p)) for p in files})
    store.record_fingerprint()
    return run.report


def _start_run(
    paths: Iterable[Path],
    settings: Settings,
    store: Store,
    embeddings: Any,
    on_progress: ProgressFn | None,
    should_stop: StopFn | None,
) -> tuple[list[Path], _Run]:
    """Collect the files and read what the store holds; embed old sentences once if missing."""
    skipped: list[FileResult] = []
    files, problems = collect_files(paths, skipped)
    report = IngestReport(files=list(problems), skipped=skipped)
    stored = stored_documents(store)
    sentences = store.sentence_vectors(create=True) if settings.sentence_vectors else None
    if sentences is not None and sentences.count() == 0 and store.count() > 0:
        _backfill(store, sentences, embeddings, on_progress)
    return files, _Run(settings, store, embeddings, stored, report, sentences, should_stop)


def _ingest_one(path: Path, run: _Run, stamp: Provenance) -> bool:
    """Index one file into the report; False when the run was asked to stop."""
    try:
        if run.should_stop is not None and run.should_stop():
            raise IngestCancelled("stopped before this file")
        run.report.files.append(_ingest_file(path, run, stamp))
    except IngestError as e:
        run.report.files.append(FileResult(str(path), "failed", reason=e.reason))
    except IngestCancelled:
        run.report.cancelled = True
        return False
    except Exception as e:  # noqa: BLE001 - one unreadable file must not stop a library's run
        reason = f"unexpected error: {type(e).__name__}: {str(e)[:200]}"
        run.report.files.append(FileResult(str(path), "failed", reason=reason))
    return True


@dataclass
class _Run:
    """What one ingest run shares across its files."""

    settings: Settings
    store: Store
    embeddings: Any
    stored: dict[str, StoredDoc]
    report: IngestReport
    sentences: SentenceVectors | None
    should_stop: StopFn | None = None
    claimed: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    cache: VectorCache | None = None
    on_chunks: ChunksFn | None = None
    legacy_embedding: bool = False


def _absolute(path: Path) -> Path:
    """Return the path as stored: absolute, so checks never depend on the current directory."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link that loops: check_file reports it
        return path.absolute()


def _prune(run: _Run, seen_paths: set[str]) -> None:
    """Delete documents whose file is gone, or now declares another doc_id (never uploads)."""
    for doc_id, doc in list(run.stored.items()):
        if doc.origin == "upload":
            continue
        gone = doc.source_path and not Path(doc.source_path).exists()
        renamed = doc.source_path in seen_paths
        if doc_id not in run.claimed and (gone or renamed):
            run.store.delete(sorted(doc.ids))
            if run.sentences is not None:
                run.sentences.delete(sorted(doc.ids))
            run.report.chunks_deleted += len(doc.ids)
            run.report.files.append(FileResult(doc.source_path, "pruned", doc_id=doc_id))


def _claim(
    path: Path, document: LoadedDocument, run: _Run, stamp: Provenance
) -> tuple[LoadedDocument, str]:
    """Decide the doc_id this file may write, or raise: uploads stay in their namespace."""
    flag = ""
    if stamp.origin == "upload":
        document, flag = as_upload(document, official_symbols(run.stored))
    doc_id = document.meta.doc_id
    if doc_id in run.claimed:
        raise IngestError(
            path, f"duplicate doc_id '{doc_id}' (already used by {run.claimed[doc_id]})"
        )
    existing = run.stored.get(doc_id)
    if (
        existing
        and stamp.origin == "upload"
        and (existing.origin != "upload" or existing.owner != stamp.owner)
    ):
        raise IngestError(
            path, f"'{doc_id}' is another user's document; rename the file to upload it"
        )
    if (
        existing
        and existing.source_path
        and Path(existing.source_path).resolve() != path
        and Path(existing.source_path).exists()
    ):
        raise IngestError(
            path, f"duplicate doc_id '{doc_id}' (already used by {existing.source_path})"
        )
    run.claimed[doc_id] = str(path)
    return document, flag


def _ingest_file(path: Path, run: _Run, stamp: Provenance) -> FileResult:
    check_file(path, run.settings)
    path = _absolute(path)
    limits = FileLimits.from_settings(run.settings)
    document, flag = _claim(path, load_document(path, limits, run.overrides), run, stamp)
    doc_id = document.meta.doc_id
    version = _version_hash(document, run.settings)
    existing = run.stored.get(doc_id)
    extra: dict[str, Any] = {"source_path": str(path), **stamp.as_metadata()}
    if (
        existing
        and existing.complete
        and existing.content_hash == version
        and len(existing.ids) == existing.n_chunks
    ):
        if (existing.source_path, existing.origin, existing.owner) != (
            str(path),
            stamp.origin,
            stamp.owner,
        ):  # moved or renamed, or stored before provenance was recorded
            ids = sorted(existing.ids)
            run.store.update(ids, [extra] * len(ids))
            existing.source_path = str(path)
        return FileResult(str(path), "unchanged", doc_id, existing.n_chunks, flag=flag)
    chunks = chunk_document(document, run.settings.chunk_size, run.settings.chunk_overlap)
    if not chunks:
        raise IngestError(path, "no text to index")
    check_chunks(path, len(chunks), limits)  # before a single chunk is embedded or written
    extra.update(content_hash=version, n_chunks=len(chunks))
    if flag:
        extra["flag"] = flag
    _replace(run, chunks, existing.ids if existing else set(), extra)
    run.stored[doc_id] = StoredDoc(
        str(path),
        version,
        len(chunks),
        {c.chunk_id for c in chunks},
        True,
        stamp.origin,
        stamp.owner,
    )
    status: Status = "updated" if existing else "added"
    return FileResult(str(path), status, doc_id, len(chunks), reason=flag, flag=flag)


def _replace(run: _Run, chunks: list[Chunk], old_ids: set[str], extra: dict[str, Any]) -> None:
    """Write a document's new chunks, then drop its stale ones.

    Chunks already stored (same id = same text) keep their vectors; only their version
    metadata changes. Only new text is embedded.
    """
    new_ids = {c.chunk_id for c in chunks}
    missing = [c for c in chunks if c.chunk_id not in old_ids]
    kept = [c for c in chunks if c.chunk_id in old_ids]
    try:
        _write(run, missing, extra)
    except IngestCancelled:
        if not old_ids:  # a new document half written: drop it (an update is completed next run)
            written = [c.chunk_id for c in missing]
            run.store.delete(written)
            if run.sentences is not None:
                run.sentences.delete(written)
        raise
    if kept:
        run.store.update([c.chunk_id for c in kept], [{**c.as_metadata(), **extra} for c in kept])
    stale = sorted(old_ids - new_ids)
    if stale:
        run.store.delete(stale)
        if run.sentences is not None:
            run.sentences.delete(stale)
    run.report.chunks_written += len(missing)
    run.report.chunks_deleted += len(stale)
