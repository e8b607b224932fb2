"""Ingest into a real embedded Chroma store on tmp_path, with a deterministic fake embedding."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.core.errors import ModelMismatch, StoreNotFound
from assistant.core.settings import Settings
from assistant.retrieval.lexical import LexicalIndex
from assistant.store.chroma import Store, open_store
from ingest.chunking import chunk_document
from ingest.indexing import FileResult, IngestReport, collect_files, ingest_paths
from ingest.loaders import load_document

DOCS = {
    "wetlands.md": """\
---
doc_id: wetlands
title: Wetland rewetting
kind: guidance
language: en
---
# Wetland rewetting

Blocking drains raises the water table and stops peat oxidation.

## Monitoring

Measure the water level every month and record the vegetation.
""",
    "drylands.md": """\
---
doc_id: drylands
title: Dryland regeneration
kind: case-study
language: en
---
# Dryland regeneration

Farmers protect tree stumps so that the trees regrow in their fields.

## Costs

Regeneration costs little because no seedlings are bought.
""",
    "zh-guide.md": """\
---
doc_id: zh-guide
title: 生态系统恢复指南
kind: guidance
language: zh
---
# 生态系统恢复指南

查明生态系统退化的根本原因和直接原因，并预防或减少导致进一步退化的活动。

## 社区参与

