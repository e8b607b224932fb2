"""Provenance: uploads live in their own namespace; official texts survive any upload or delete."""

from __future__ import annotations

import os
import tempfile
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.errors import AssistantError
from assistant.core.provenance import (
    Actor,
    PermissionDenied,
    Provenance,
    as_upload,
    check_delete,
    path_origin,
)
from assistant.core.records import DocumentMeta, LoadedDocument, Section
from assistant.core.settings import Settings
from tests.conftest import CORPUS, FAKE_MODEL, FakeEmbeddings

OFFICIAL = """---
doc_id: {doc_id}
title: {title}
kind: decision
symbol: {symbol}
language: en
---
# {title}

1. Encourages Parties to restore degraded ecosystems with local communities.

2. Invites Parties to monitor restoration outcomes over time.
"""


def _document(doc_id: str, symbol: str = "") -> LoadedDocument:
    meta = DocumentMeta(doc_id=doc_id, title="T", symbol=symbol, translation_of="cbd-dec-xi-16-zh")
    return LoadedDocument(meta, (Section("text", "para. 1"),), "hash", "x.md")


def test_an_upload_moves_into_its_namespace_and_loses_a_claimed_official_symbol() -> None:
    moved, flag = as_upload(_document("cbd-dec-xi-16-en", "XI/16"), {"XI/16": "cbd-dec-xi-16-en"})
    assert moved.meta.doc_id == "upload-cbd-dec-xi-16-en"
    assert moved.meta.symbol == "" and moved.meta.translation_of == ""
    assert "flagged" in flag and "cbd-dec-xi-16-en" in flag
    free, no_flag = as_upload(_document("my-notes", "16/31"), {"XI/16": "cbd-dec-xi-16-en"})
    assert free.meta.doc_id == "upload-my-notes" and free.meta.symbol == "16/31" and not no_flag


def test_who_may_delete_what() -> None:
    alice, olga = Actor("alice"), Actor("olga", "operator")
    with pytest.raises(PermissionDenied, match="bundled"):
        check_delete(olga, "d", {"origin": "bundled"})
    with pytest.raises(PermissionDenied, match="only an operator"):
        check_delete(alice, "d", {"origin": "operator"})
    with pytest.raises(PermissionDenied, match="only an operator"):
        check_delete(alice, "d", {})  # stored before provenance: protected
    with pytest.raises(PermissionDenied, match="another user"):
        check_delete(alice, "d", {"origin": "upload", "owner": "bob"})
    check_delete(alice, "d", {"origin": "upload", "owner": "alice"})
    check_delete(olga, "d", {"origin": "upload", "owner": "bob"})
    check_delete(olga, "d", {"origin": "operator"})
    assert Actor.of(None, "olga") == Actor() and Actor.of("olga", "olga").role == "operator"
    assert Actor("../../etc").folder == "etc"


def test_bundled_origin_comes_from_the_corpus_folder_not_the_working_directory(tmp_path: Path) -> None:
    assert path_origin(CORPUS / "decisions" / "cbd-dec-xi-16-en.md") == "bundled"
    with chdir(tmp_path):
        assert path_origin(CORPUS / "decisions" / "cbd-dec-xi-16-en.md") == "bundled"
        assert path_origin(Path("corpus/decisions/cbd-dec-xi-16-en.md")) == "operator"


@dataclass
class _Assistant:
    """What ``upload_documents`` needs of the assistant."""

    settings: Settings
    store: Any
    embeddings: Any

    def refresh(self) -> None:
        """Nothing to refresh without a retriever."""


def _protected(store: Any) -> dict[str, str]:
    """Chunk id → text of every bundled and operator chunk."""
    chunks: dict[str, str] = {}
    for page in store.pages():
        for record in page:
            if record.metadata.get("origin") in ("bundled", "operator"):
                chunks[record.id] = record.text
    return chunks


OWNERS = st.sampled_from(["anonymous", "alice", "bob"])
CLAIMS = st.sampled_from(
    ["cbd-dec-xi-16-en", "operator-guide", "upload-cbd-dec-xi-16-en", "notes", "upload-notes"]
)
UPLOAD = st.tuples(st.just("upload"), OWNERS, CLAIMS, st.sampled_from(["XI/16", "OP/1", ""]),
                   st.sampled_from(["a.md", "xi16.md", "../corpus/xi16.md"]), st.booleans())
DELETE = st.tuples(st.just("delete"), OWNERS, CLAIMS, st.just(""), st.just(""), st.booleans())


