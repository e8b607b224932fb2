"""The service layer the CLI and the app share: ingest and refresh, delete, run eval sets."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import AssistantError
from assistant.core.provenance import Actor, PermissionDenied, Provenance
from assistant.evaluation.suites import Suite
from assistant.services import (
    SuiteHooks,
    check_eval_sets,
    check_suites,
    delete_and_refresh,
    ingest_and_refresh,
    plan_suites,
    run_eval_sets,
    run_suites,
    write_run,
)
from assistant.store.chroma import open_store

ROOT = Path(__file__).resolve().parents[2]
DECISION_EN = ROOT / "corpus" / "decisions" / "cbd-dec-xi-16-en.md"
CASE = ROOT / "corpus" / "case-studies" / "case-senegal-mangroves.md"


class _Counting:
    """Wraps an assistant and counts its refreshes."""

    def __init__(self, assistant: Any) -> None:
        self.inner = assistant
        self.refreshes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def refresh(self) -> bool:
        self.refreshes += 1
        return bool(self.inner.refresh())


@pytest.fixture
def small(settings_factory: Callable[..., Any], fake_embeddings: Any) -> _Counting:
    """An assistant over the English XI/16 only, with the fake embedding, counting refreshes."""
    from assistant.pipeline import build_assistant

    settings = settings_factory(uploads_enabled=True)
    store = open_store(settings, fake_embeddings, create=True)
    assert not ingest_and_refresh(
        None, [DECISION_EN], settings, fake_embeddings, store=store
    ).failed
    return _Counting(build_assistant(settings, fake_embeddings))


def _doc_ids(store: Any) -> set[str]:
    return {record.metadata["doc_id"] for page in store.pages(text=False) for record in page}


# --- ingest and refresh ------------------------------------------------------------------


def test_ingest_into_the_assistant_refreshes_it_and_reports_progress(small: _Counting) -> None:
    files: list[tuple[str, int, int]] = []
    chunks: list[int] = []
    before = small.store.fingerprint()

    report = ingest_and_refresh(
        small, [CASE], on_file=lambda *a: files.append(a), on_chunks=chunks.append
    )

    assert [r.status for r in report.files] == ["added"]
    assert (str(CASE), 1, 1) in files and sum(chunks) == report.chunks_written > 0
    assert small.refreshes == 1 and small.store.fingerprint() != before
    # The refreshed lexical index already holds the new document: no reload is pending.
    assert small.inner.refresh() is False
    assert "case-senegal-mangroves" in _doc_ids(small.store)


def test_an_ingest_that_raises_refreshes_nothing(small: _Counting) -> None:
    def stop(path: str, done: int, total: int) -> None:
        raise RuntimeError("stopped by the caller")

    with pytest.raises(RuntimeError, match="stopped by the caller"):
        ingest_and_refresh(small, [CASE], on_file=stop)
    assert small.refreshes == 0


def test_ingest_without_an_assistant_opens_builds_and_indexes_the_store(
    settings_factory: Callable[..., Any], fake_embeddings: Any
) -> None:
    from assistant.retrieval.lexical import LexicalIndex

    settings = settings_factory()
    first = ingest_and_refresh(None, [DECISION_EN], settings, fake_embeddings)
    again = ingest_and_refresh(None, [DECISION_EN], settings, fake_embeddings)
    rebuilt = ingest_and_refresh(None, [DECISION_EN], settings, fake_embeddings, rebuild=True)

    assert [r.status for r in first.files] == ["added"]
    assert [r.status for r in again.files] == ["unchanged"]
    assert [r.status for r in rebuilt.files] == ["added"]  # the collection was dropped first
    store = open_store(settings, fake_embeddings)
    index = LexicalIndex.load_or_build(store, settings.cache_dir)
    assert any(settings.cache_dir.iterdir()) and index is not None


def test_uploads_go_through_the_service_with_their_owner(small: _Counting, tmp_path: Path) -> None:
    report = ingest_and_refresh(small, [CASE], provenance=Provenance("upload", "alice"))
    (result,) = report.files
    assert result.doc_id.startswith("upload-") and small.refreshes == 1


# --- delete and refresh ------------------------------------------------------------------


def test_delete_removes_the_owners_document_and_refreshes(small: _Counting) -> None:
    (result,) = ingest_and_refresh(small, [CASE], provenance=Provenance("upload", "alice")).files
    small.refreshes = 0

    removed = delete_and_refresh(small, result.doc_id, Actor("alice"), small.settings.upload_dir)

    assert removed == result.chunks > 0 and small.refreshes == 1
    assert result.doc_id not in _doc_ids(small.store)
    assert delete_and_refresh(small, "no-such-document", Actor("alice")) == 0


def test_a_refused_delete_changes_and_refreshes_nothing(small: _Counting) -> None:
    (result,) = ingest_and_refresh(small, [CASE], provenance=Provenance("upload", "alice")).files
    small.refreshes = 0

    with pytest.raises(PermissionDenied):
        delete_and_refresh(small, result.doc_id, Actor("bob"))
    with pytest.raises(PermissionDenied):
        delete_and_refresh(small, "cbd-dec-xi-16-en", Actor("alice"))

    assert small.refreshes == 0
    assert {result.doc_id, "cbd-dec-xi-16-en"} <= _doc_ids(small.store)


# --- eval sets ---------------------------------------------------------------------------


def _set(tmp_path: Path, *items: dict[str, Any], name: str = "set.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


QUESTION = "What does decision XI/16 ask Parties to do about the causes of degradation?"
GOOD = {
    "id": "xi16-causes", "question": QUESTION, "split": "dev",
    "gold": [{"doc_id": "cbd-dec-xi-16-en"}],
}  # fmt: skip
UNANSWERABLE = {
    "id": "risotto", "question": "How long should risotto rest?", "split": "test",
    "answerable": False,
}  # fmt: skip


def test_check_eval_sets_names_gold_references_the_store_lacks(
    small: _Counting, tmp_path: Path
) -> None:
    bad = {**GOOD, "id": "bad", "gold": [{"doc_id": "nowhere"}]}
    path = _set(tmp_path, GOOD, bad)

    problems = [str(p) for p in check_eval_sets([path], small.store)]
    assert problems == [f"{path}:2: item 'bad': gold doc_id 'nowhere' is not in the store"]
    suite = Suite("corpus", small.settings, (path,))
    assert [str(p) for p in check_suites([suite])] == problems  # the store reopened, no model


def test_run_eval_sets_runs_every_item_with_progress_and_writes_the_run(
    small: _Counting, tmp_path: Path
) -> None:
    path = _set(tmp_path, GOOD, UNANSWERABLE)
    seen: list[tuple[str, int, int]] = []

    results, summary = run_eval_sets(
        small, [path], on_item=lambda r, d, t: seen.append((r.id, d, t)), started_from="test"
    )
    write_run(results, summary, tmp_path / "run")

    assert seen == [("xi16-causes", 1, 2), ("risotto", 2, 2)]
    assert [r.id for r in results] == ["xi16-causes", "risotto"] and summary["n_items"] == 2
    assert summary["config"]["started_from"] == "test" and summary["config"]["limit"] is None
    written = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"items.jsonl", "summary.json", "report.md", "report.html"} <= written
    assert run_eval_sets(small, [path], limit=1)[1]["n_items"] == 1


def test_run_eval_sets_refuses_sets_without_items(small: _Counting, tmp_path: Path) -> None:
    with pytest.raises(AssistantError, match="The chosen sets hold no items."):
        run_eval_sets(small, [_set(tmp_path)])


def test_suites_are_planned_by_id_and_split_and_run_with_hooks(
    small: _Counting, tmp_path: Path, fake_embeddings: Any
) -> None:
    path = _set(tmp_path, GOOD, UNANSWERABLE)
    suite = Suite("corpus", small.settings, (path,), (DECISION_EN,))
    assert [i.id for _, items in plan_suites([suite], None, None, "test") for i in items] == [
        "risotto"
    ]
    with pytest.raises(AssistantError, match="ids not found in the eval sets: no-such-id"):
        plan_suites([suite], ["no-such-id"], None, "all")

    events: list[Any] = []

    @contextmanager
    def items(label: str, total: int) -> Iterator[Any]:
        events.append(("items", label, total))
        yield lambda result, done, total: events.append(("item", result.id, done))

    hooks = SuiteHooks(
        indexing=lambda s: _recording(events, ("indexing", s.name)),
        indexed=lambda s, report: events.append(("indexed", report.count("unchanged"))),
        items=items,
    )
    run = run_suites(
        plan_suites([suite], ["xi16-causes"], None, "all"), fake_embeddings, hooks=hooks
    )

    assert events == [
        ("indexing", "corpus"), ("indexed", 1), ("items", "corpus", 1), ("item", "xi16-causes", 1)
    ]  # fmt: skip
    assert [r.id for r in run.results] == ["xi16-causes"] and run.baselines == {}
    assert run.stores["corpus"]["not_indexed"] == {} and run.stores["corpus"]["sets"] == [path.name]


@contextmanager
def _recording(events: list[Any], event: Any) -> Iterator[None]:
    events.append(event)
    yield