促进土著和地方社区的全面和有效参与。
""",
}

SettingsFactory = Callable[..., Settings]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def settings(settings_factory: SettingsFactory) -> Settings:
    return settings_factory(chunk_size=400, chunk_overlap=40)


@pytest.fixture
def store(settings: Settings, fake_embeddings: object) -> Store:
    return open_store(settings, fake_embeddings, create=True)


def _expected_chunks(folder: Path, settings: Settings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.upper().startswith("README"):
            continue
        document = load_document(path)
        counts[document.meta.doc_id] = len(
            chunk_document(document, settings.chunk_size, settings.chunk_overlap)
        )
    return counts


def _ids_by_doc(store: Store) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for record in store.get(text=False):
        ids.setdefault(str(record.metadata["doc_id"]), []).append(record.id)
    return ids


def _statuses(report: IngestReport) -> dict[str, str]:
    return {Path(f.path).name: f.status for f in report.files}


def _ingest(
    folder: Path, settings: Settings, store: Store, fake: object, **kw: object
) -> IngestReport:
    return ingest_paths([folder], settings, store, fake, **kw)  # type: ignore[arg-type]


# --- first run, re-run, update, prune ----------------------------------------------------


def test_first_ingest_adds_every_document(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    progress: list[tuple[str, int, int]] = []
    report = ingest_paths(
        [corpus], settings, store, fake_embeddings, on_progress=lambda *a: progress.append(a)
    )
    expected = _expected_chunks(corpus, settings)
    assert _statuses(report) == {name: "added" for name in DOCS}
    assert report.chunks_written == sum(expected.values())
    assert report.chunks_deleted == 0
    assert store.count() == sum(expected.values())
    assert {doc: len(ids) for doc, ids in _ids_by_doc(store).items()} == expected
    assert [p[1:] for p in progress] == [(1, 3), (2, 3), (3, 3)]


def test_stored_metadata_follows_the_contract(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    records = store.get(where={"doc_id": "wetlands"})
    metas = sorted((r.metadata for r in records), key=lambda m: m["position"])
    assert [m["locator"] for m in metas] == ["Wetland rewetting", "Monitoring"]
    assert all(m["kind"] == "guidance" and m["language"] == "en" for m in metas)
    assert all(r.metadata["chunk_id"] == r.id for r in records)
    assert all(m["source_path"] == str(corpus / "wetlands.md") for m in metas)
    assert all(m["n_chunks"] == 2 for m in metas)


def test_second_run_changes_nothing(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    before = sorted(r.id for r in store.get(text=False, metadata=False))
    fake_embeddings.calls.clear()  # type: ignore[attr-defined]
    report = _ingest(corpus, settings, store, fake_embeddings)
    assert _statuses(report) == {name: "unchanged" for name in DOCS}
    assert report.chunks_written == 0
    assert report.chunks_deleted == 0
    assert sorted(r.id for r in store.get(text=False, metadata=False)) == before
    assert fake_embeddings.calls == []  # type: ignore[attr-defined]


def test_reopened_store_sees_the_same_documents(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    reopened = open_store(settings, fake_embeddings)
    report = _ingest(corpus, settings, reopened, fake_embeddings)
    assert report.count("unchanged") == 3
    assert reopened.count() == store.count()


def test_edited_file_is_updated_without_stale_chunks(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    old_ids = set(_ids_by_doc(store)["wetlands"])
    path = corpus / "wetlands.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("every month", "every week")
        + "\n## Lessons learned\n\nStart with the wettest part of the site.\n",
        encoding="utf-8",
    )
    report = _ingest(corpus, settings, store, fake_embeddings)
    assert _statuses(report) == {
        "wetlands.md": "updated",
        "drylands.md": "unchanged",
        "zh-guide.md": "unchanged",
    }
    expected = _expected_chunks(corpus, settings)
    new_ids = _ids_by_doc(store)["wetlands"]
    assert len(new_ids) == len(set(new_ids)) == expected["wetlands"] == 3
    assert store.count() == sum(expected.values())
    # The unchanged intro chunk is kept; the edited one is replaced.
    assert len(old_ids & set(new_ids)) == 1
    assert report.chunks_deleted == 1
    assert report.chunks_written == 2
    texts = [r.text for r in store.get(where={"doc_id": "wetlands"})]
    assert not any("every month" in t for t in texts)
    assert any("every week" in t for t in texts)


def test_deleted_file_is_pruned(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    removed = _ids_by_doc(store)["drylands"]
    (corpus / "drylands.md").unlink()
    report = _ingest(corpus, settings, store, fake_embeddings, prune=True)
    pruned = [f for f in report.files if f.status == "pruned"]
    assert [(f.doc_id, Path(f.path).name) for f in pruned] == [("drylands", "drylands.md")]
    assert report.chunks_deleted == len(removed)
    assert "drylands" not in _ids_by_doc(store)
    assert store.get(removed) == []
    expected = _expected_chunks(corpus, settings)
    assert store.count() == sum(expected.values())


def test_deleted_file_is_kept_without_prune(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    count = store.count()
    (corpus / "drylands.md").unlink()
    report = _ingest(corpus, settings, store, fake_embeddings)
    assert report.count("pruned") == 0
    assert store.count() == count


# --- failures in a batch ----------------------------------------------------------------


def test_bad_file_fails_and_the_others_are_indexed(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    (corpus / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    report = _ingest(corpus, settings, store, fake_embeddings)
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert set(failed) == {"broken.md", "empty.txt"}
    assert "front matter" in failed["broken.md"]
    assert failed["empty.txt"] == "empty file"
    assert report.count("added") == 3
    assert set(_ids_by_doc(store)) == {"wetlands", "drylands", "zh-guide"}


def test_duplicate_doc_id_fails_the_second_file(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    copy = DOCS["wetlands.md"].replace("Blocking drains", "Filling ditches")
    (corpus / "x-wetlands-copy.md").write_text(copy, encoding="utf-8")
    report = _ingest(corpus, settings, store, fake_embeddings)
    statuses = _statuses(report)
    assert statuses["wetlands.md"] == "added"
    assert statuses["x-wetlands-copy.md"] == "failed"
    failure = next(f for f in report.failed if f.path.endswith("x-wetlands-copy.md"))
    assert "duplicate doc_id" in failure.reason
    assert "wetlands.md" in failure.reason
    texts = [r.text for r in store.get(where={"doc_id": "wetlands"})]
    assert not any("Filling ditches" in t for t in texts)


def test_readme_inside_a_folder_is_skipped(corpus: Path) -> None:
    (corpus / "README.md").write_text("# About this folder\n\nNotes.\n", encoding="utf-8")
    (corpus / "readme.txt").write_text("Notes.\n", encoding="utf-8")
    (corpus / ".hidden.md").write_text("# Hidden\n\nNotes.\n", encoding="utf-8")
    (corpus / "image.png").write_bytes(b"\x89PNG")
    files, problems = collect_files([corpus])
    assert sorted(p.name for p in files) == sorted(DOCS)
    assert problems == []
    # Named explicitly, a README is indexed.
    files, _ = collect_files([corpus / "README.md"])
    assert [p.name for p in files] == ["README.md"]


def test_a_folders_notes_are_skipped_with_a_reason_but_a_document_named_alike_is_not(
    corpus: Path,
) -> None:
    (corpus / "SOURCES.md").write_text("# Sources\n\n- a.pdf from example.org\n", encoding="utf-8")
    (corpus / "LICENSE").write_text("CC BY 4.0\n", encoding="utf-8")
    (corpus / "sources-of-finance.md").write_text("# Sources of finance\n\nGrants.\n", encoding="utf-8")
    skipped: list[FileResult] = []
    files, _ = collect_files([corpus], skipped)
    assert "sources-of-finance.md" in {p.name for p in files}
    assert {Path(r.path).name: r.reason for r in skipped} == {
        "SOURCES.md": "describes the folder (SOURCES): name it to index it",
        "LICENSE": "describes the folder (LICENSE): name it to index it",
    }
    files, _ = collect_files([corpus / "SOURCES.md"])
    assert [p.name for p in files] == ["SOURCES.md"]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    files, problems = collect_files([tmp_path / "nowhere"])
    assert files == []
    assert [p.status for p in problems] == ["failed"]


def test_symlink_loop_neither_hangs_nor_crashes(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    sub = corpus / "sub"
    sub.mkdir()
    (sub / "nested.md").write_text("# Nested\n\nA nested note on grasslands.\n", encoding="utf-8")
    os.symlink(corpus, corpus / "loop")
    os.symlink(corpus, sub / "back")
    files, _ = collect_files([corpus])
    assert len(files) == len(set(files)) == 4
    report = _ingest(corpus, settings, store, fake_embeddings)
    assert report.count("added") == 4
    assert set(_ids_by_doc(store)) == {"wetlands", "drylands", "zh-guide", "nested"}


# --- crash recovery ---------------------------------------------------------------------


def test_interrupted_ingest_is_completed_without_duplicates(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    (corpus / "long.md").write_text(
        "---\ndoc_id: long\n---\n# Long\n\n"
        + "\n\n".join(f"## Part {i}\n\nPart {i} explains restoration step {i}." for i in range(6)),
        encoding="utf-8",
    )
    _ingest(corpus, settings, store, fake_embeddings)
    expected = _expected_chunks(corpus, settings)
    assert expected["long"] == 6
    ids = sorted(_ids_by_doc(store)["long"])
    store.delete(ids[:2])  # as if the run died before writing them
    assert store.count() == sum(expected.values()) - 2

    report = _ingest(corpus, settings, store, fake_embeddings)
    assert _statuses(report)["long.md"] == "updated"
    assert report.chunks_written == 2
    assert store.count() == sum(expected.values())
    assert sorted(_ids_by_doc(store)["long"]) == ids

    again = _ingest(corpus, settings, store, fake_embeddings)
    assert again.count("unchanged") == 4
    assert again.chunks_written == 0


def test_interrupted_update_with_chunks_of_two_versions(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    ids = _ids_by_doc(store)["wetlands"]
    # One chunk already carries a newer version's hash: an update stopped half way.
    store.update([ids[0]], [{"content_hash": "newer:400:40:1"}])
    report = _ingest(corpus, settings, store, fake_embeddings)
    assert _statuses(report)["wetlands.md"] == "updated"
    assert sorted(_ids_by_doc(store)["wetlands"]) == sorted(ids)
    assert _ingest(corpus, settings, store, fake_embeddings).count("unchanged") == 3


# --- opening the store ------------------------------------------------------------------


def test_model_mismatch_says_how_to_rebuild(
    corpus: Path,
    settings: Settings,
    store: Store,
    fake_embeddings: object,
    settings_factory: SettingsFactory,
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    assert store.model == "fake-test-model"
    other = settings_factory(embedding_model="another-model")
    with pytest.raises(ModelMismatch) as info:
        open_store(other, fake_embeddings)
    message = str(info.value)
    assert "fake-test-model" in message
    assert "another-model" in message
    assert "--rebuild" in message


def test_open_without_create_on_an_empty_folder(
    settings_factory: SettingsFactory, fake_embeddings: object, tmp_path: Path
) -> None:
    settings = settings_factory(store_dir=tmp_path / "empty-store")
    settings.store_dir.mkdir()
    with pytest.raises(StoreNotFound) as info:
        open_store(settings, fake_embeddings)
    assert "ingest" in str(info.value)
    assert not (settings.store_dir / "chroma.sqlite3").exists()


def test_open_without_create_on_a_missing_folder(
    settings_factory: SettingsFactory, fake_embeddings: object, tmp_path: Path
) -> None:
    settings = settings_factory(store_dir=tmp_path / "nowhere")
    with pytest.raises(StoreNotFound):
        open_store(settings, fake_embeddings)
    assert not settings.store_dir.exists()


# --- the lexical index ------------------------------------------------------------------


def test_lexical_index_finds_chinese(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    index = LexicalIndex.load_or_build(store, settings.cache_dir)
    assert len(index) == store.count()
    hits = index.search("生态系统退化的根本原因是什么", k=3)
    assert hits
    best = hits[0]
    assert index.metadatas[best.index]["doc_id"] == "zh-guide"
    assert "根本原因" in index.texts[best.index]
    assert all(h.score > 0 for h in hits)
    assert index.search("的", k=3) == []


def test_lexical_index_is_cached(
    corpus: Path,
    settings: Settings,
    store: Store,
    fake_embeddings: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    first = LexicalIndex.load_or_build(store, settings.cache_dir)
    folders = list((settings.cache_dir / "lexical").iterdir())
    assert len(folders) == 1 and (folders[0] / "records.json").is_file()

    def no_rebuild(records: object) -> LexicalIndex:
        raise AssertionError("the cached index should have been loaded")

    monkeypatch.setattr(LexicalIndex, "build", staticmethod(no_rebuild))
    second = LexicalIndex.load_or_build(store, settings.cache_dir)
    assert second.ids == first.ids
    hit = second.search("drains water table", k=1)[0]
    assert second.metadatas[hit.index]["doc_id"] == "wetlands"


def test_lexical_index_is_rebuilt_after_an_ingest(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    first = LexicalIndex.load_or_build(store, settings.cache_dir)
    fingerprint = store.fingerprint()
    (corpus / "peat.md").write_text(
        "---\ndoc_id: peat\n---\n# Peat\n\nSphagnum moss returns after rewetting.\n",
        encoding="utf-8",
    )
    _ingest(corpus, settings, store, fake_embeddings)
    assert store.fingerprint() != fingerprint
    second = LexicalIndex.load_or_build(store, settings.cache_dir)
    assert len(second) == len(first) + 1
    hit = second.search("sphagnum", k=1)[0]
    assert second.metadatas[hit.index]["doc_id"] == "peat"
    # Only the current fingerprint's folder is kept.
    assert len(list((settings.cache_dir / "lexical").iterdir())) == 1


def test_lexical_index_rebuilt_when_another_client_changes_the_store(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    LexicalIndex.load_or_build(store, settings.cache_dir)
    other = open_store(settings, fake_embeddings)
    (corpus / "wetlands.md").write_text(
        DOCS["wetlands.md"].replace("every month", "every week"), encoding="utf-8"
    )
    _ingest(corpus, settings, other, fake_embeddings)
    reopened = open_store(settings, fake_embeddings)
    index = LexicalIndex.load_or_build(reopened, settings.cache_dir)
    assert any("every week" in t for t in index.texts)
    assert not any("every month" in t for t in index.texts)


# --- known bugs -------------------------------------------------------------------------


def test_new_file_with_a_taken_doc_id_does_not_replace_the_indexed_one(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    copy = DOCS["wetlands.md"].replace("Blocking drains", "Filling ditches")
    (corpus / "a-wetlands-copy.md").write_text(copy, encoding="utf-8")
    report = _ingest(corpus, settings, store, fake_embeddings)
    statuses = _statuses(report)
    texts = [r.text for r in store.get(where={"doc_id": "wetlands"})]
    assert not any("Filling ditches" in t for t in texts)
    assert statuses["wetlands.md"] == "unchanged"
    assert statuses["a-wetlands-copy.md"] == "failed"


def test_prune_removes_a_doc_id_its_file_no_longer_has(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    path = corpus / "wetlands.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("doc_id: wetlands", "doc_id: wetlands-v2"),
        encoding="utf-8",
    )
    report = _ingest(corpus, settings, store, fake_embeddings, prune=True)
    outcomes = {(Path(f.path).name, f.status, f.doc_id) for f in report.files}
    assert ("wetlands.md", "added", "wetlands-v2") in outcomes
    assert ("wetlands.md", "pruned", "wetlands") in outcomes
    assert set(_ids_by_doc(store)) == {"wetlands-v2", "drylands", "zh-guide"}


def test_renamed_file_is_not_pruned_later(
    corpus: Path, settings: Settings, store: Store, fake_embeddings: object
) -> None:
    _ingest(corpus, settings, store, fake_embeddings)
    (corpus / "wetlands.md").rename(corpus / "wetlands-renamed.md")
    assert _ingest(corpus, settings, store, fake_embeddings).count("unchanged") == 3
    report = ingest_paths([corpus / "drylands.md"], settings, store, fake_embeddings, prune=True)
    assert report.count("pruned") == 0
    assert "wetlands" in _ids_by_doc(store)


def test_ingest_sets_the_search_breadth_of_new_and_older_stores(
    settings_factory: SettingsFactory, fake_embeddings: object
) -> None:
    older = settings_factory(hnsw_ef_search=100)
    store = open_store(older, fake_embeddings, create=True)
    assert store.collection.configuration["hnsw"]["ef_search"] == 100
    wider = settings_factory(hnsw_ef_search=300)
    open_store(wider, fake_embeddings)  # reading changes nothing
    assert open_store(older, fake_embeddings).collection.configuration["hnsw"]["ef_search"] == 100
    open_store(wider, fake_embeddings, create=True)  # an ingest brings it up to date
    assert open_store(wider, fake_embeddings).collection.configuration["hnsw"]["ef_search"] == 300


def test_progress_fits_an_80_column_terminal_with_a_long_file_name() -> None:
    # A report's file name is longer than the bar: cut, so the counts and times stay whole.
    import io

    from rich.console import Console

    from assistant.cli.progress import IngestProgress

    out = io.StringIO()
    with IngestProgress(Console(file=out, width=80, force_terminal=False)) as progress:
        progress.on_file("reports/2026 - Report of the first Indigenous and local knowledge.pdf", 3, 16)
        progress.on_chunks(120)
    files, chunks = out.getvalue().splitlines()[-2:]
    assert "3/16" in files and "ETA" in files and files.rstrip().endswith("…")
    assert "120/?" in chunks and "chunks/s" in chunks
