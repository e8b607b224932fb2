"""The store's narrow interface, on a real embedded Chroma and on the tests' in-memory store.

Every check runs on both, so the fake other unit tests use behaves as the real store does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from memory_store import MemoryStore  # tests/ is on sys.path under pytest

from assistant.core.settings import Settings
from assistant.store.chroma import Record, Store, open_store
from tests.conftest import FakeEmbeddings

TEXTS = {
    "a1": ("Mangroves protect coasts from storms.", {"doc_id": "a", "kind": "case_study", "n": 1}),
    "a2": (
        "Mangrove restoration in Senegal replanted deltas.",
        {"doc_id": "a", "kind": "case_study", "n": 2},
    ),
    "b1": (
        "Peatland rewetting blocks drainage ditches.",
        {"doc_id": "b", "kind": "guidance", "n": 1},
    ),
    "b2": ("Rewetting peat stops carbon loss.", {"doc_id": "b", "kind": "guidance", "n": 2}),
    "c1": (
        "Parties are urged to restore degraded ecosystems.",
        {"doc_id": "c", "kind": "decision", "n": 1},
    ),
}


@pytest.fixture(params=["chroma", "memory"])
def store(request: pytest.FixtureRequest, settings_factory: Callable[..., Settings]) -> Any:
    """An empty store of each kind, then the five chunks above written into it."""
    embeddings = FakeEmbeddings()
    target: Any = (
        open_store(settings_factory(), embeddings, create=True)
        if request.param == "chroma"
        else MemoryStore()
    )
    ids = list(TEXTS)
    texts = [TEXTS[i][0] for i in ids]
    target.write(ids, texts, [TEXTS[i][1] for i in ids], list(embeddings.encode(texts)))
    return target


def _ids(records: list[Record]) -> list[str]:
    return sorted(r.id for r in records)


def test_write_then_count_and_get_everything(store: Any) -> None:
    assert store.count() == 5
    found = {r.id: r for r in store.get()}
    assert set(found) == set(TEXTS)
    for cid, (text, metadata) in TEXTS.items():
        assert found[cid].text == text and found[cid].metadata == metadata
        assert found[cid].vector is None and found[cid].distance is None  # not asked for


def test_query_orders_by_cosine_distance(store: Any) -> None:
    embeddings = FakeEmbeddings()
    vector = embeddings.encode(["mangroves protect coasts"], query=True)[0]
    found = store.query(vector, 3)
    distances = [r.distance for r in found]
    assert len(found) == 3 and distances == sorted(distances)
    assert found[0].id == "a1" and found[0].text == TEXTS["a1"][0]
    for record in found:  # cosine distance, as the retriever's thresholds assume
        stored = embeddings.encode([record.text])[0]
        assert record.distance == pytest.approx(1.0 - float(vector @ stored), abs=1e-5)
        assert record.metadata == TEXTS[record.id][1]
    exact = store.query(embeddings.encode([TEXTS["b2"][0]])[0], 1)
    assert exact[0].id == "b2" and exact[0].distance == pytest.approx(0.0, abs=1e-5)


def test_a_query_without_content_returns_the_same_ids_and_distances_only(store: Any) -> None:
    vector = FakeEmbeddings().encode(["peat rewetting"], query=True)[0]
    full, bare = store.query(vector, 4), store.query(vector, 4, content=False)
    assert [r.id for r in bare] == [r.id for r in full]
    assert [r.distance for r in bare] == pytest.approx([r.distance for r in full])
    assert all(r.text == "" and r.metadata == {} for r in bare)


def test_query_with_a_filter_returns_only_matching_chunks(store: Any) -> None:
    vector = FakeEmbeddings().encode(["mangroves protect coasts"], query=True)[0]
    found = store.query(vector, 5, where={"kind": {"$in": ["guidance", "decision"]}})
    assert _ids(found) == ["b1", "b2", "c1"]


def test_get_by_ids_leaves_out_unknown_ones_and_returns_vectors_when_asked(store: Any) -> None:
    assert _ids(store.get(["b1", "zz", "a2"])) == ["a2", "b1"]
    plain = store.get(["b1"], text=False, metadata=False)
    assert plain == [Record(id="b1")]
    with_vectors = store.get(["b1"], vectors=True)[0]
    expected = FakeEmbeddings().encode([TEXTS["b1"][0]])[0]
    np.testing.assert_allclose(
        np.asarray(with_vectors.vector, dtype=np.float32), expected, atol=1e-6
    )


def test_get_with_where_filters_and_a_limit(store: Any) -> None:
    assert _ids(store.get(where={"doc_id": "a"})) == ["a1", "a2"]
    both = {"$and": [{"doc_id": "b"}, {"n": 2}]}
    assert _ids(store.get(where=both)) == ["b2"]
    assert _ids(store.get(where={"$or": [{"doc_id": "c"}, {"n": 2}]})) == ["a2", "b2", "c1"]
    assert len(store.get(where={"kind": "guidance"}, limit=1)) == 1
    assert store.get(where={"doc_id": "nobody"}) == []


def test_update_merges_metadata_and_keeps_text_and_vector(store: Any) -> None:
    before = store.get(["a1"], vectors=True)[0]
    store.update(["a1"], [{"source_path": "/moved/a.md", "n": 9}])
    after = store.get(["a1"], vectors=True)[0]
    assert after.metadata == {**TEXTS["a1"][1], "source_path": "/moved/a.md", "n": 9}
    assert after.text == before.text
    np.testing.assert_allclose(after.vector, before.vector)


def test_write_replaces_a_chunk_with_the_same_id(store: Any) -> None:
    vector = FakeEmbeddings().encode(["new text"])[0]
    store.write(["c1"], ["new text"], [{"doc_id": "c", "kind": "decision", "n": 1}], [vector])
    assert store.count() == 5 and store.get(["c1"])[0].text == "new text"


def test_delete_removes_chunks_and_an_empty_delete_is_a_no_op(store: Any) -> None:
    store.delete(["a1", "b2"])
    store.delete([])
    assert store.count() == 3 and _ids(store.get()) == ["a2", "b1", "c1"]
    vector = FakeEmbeddings().encode([TEXTS["a1"][0]])[0]
    assert "a1" not in _ids(store.query(vector, 3))


def test_pages_cover_every_chunk_in_bounded_pages(store: Any) -> None:
    pages = list(store.pages(batch_size=2))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(r.id for page in pages for r in page) == sorted(TEXTS)
    metadata_only = [r for page in store.pages(where={"doc_id": "b"}, text=False) for r in page]
    assert _ids(metadata_only) == ["b1", "b2"]
    assert all(r.text == "" and r.metadata["doc_id"] == "b" for r in metadata_only)


# --- what only the real store does ---------------------------------------------------------


def _real(settings_factory: Callable[..., Settings]) -> Store:
    embeddings = FakeEmbeddings()
    store = open_store(settings_factory(), embeddings, create=True)
    texts = [t for t, _ in TEXTS.values()]
    store.write(list(TEXTS), texts, [m for _, m in TEXTS.values()], list(embeddings.encode(texts)))
    return store


def test_record_fingerprint_hashes_the_sorted_ids(
    settings_factory: Callable[..., Settings],
) -> None:
    """The value names cached lexical indexes: it must not change for an unchanged store."""
    store = _real(settings_factory)
    expected = hashlib.sha256("".join(sorted(TEXTS)).encode()).hexdigest()[:24]
    assert store.record_fingerprint() == expected
    assert store.fingerprint() == f"{expected}:5"


def test_a_hook_sees_every_operation_and_stays_across_a_reload(
    settings_factory: Callable[..., Settings],
) -> None:
    store = _real(settings_factory)
    seen: list[str] = []

    def hook(operation: str, call: Callable[[], Any]) -> Any:
        seen.append(operation)
        return call()

    store.observe(hook)
    store.get(["a1"])
    store.update(["a1"], [{"n": 3}])
    store.delete(["b1"])
    store.reload()
    assert store.count() == 4
    store.query(FakeEmbeddings().encode(["peat"])[0], 1)
    assert seen == ["get", "update", "delete", "count", "query"]
    store.observe(None)
    store.count()
    assert seen[-1] == "query"


def test_a_hook_can_stop_a_write_before_it_lands(settings_factory: Callable[..., Settings]) -> None:
    store = _real(settings_factory)

    def refuse(operation: str, call: Callable[[], Any]) -> Any:
        if operation == "delete":
            raise RuntimeError("refused")
        return call()

    store.observe(refuse)
    with pytest.raises(RuntimeError, match="refused"):
        store.delete(["a1"])
    assert store.count() == 5


def test_sentence_vectors_read_as_records(settings_factory: Callable[..., Settings]) -> None:
    store = _real(settings_factory)
    sentences = store.sentence_vectors(create=True)
    assert sentences is not None and sentences.count() == 0
    text = "First sentence of the passage is long enough. Second sentence is long enough too."
    written = sentences.add([("a1", text, {"title": "Mangroves"})], FakeEmbeddings())
    assert written == sentences.count() == 2
    found = sentences.get(["a1"], vectors=True)
    assert {r.metadata["chunk_id"] for r in found} == {"a1"}
    assert all(
        r.text.startswith("Mangroves: ") and len(r.vector) == FakeEmbeddings.dim for r in found
    )
    assert sentences.get(["b1"]) == []
