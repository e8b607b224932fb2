"""Feedback: ratings are kept, and a thumbs-down becomes a valid eval item to review."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.core.errors import AssistantError
from assistant.evaluation.run import check_sets, load_items
from assistant.ui.feedback import CANDIDATES_FILE, FEEDBACK_FILE, record_feedback

ROOT = Path(__file__).resolve().parents[2]
DECISION_EN = ROOT / "corpus" / "decisions" / "cbd-dec-xi-16-en.md"
CASE = ROOT / "corpus" / "case-studies" / "case-senegal-mangroves.md"


@pytest.fixture
def small_assistant(settings_factory: Callable[..., Any], fake_embeddings: Any) -> Any:
    """An assistant over the English XI/16 and one case study, with the fake embedding."""
    from assistant.pipeline import build_assistant
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    settings = settings_factory()
    store = open_store(settings, fake_embeddings, create=True)
    assert not ingest_paths([DECISION_EN, CASE], settings, store, fake_embeddings).failed
    return build_assistant(settings, fake_embeddings)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_thumbs_up_keeps_the_rating_and_the_answer_record(
    tmp_path: Path, small_assistant: Any
) -> None:
    question = "What does decision XI/16 ask Parties to do about the causes of degradation?"
    record = small_assistant.ask(question).to_dict()
    moment = datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC)
    receipt = record_feedback(
        tmp_path / "fb",
        question=question,
        answer=record,
        rating="up",
        comment=" clear ",
        now=moment,
    )
    assert receipt.candidate_id is None and not (tmp_path / "fb" / CANDIDATES_FILE).exists()
    [line] = _lines(tmp_path / "fb" / FEEDBACK_FILE)
    assert line["id"] == receipt.feedback_id and line["id"].startswith("fb-20260301-123005-")
    assert (line["rating"], line["comment"], line["timestamp"]) == (
        "up",
        "clear",
        "2026-03-01T12:30:05Z",
    )
    assert line["question"] == question
    assert line["answer"] == json.loads(json.dumps(record))


def test_thumbs_down_adds_a_candidate_that_loads_and_validates(
    tmp_path: Path, small_assistant: Any
) -> None:
    folder = tmp_path / "fb"
    question = "What does decision XI/16 ask Parties to do about the causes of degradation?"
    answer = small_assistant.ask(question)
    assert answer.supported and answer.citations
    record = answer.to_dict()
    first = record_feedback(
        folder, question=question, answer=record, rating="down", comment="Cites the wrong paragraph"
    )
    second = record_feedback(folder, question=question, answer=record, rating="down")
    assert len(_lines(folder / FEEDBACK_FILE)) == 2

    items = load_items([folder / CANDIDATES_FILE])
    assert [i.id for i in items] == [first.candidate_id, second.candidate_id]  # distinct ids
    item = items[0]
    assert item.question == question and item.language == "en" and item.answerable
    assert item.tags == ("from-feedback", "needs-review")
    assert item.key_facts == ()
    expected_gold = []
    for c in answer.citations:
        entry = {
            "doc_id": c.doc_id,
            **({"paragraph": c.paragraph} if c.paragraph else {"locator": c.locator}),
        }
        if entry not in expected_gold:
            expected_gold.append(entry)
    assert list(item.gold) == expected_gold

    raw = _lines(folder / CANDIDATES_FILE)[0]
    review = raw["review"]
    assert review["status"] == "needs-review" and review["comment"] == "Cites the wrong paragraph"
    assert review["answer"] == answer.text and review["feedback_id"] == first.feedback_id
    assert [c["doc_id"] for c in review["cited"]] == [c.doc_id for c in answer.citations]

    # every gold reference points at a chunk of the store, as `eval --validate` checks
    assert check_sets([folder / CANDIDATES_FILE], small_assistant.store) == []
    from assistant.cli.app import app

    settings = small_assistant.settings
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--validate",
            "--store",
            str(settings.store_dir),
            "--embedding-model",
            settings.embedding_model,
            str(folder / CANDIDATES_FILE),
        ],
    )
    assert result.exit_code == 0, result.output


def test_refusal_candidate_has_no_gold_and_lists_related_passages(tmp_path: Path) -> None:
    record = {
        "answer": "The corpus does not cover this question.",
        "supported": False,
        "language": "en",
        "citations": [],
        "related": [
            {
                "n": 1,
                "doc_id": "kmgbf-target-2",
                "title": "Target 2",
                "locator": "Text",
                "paragraph": "",
                "language": "en",
            }
        ],
        "sentences": [],
        "notices": [],
        "trace": {
            "question": "And its deadline?",
            "follow_up": True,
            "history": ["What is Target 2?"],
        },
    }
    receipt = record_feedback(tmp_path, question="And its deadline?", answer=record, rating="down")
    [item] = load_items([tmp_path / CANDIDATES_FILE])
    assert item.id == receipt.candidate_id
    assert item.gold == () and item.answerable
    assert item.tags == ("from-feedback", "needs-review", "follow-up", "refused")
    review = _lines(tmp_path / CANDIDATES_FILE)[0]["review"]
    assert review["related"][0]["doc_id"] == "kmgbf-target-2"
    assert review["history"] == ["What is Target 2?"]


def test_rating_must_be_up_or_down(tmp_path: Path) -> None:
    with pytest.raises(AssistantError, match="'up' or 'down'"):
        record_feedback(tmp_path, question="q", answer={}, rating="meh")  # type: ignore[arg-type]
    assert not (tmp_path / FEEDBACK_FILE).exists()


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(AssistantError, match="could not save feedback"):
        record_feedback(blocker / "fb", question="q", answer={}, rating="up")
