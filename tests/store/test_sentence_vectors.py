"""Answer-sentence vectors embedded at ingest: stored, kept in step with the chunks, used.

Real embedded Chroma on tmp_path with the deterministic fake embedding, whose recorded
calls show what was embedded when.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.pipeline import build_assistant
from assistant.store.chroma import Store, delete_collection, open_store
from assistant.store.sentence_vectors import (
    MAX_SENTENCES_PER_CHUNK,
    SentenceVectors,
    evidence_sentences,
    sentence_rows,
)
from ingest.indexing import ingest_paths
from tests.conftest import FakeEmbeddings

SettingsFactory = Callable[..., Settings]

GUIDE = """\
---
doc_id: peat-guide
title: Peatland rewetting
kind: guidance
language: en
---
# Peatland rewetting

## Methods

Blocking the drains raises the water table within a season. **Dams** of peat or plastic
hold the water back. Monitoring the water level every month shows whether it worked.

## Costs

Ditch blocking costs about 500 euros per hectare on blanket bog. Bare peat needs
nurse crops first, which adds to the cost.
"""


def test_evidence_sentences_strip_layout_and_carry_their_context() -> None:
    meta = {"title": "Peatland rewetting", "locator": "Costs"}
    found = evidence_sentences("- **Cost:** about 500 euros per hectare. See https://x.org/a b.", meta)
    assert [s.text for s in found] == ["Cost: about 500 euros per hectare."]
    assert found[0].embed_text == "Peatland rewetting, Costs: Cost: about 500 euros per hectare."
    # A decision paragraph carries its own subject: embedded as it stands.
    decision = evidence_sentences(
        "Urges Parties to restore degraded ecosystems.", {"title": "XI/16", "paragraph": "1"}
    )
    assert decision[0].embed_text == decision[0].text
    long_text = " ".join(f"Sentence number {i} is long enough to count." for i in range(20))
    assert len(evidence_sentences(long_text, meta)) == MAX_SENTENCES_PER_CHUNK


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "peat.md").write_text(GUIDE, encoding="utf-8")
    return folder


def _settings(settings_factory: SettingsFactory, **overrides: object) -> Settings:
    return settings_factory(support_threshold=0.0, chunk_size=300, chunk_overlap=0, **overrides)


def _ingested(
    settings_factory: SettingsFactory, folder: Path, embeddings: FakeEmbeddings, **overrides: object
) -> tuple[Settings, Store]:
    """Settings and a store with ``folder`` ingested into it."""
    settings = _settings(settings_factory, **overrides)
    store = open_store(settings, embeddings, create=True)
    ingest_paths([folder], settings, store, embeddings)
    return settings, store


def _with_sentences(
    settings_factory: SettingsFactory, folder: Path
) -> tuple[FakeEmbeddings, Settings, Store, SentenceVectors]:
    """A store with ``folder`` ingested, and its sentence vectors (which must exist)."""
    embeddings = FakeEmbeddings()
    settings, store = _ingested(settings_factory, folder, embeddings)
    sentences = store.sentence_vectors()
    assert sentences is not None
    return embeddings, settings, store, sentences


def test_ingest_stores_sentences_and_answers_embed_only_the_question(
    settings_factory: SettingsFactory, guide: Path
) -> None:
    embeddings, settings, store, sentences = _with_sentences(settings_factory, guide)
    stored = sentences.get()
    chunk_ids = {r.id for r in store.get(text=False, metadata=False)}
    assert stored and {r.metadata["chunk_id"] for r in stored} <= chunk_ids
    assert "Peatland rewetting, Costs: Ditch blocking costs about 500 euros per hectare on blanket bog." in [r.text for r in stored]

    assistant = build_assistant(settings, embeddings)
    embeddings.calls.clear()
    answer = assistant.ask("How much does ditch blocking cost per hectare?")
    assert answer.supported and "500 euros" in answer.text
    assert embeddings.calls == [["How much does ditch blocking cost per hectare?"]]


def test_answers_are_the_same_without_stored_sentences(
    settings_factory: SettingsFactory, guide: Path
) -> None:
    embeddings = FakeEmbeddings()
    with_vectors, _ = _ingested(settings_factory, guide, embeddings)
    without, plain_store = _ingested(
        settings_factory, guide, embeddings, store_dir=with_vectors.store_dir.parent / "plain", sentence_vectors=False
    )
    assert plain_store.sentence_vectors() is None  # e.g. a store built by an older version

    question = "What holds the water back after the drains are blocked?"
    fast = build_assistant(with_vectors, embeddings).ask(question)
    embeddings.calls.clear()
    slow = build_assistant(without, embeddings).ask(question)
    assert fast.text == slow.text and fast.supported
    assert len(embeddings.calls) == 2  # the question, then the passages' sentences


def test_changed_and_rebuilt_documents_leave_no_stale_sentences(
    settings_factory: SettingsFactory, guide: Path
) -> None:
    embeddings = FakeEmbeddings()
    settings, store = _ingested(settings_factory, guide, embeddings)
    (guide / "peat.md").write_text(GUIDE.replace("500 euros", "650 euros"), encoding="utf-8")
    ingest_paths([guide], settings, store, embeddings)
    sentences = store.sentence_vectors()
    assert sentences is not None
    stored = sentences.get()
    assert {r.metadata["chunk_id"] for r in stored} <= {r.id for r in store.get()}
    assert not any("500 euros" in r.text for r in stored)
    assert any("650 euros" in r.text for r in stored)

    delete_collection(settings)  # ingest --rebuild
    rebuilt = open_store(settings, embeddings, create=True)
    assert rebuilt.sentence_vectors() is None


def test_a_store_built_without_sentence_vectors_gets_them_on_the_next_ingest(
    settings_factory: SettingsFactory, guide: Path
) -> None:
    embeddings = FakeEmbeddings()
    _ingested(settings_factory, guide, embeddings, sentence_vectors=False)
    store = open_store(_settings(settings_factory), embeddings)
    assert store.sentence_vectors() is None

    progress: list[tuple[str, int, int]] = []
    report = ingest_paths(
        [guide], _settings(settings_factory), store, embeddings, on_progress=lambda *a: progress.append(a)
    )
    assert [f.status for f in report.files] == ["unchanged"]  # chunks not re-embedded
    sentences = store.sentence_vectors()
    assert sentences is not None and sentences.count() > 0
    assert {r.metadata["chunk_id"] for r in sentences.get()} == {r.id for r in store.get()}
    assert progress[0][0] == "sentence vectors of the stored chunks"


def test_a_list_is_quoted_whole_with_the_line_that_introduces_it() -> None:
    text = "The summary lists several causes:\n\n- drought and reduced inflow;\n- **cutting** of mangroves.\n\nFishers returned to the estuary."
    found = evidence_sentences(text, {"title": "Senegal", "locator": "Drivers"})
    assert [s.text for s in found] == [  # quoted as a list, one item a line
        "The summary lists several causes:\n- drought and reduced inflow;\n- cutting of mangroves.",
        "Fishers returned to the estuary.",
    ]
    assert found[0].embed_text == (
        "Senegal, Drivers: The summary lists several causes: drought and reduced inflow; cutting of mangroves."
    )
    # The composer prefers a whole list for a question asking for several things.
    assert [s.whole_list for s in found] == [True, False]


def test_a_list_ends_where_a_new_paragraph_begins() -> None:
    text = (
        "se.plan reports four benefits:\n\n- biodiversity conservation\n- wood production\n\n"
        "se.plan includes two indicators for each of them."
    )
    found = evidence_sentences(text, {"title": "se.plan", "locator": "Benefits"})
    assert [s.text for s in found] == [
        "se.plan reports four benefits:\n- biodiversity conservation\n- wood production",
        "se.plan includes two indicators for each of them.",
    ]
    # A further sentence of an item (no blank line before it) stays with the item.
    found = evidence_sentences("Two steps:\n- survey the site. then map it\n- plant", {"title": "T", "locator": "S"})
    assert found[0].text == "Two steps:\n- survey the site. then map it\n- plant"


def test_a_tables_rule_row_is_never_a_quotable_sentence() -> None:
    table = "| Indicator | Name |\n| --- | --- | --- | --- | --- | --- |\n| A.1 | Red List of Ecosystems |"
    texts = [s.text for s in evidence_sentences(table, {"title": "Monitoring framework", "locator": "annex I"})]
    assert texts == ["| Indicator | Name |", "| A.1 | Red List of Ecosystems |"]
    assert not evidence_sentences("…… ——— ……………………… ——————————", {"title": "T"})


def test_a_long_list_is_quoted_item_by_item_each_with_its_introduction() -> None:
    items = "".join(f"\n- measure number {i} described at some length, with details and figures;" for i in range(12))
    found = evidence_sentences(f"The programme used many measures:{items}", {"title": "Case", "locator": "Interventions"})
    assert len(found) == 8  # bounded per chunk
    assert all(s.text.startswith("The programme used many measures: … measure number") for s in found)
    assert found[0].text.endswith("measure number 0 described at some length, with details and figures;")
    assert not any(s.whole_list for s in found)


def test_sentence_vectors_of_another_version_are_ignored_then_rebuilt(
    settings_factory: SettingsFactory, guide: Path
) -> None:
    from assistant.store.sentence_vectors import VERSION_KEY

    embeddings, settings, store, sentences = _with_sentences(settings_factory, guide)
    count = sentences.count()
    sentences.collection.modify(metadata={VERSION_KEY: -1})  # as a store of another version
    assert store.sentence_vectors() is None  # answers embed at question time meanwhile
    ingest_paths([guide], settings, store, embeddings)
    rebuilt = store.sentence_vectors()
    assert rebuilt is not None and rebuilt.count() == count


def test_passages_with_nothing_quotable_give_a_refusal_not_an_empty_answer(
    settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "intro-only"
    folder.mkdir()
    (folder / "intro.md").write_text(
        "---\ndoc_id: intro\ntitle: Grazing plans\nkind: guidance\nlanguage: en\n---\n"
        "# Grazing plans\n\nThe grazing plans that work best on degraded rangeland are the following:\n",
        encoding="utf-8",
    )
    embeddings = FakeEmbeddings()
    settings, _ = _ingested(settings_factory, folder, embeddings)
    answer = build_assistant(settings, embeddings).ask("Which grazing plans work best on degraded rangeland?")
    assert not answer.supported and answer.text and answer.related


def test_looked_up_vectors_are_kept_and_forgotten_on_a_write(
    settings_factory: SettingsFactory, guide: Path
) -> None:
    _, _, store, sentences = _with_sentences(settings_factory, guide)
    chunk_ids = sorted({r.metadata["chunk_id"] for r in sentences.get()})
    first = sentences.lookup(chunk_ids)
    calls: list[object] = []
    original = sentences.collection.get
    sentences.collection.get = lambda *a, **k: calls.append(k) or original(*a, **k)  # type: ignore[method-assign]
    again = sentences.lookup(chunk_ids)
    assert calls == [] and again.keys() == first.keys()  # answered from memory
    assert all((again[key] == first[key]).all() for key in first)

    # A write through the same object forgets what was kept: the next lookup reads the store.
    rows = sentence_rows([(chunk_ids[0], "Bare peat needs nurse crops first. Then the water table is raised by dams.", {"title": "T"})])
    sentences.write(rows, FakeEmbeddings().encode(rows.texts))
    sentences.lookup(chunk_ids)
    assert len(calls) == 1
