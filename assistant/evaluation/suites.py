"""What one eval run measures: suites of sets, each against the store it needs.

The project's sets run against a store of ``corpus/``; the real-document set
(``evals/realdocs/realdocs.jsonl``) against a second store of ``corpus/`` plus the
third-party files in ``../shared/realdocs/`` (official PDFs and others, not the
project's own writing). A suite may name the files its store is built from: they are
indexed first (unchanged files skipped, vanished ones pruned), so a missing or stale
store is brought up to date before it is measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings

__all__ = [
    "REALDOCS_DIR",
    "REALDOCS_SET",
    "REALDOCS_STORE",
    "Suite",
    "build_store",
    "realdocs_files",
    "realdocs_suite",
]

# Relative to the repository root (the working folder of `make eval`).
REALDOCS_DIR = Path("../shared/realdocs")
REALDOCS_SET = Path("evals/realdocs/realdocs.jsonl")
REALDOCS_STORE = Path("var/eval-store-realdocs")
# Files of the real-document folder that describe it rather than being documents.
_NOT_DOCUMENTS = {"sources.md", "licence.md", "license.md", "readme.md"}


@dataclass(frozen=True)
class Suite:
    """Sets measured against one store, and the files that store is built from."""

    name: str
    settings: Settings
    sets: tuple[Path, ...]
    sources: tuple[Path, ...] = ()


def realdocs_files(folder: Path) -> list[Path]:
    """Return the documents of a real-document folder: every file but its notes (SOURCES.md).

    They are passed to ingest one by one, so a format the loaders do not read yet
    (``.rst``) is reported with its reason instead of being skipped in silence.
    """
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower() not in _NOT_DOCUMENTS
    )


def realdocs_suite(
    settings: Settings, folder: Path, set_path: Path, store_dir: Path, base: list[Path]
) -> Suite | str:
    """Return the real-document suite, or the reason it cannot run (one line for the user)."""
    if not folder.is_dir():
        return (
            f"Real-document set skipped: {folder} not found (the third-party PDFs and manual"
            " live outside the repository; see evals/README.md)."
        )
    if not set_path.is_file():
        return f"Real-document set skipped: {set_path} not found."
    files = realdocs_files(folder)
    if not files:
        return f"Real-document set skipped: {folder} holds no documents."
    update: dict[str, Any] = {"store_dir": store_dir}
    if settings.chroma_host:  # one server: the second store is a second collection
        update["collection"] = f"{settings.collection}-realdocs"
    return Suite(
        "realdocs", settings.model_copy(update=update), (set_path,), (*base, *files)
    )


def build_store(settings: Settings, sources: tuple[Path, ...], embeddings: Any) -> Any:
    """Bring the store up to date with ``sources`` (created if missing); return the ingest report."""
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    store = open_store(settings, embeddings, create=True)
    return ingest_paths(list(sources), settings, store, embeddings, prune=True)
