"""Accept documents uploaded through the app without trusting their names or sizes.

A browser sends any file name it likes (``../../etc/x.md``, a Windows path, control
characters, a thousand characters). Uploads are copied into one folder under a
sanitised name, and nothing is ever written outside that folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.provenance import Actor, check_delete

__all__ = [
    "UPLOAD_SUFFIXES",
    "UploadRejected",
    "delete_document",
    "safe_filename",
    "save_upload",
]

# The formats ingest.loaders reads (a test keeps the two lists equal).
UPLOAD_SUFFIXES = frozenset(
    {".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx", ".odt", ".rst", ".rest"}
)
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
_RUNS = re.compile(r"[-\s_]{2,}")
_ASCII_WORD = re.compile(r"[a-z0-9]", re.IGNORECASE)
# Names Windows reserves; harmless on Linux, but the folder may be shared or copied.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


class UploadRejected(AssistantError):
    """An uploaded file is refused (type, size or name); the message says which."""


def safe_filename(name: str) -> str:
    """Return a name safe to create inside the upload folder, or raise :class:`UploadRejected`.

    Only the last path component counts (forward and back slashes both separate), characters
    other than letters, digits, ``.``, ``-``, ``_`` and spaces become ``-``, and leading
    dots go (no hidden files, no ``..``). A name whose stem has no ASCII letter or digit
    (``恢复指南.pdf``) gets a short hash, so its derived ``doc_id`` is unique.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    suffix = Path(base).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = ", ".join(sorted(UPLOAD_SUFFIXES))
        raise UploadRejected(f"'{name}': unsupported file type (allowed: {allowed})")
    stem = base[: -len(suffix)]
    stem = _RUNS.sub("-", _UNSAFE.sub("-", stem)).strip(" .-_")
    if stem.lower() in _RESERVED:
        stem = f"{stem}-file"
    if not _ASCII_WORD.search(stem):
        digest = hashlib.sha256(base.encode("utf-8")).hexdigest()[:8]
        stem = f"{stem}-{digest}" if stem else f"upload-{digest}"
    stem = stem[:MAX_NAME_CHARS].rstrip(" .-_")
    return stem + suffix


def save_upload(source: Path, name: str, upload_dir: Path, *, max_bytes: int) -> Path:
    """Copy an uploaded file into ``upload_dir`` under a safe name and return the new path.

    A file of the same name is replaced (re-uploading a document updates it); the copy
    is written to a temporary file first, so a failed upload never leaves half a file.

    Raises:
        UploadRejected: wrong type, empty, too large, or a name that would escape the folder.

    """
    filename = safe_filename(name)
    try:
        size = source.stat().st_size
    except OSError as e:
        raise UploadRejected(f"'{name}': the uploaded file cannot be read") from e
    if size == 0:
        raise UploadRejected(f"'{name}': the file is empty")
    if size > max_bytes:
        raise UploadRejected(
            f"'{name}': {size / 1_048_576:.1f} MB is over the limit of {max_bytes / 1_048_576:.1f} MB"
        )
    upload_dir.mkdir(parents=True, exist_ok=True)
    folder = upload_dir.resolve()
    target = folder / filename
    if target.parent != folder or target.is_symlink():
        raise UploadRejected(f"'{name}': refused file name")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out)
        os.replace(temporary, target)
    except OSError as e:
        Path(temporary).unlink(missing_ok=True)
        raise UploadRejected(f"'{name}': could not be saved ({e.strerror or e})") from e
    return target


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
    for page in store.iter_records(include=["metadatas"], where={"doc_id": doc_id}):
        ids.extend(page["ids"])
        sources.update(str(m.get("source_path", "")) for m in page["metadatas"])
        first = first or (page["metadatas"][0] if page["metadatas"] else None)
    if not ids or first is None:
        return 0
    check_delete(actor, doc_id, first)
    batch = max(1, int(store.max_batch_size()))
    sentences = store.sentence_vectors()
    for start in range(0, len(ids), batch):
        store.collection.delete(ids=ids[start : start + batch])
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
