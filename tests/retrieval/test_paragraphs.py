"""A paragraph the question names is joined with its sub-paragraphs (retrieval/paragraphs.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.core.records import Source
from assistant.core.settings import Settings
from assistant.retrieval.hybrid import Retrieval
from assistant.retrieval.paragraphs import join_named_paragraphs
from assistant.retrieval.question import analyse
from assistant.retrieval.versions import Versions

DECISION = {"doc_id": "dec-en", "language": "en", "kind": "decision", "symbol": "XI/16"}


def _record(chunk_id: str, paragraph: str, position: int, **meta: Any) -> tuple[str, str, dict[str, Any]]:
    return chunk_id, f"text of {chunk_id}", {**DECISION, "paragraph": paragraph, "position": position, **meta}


RECORDS = [
    # Index order is not document order: items are put in the order of their position.
    _record("p5b", "5(b)", 12),
    _record("p5", "5", 10),
    _record("p5a", "5(a)", 11),
    _record("p5a-i", "5(a)(i)", 13),  # an item of 5(a), not of 5
    _record("p4", "4", 8),
    _record("guide", "", 0, doc_id="guide", kind="guidance"),
]


def _sources(*ids: str) -> list[Source]:
    by_id = {r[0]: r for r in RECORDS}
    return [Source(i, by_id[i][1], dict(by_id[i][2]), relevance=1.0 / (n + 1)) for n, i in enumerate(ids)]


def _retrieval(question: str, *ids: str) -> Retrieval:
    analysed = analyse(question, None, "en")
    return Retrieval(_sources(*ids), np.zeros(3, dtype=np.float32), "en", question=analysed)


def test_a_named_chapeau_is_followed_by_its_items_in_document_order() -> None:
    versions = Versions.build(RECORDS)
    retrieval = _retrieval("What does paragraph 5 of decision XI/16 ask?", "p5b", "p5", "guide")
    joined = join_named_paragraphs(retrieval, versions)
    # 5(b), ranked first on its own, moves under its chapeau; 5(a)(i) belongs to 5(a).
    assert [s.chunk_id for s in joined.sources] == ["p5", "p5a", "p5b", "guide"]
    assert joined.items == {"p5": ("p5a", "p5b")}
    chapeau = joined.sources[0]
    assert all(s.relevance == chapeau.relevance for s in joined.sources[1:3])  # read as part of it


def test_nothing_changes_unless_the_question_names_a_paragraph_of_that_decision() -> None:
    versions = Versions.build(RECORDS)
    for question in (
        "What does decision XI/16 ask of the Executive Secretary?",  # no paragraph named
        "What does paragraph 5 of decision XII/19 ask?",  # another decision's paragraph 5
        "What does paragraph 4 of decision XI/16 urge?",  # named, but it has no items
    ):
        retrieval = _retrieval(question, "p5", "p4", "guide")
        assert join_named_paragraphs(retrieval, versions) is retrieval, question


def test_the_composer_quotes_the_chapeau_and_every_item_each_cited() -> None:
    from assistant.answering.extractive import ExtractiveComposer

    versions = Versions.build(RECORDS)
    retrieval = join_named_paragraphs(
        _retrieval("What does paragraph 5 of decision XI/16 ask?", "p5", "guide"), versions
    )
    retrieval.support = 0.9
    answer = ExtractiveComposer(None, Settings()).compose("What does paragraph 5 ask?", retrieval)
    assert answer.supported
    assert [(c.n, c.paragraph) for c in answer.citations] == [(1, "5"), (2, "5(a)"), (3, "5(b)")]
    quote = answer.text.split("\n", 1)[1]
    assert quote == "> text of p5 [1]\n>\n> text of p5a [2]\n>\n> text of p5b [3]"
    assert [s["citations"] for s in answer.sentences if not s.get("frame")] == [[1], [2], [3]]
    # "Shorter" quotes fewer sentences, not the whole list again.
    brief = ExtractiveComposer(None, Settings()).briefer()
    assert not brief.whole_paragraphs