@settings(max_examples=25)
@given(st.lists(st.one_of(UPLOAD, DELETE), min_size=1, max_size=8))
def test_official_documents_survive_any_uploads_and_deletes_by_non_operators(
    operations: list[tuple[str, str, str, str, str, bool]],
) -> None:
    from assistant.services.documents import delete_document
    from assistant.store.chroma import open_store
    from assistant.ui.library import upload_documents
    from ingest.indexing import ingest_paths

    embeddings = FakeEmbeddings()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        settings = Settings(
            store_dir=base / "store", cache_dir=base / "cache", embedding_model=FAKE_MODEL,
            uploads_enabled=True, upload_dir=base / "uploads",
        )
        store = open_store(settings, embeddings, create=True)
        (base / "official").mkdir()
        bundled = base / "official" / "xi16.md"
        bundled.write_text(OFFICIAL.format(doc_id="cbd-dec-xi-16-en", title="Decision XI/16", symbol="XI/16"))
        operator = base / "official" / "guide.md"
        operator.write_text(OFFICIAL.format(doc_id="operator-guide", title="Operator guide", symbol="OP/1"))
        ingest_paths([bundled], settings, store, embeddings, provenance=Provenance("bundled"))
        ingest_paths([operator], settings, store, embeddings)
        before = _protected(store)
        assert len(before) == 4
        assistant = _Assistant(settings, store, embeddings)
        for kind, owner, claim, symbol, name, elsewhere in operations:
            with chdir(base / "official" if elsewhere else Path(os.getcwd())):
                actor = Actor(owner)
                if kind == "upload":
                    source = base / "incoming" / Path(name).name
                    source.parent.mkdir(exist_ok=True)
                    source.write_text(OFFICIAL.format(doc_id=claim, title="Decision XI/16", symbol=symbol).replace(
                        "restore degraded", "burn all remaining"))
                    for result in upload_documents(assistant, settings, [str(source)], actor=actor):
                        assert result["status"] == "failed" or result["doc_id"].startswith("upload-")
                else:
                    try:
                        delete_document(store, claim, actor, settings.upload_dir)
                    except AssistantError:
                        pass
            assert _protected(store) == before


def test_an_ingest_asked_to_stop_drops_the_half_written_new_document(
    tmp_path: Path, settings_factory: Any, fake_embeddings: Any
) -> None:
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    settings = settings_factory(chunk_size=200, chunk_overlap=0)
    store = open_store(settings, fake_embeddings, create=True)
    first = tmp_path / "a-first.md"
    first.write_text("# First\n\nMangroves protect coasts.\n", encoding="utf-8")
    long = tmp_path / "b-long.md"
    long.write_text("# Long\n\n" + "\n\n".join(f"Paragraph {i} on peat rewetting and water tables." for i in range(400)))
    # Asked before file 1, before its one batch, before file 2, before its first batch; then
    # stop before the second batch of file 2, once its first batch is stored.
    answers = iter([False] * 4 + [True] * 10)
    seen: list[int] = []

    def should_stop() -> bool:
        seen.append(store.count())
        return next(answers)

    report = ingest_paths([first, long], settings, store, fake_embeddings, should_stop=should_stop)

    assert report.cancelled and [f.status for f in report.files] == ["added"]
    assert len(seen) == 5 and seen[-1] > seen[-2]  # half of file 2 was written when it stopped
    stored = {r.metadata["doc_id"] for page in store.pages(text=False) for r in page}
    assert stored == {"a-first"}  # nothing of the half-written document is left
    again = ingest_paths([first, long], settings, store, fake_embeddings)
    assert [f.status for f in again.files] == ["unchanged", "added"] and not again.cancelled


def test_a_client_that_left_is_seen_through_gradios_job_flags() -> None:
    from types import SimpleNamespace

    from assistant.ui.library import client_gone

    def blocks(*jobs: Any) -> Any:
        return SimpleNamespace(_queue=SimpleNamespace(active_jobs=[list(jobs), None]))

    mine = SimpleNamespace(session_hash="s1", alive=True)
    other = SimpleNamespace(session_hash="s2", alive=False)
    assert not client_gone(blocks(mine, other), "s1")
    assert client_gone(blocks(SimpleNamespace(session_hash="s1", alive=False)), "s1")
    assert not client_gone(blocks(), "s1") and not client_gone(SimpleNamespace(), "s1")
