"""What an ingest run reads back from the store: one record per document, and its state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.core.provenance import Provenance
from assistant.core.settings import Settings
from assistant.store.chroma import open_store
from ingest.indexing import ingest_paths
from ingest.stored import official_symbols, stored_documents

DOC = """\
---
doc_id: {doc_id}
title: Decision on restoration
kind: decision
symbol: {symbol}
language: en
---
# Restoration

1. Urges Parties to restore degraded ecosystems.

2. Invites Parties to monitor the restored areas every year, recording the vegetation,
the water table and the species that return, and to report the results to the Secretariat.

3. Requests the Executive Secretary to compile the reports of Parties on the restored
areas and to make them available before the next meeting of the Conference of the Parties.

4. Encourages Parties to involve indigenous peoples and local communities in the planning,
the monitoring and the evaluation of restoration, with their free, prior and informed consent.
"""


def _build(tmp_path: Path, settings: Settings, fake: Any, **docs: str) -> Any:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for doc_id, symbol in docs.items():
        (folder / f"{doc_id}.md").write_text(DOC.format(doc_id=doc_id, symbol=symbol))
    store = open_store(settings, fake, create=True)
    ingest_paths([folder], settings, store, fake)
    return store


def test_each_document_is_read_back_complete_with_its_chunks_and_file(
    tmp_path: Path, settings_factory: Callable[..., Settings], fake_embeddings: Any
) -> None:
    settings = settings_factory(chunk_size=200, chunk_overlap=20)
    store = _build(tmp_path, settings, fake_embeddings, xi16="XI/16", xiii5="XIII/5")
    stored = stored_documents(store)
    assert sorted(stored) == ["xi16", "xiii5"]
    for doc_id, doc in stored.items():
        assert doc.complete and doc.n_chunks == len(doc.ids) > 0
        assert Path(doc.source_path).name == f"{doc_id}.md"
        assert doc.origin == "operator" and doc.owner == ""
    assert sum(len(d.ids) for d in stored.values()) == store.count()


def test_chunks_of_two_versions_mark_the_document_incomplete(
    tmp_path: Path, settings_factory: Callable[..., Settings], fake_embeddings: Any
) -> None:
    settings = settings_factory(chunk_size=200, chunk_overlap=20)
    store = _build(tmp_path, settings, fake_embeddings, xi16="XI/16")
    ids = sorted(stored_documents(store)["xi16"].ids)
    assert len(ids) > 1
    store.update(ids[:1], [{"content_hash": "an-older-version"}])  # an interrupted update
    assert not stored_documents(store)["xi16"].complete


def test_official_symbols_leave_out_uploads(
    tmp_path: Path, settings_factory: Callable[..., Settings], fake_embeddings: Any
) -> None:
    settings = settings_factory()
    store = _build(tmp_path, settings, fake_embeddings, xi16="xi/16")
    upload = tmp_path / "mine" / "notes.md"
    upload.parent.mkdir()
    upload.write_text(DOC.format(doc_id="notes", symbol="MY/1"))
    ingest_paths([upload], settings, store, fake_embeddings, provenance=Provenance("upload", "u1"))
    stored = stored_documents(store)
    assert stored["xi16"].symbol == "xi/16"  # upper-cased for matching only
    assert {d.origin for d in stored.values()} == {"operator", "upload"}
    assert official_symbols(stored) == {"XI/16": "xi16"}
