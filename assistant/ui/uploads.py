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

from assistant.core.errors import AssistantError
from assistant.services.documents import SUPPORTED_SUFFIXES

__all__ = [
    "UPLOAD_SUFFIXES",
    "UploadRejected",
    "safe_filename",
    "save_upload",
]

# Exactly the formats ingest reads: a new format module is offered for upload too.
UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES
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
