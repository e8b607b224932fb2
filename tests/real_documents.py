"""A store built from real third-party documents, for the end-to-end tests that ask them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.core.settings import Settings

# shared/realdocs/ beside the checkout: test material, never bundled.
REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"


def assistant_over(document: Path, base: Path, embeddings: Any, **settings: Any) -> Any:
    """Ingest ``document`` into a new store under ``base``; return an assistant over it with ``settings``."""
    from assistant.pipeline import build_assistant
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    store = Settings(store_dir=base / "store", cache_dir=base / "cache", **settings)
    report = ingest_paths([document], store, open_store(store, embeddings, create=True), embeddings)
    assert not report.failed, report.failed
    return build_assistant(store, embeddings)


def library_with(document: Path, corpus: Settings, base: Path, embeddings: Any) -> Any:
    """An assistant over a copy of the bundled corpus's store with ``document`` ingested into it."""
    import shutil

    from assistant.pipeline import build_assistant
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    shutil.copytree(corpus.store_dir, base / "store")
    shutil.copytree(corpus.cache_dir, base / "cache")
    settings = Settings(store_dir=base / "store", cache_dir=base / "cache")
    report = ingest_paths([document], settings, open_store(settings, embeddings), embeddings)
    assert not report.failed, report.failed
    return build_assistant(settings, embeddings)
