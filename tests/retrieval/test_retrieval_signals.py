"""Signals the fusion uses beside dense and BM25: named symbols, languages, translations."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.language.references import named_symbols
from assistant.retrieval.lexical import LexicalIndex


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does decision XI/16 say about causes?", {"XI/16"}),
        ("第XI/16号决定对能力建设有什么规定？", {"XI/16"}),
        ("Compare decisions xii/19 and XIII/5", {"XII/19", "XIII/5"}),
        ("What is Target 2 of the framework?", set()),
        ("Articles 8(j) and 10(c)", set()),
        # Decisions numbered in Arabic figures, named as decisions; a bare fraction is not one.
        ("What does paragraph 40 of decision 16/31 request?", {"16/31"}),
        ("第16/31号决定第27段要求什么？", {"16/31"}),
        ("Que demande la décision 15/4 ?", {"15/4"}),
        ("See CBD/COP/DEC/16/31 and decision XI/16", {"16/31", "XI/16"}),
        ("Mix soil and compost 16/31 by volume", set()),
        # Arabic texts write the Roman meeting numbers of COP 1–12 in Arabic figures.
        ("ماذا يقول المقرر 11/16 بشأن الظواهر الجوية المتطرفة؟", {"XI/16"}),
        ("What does decision 12/19 say?", {"XII/19"}),
        ("ما الذي يطلبه المقرر 16/31؟", {"16/31"}),
    ],
)
def test_decision_symbols_are_read_from_questions(question: str, expected: set[str]) -> None:
    assert named_symbols(question) == expected


def _index(rows: list[dict[str, Any]]) -> LexicalIndex:
    return LexicalIndex.build([(f"c{i}", f"text {i}", meta) for i, meta in enumerate(rows)])


def test_language_share_and_translated_documents() -> None:
    index = _index(
        [
            {"doc_id": "dec-zh", "language": "zh"},
            {"doc_id": "dec-en", "language": "en", "translation_of": "dec-zh"},
            {"doc_id": "brief", "language": "en"},
            {"doc_id": "brief", "language": "en"},
            {"doc_id": "summary-es", "language": "es"},
        ]
    )
    assert index.language_share("en") == pytest.approx(0.6)
    assert index.language_share("fr") == 0.0
    # A Chinese question already has the decision in Chinese: its English translation is not
    # "other-language evidence"; the English brief is.
    assert index.translated_into("zh") == ("dec-en",)
    assert index.translated_into("en") == ("dec-zh",)
    assert index.translated_into("es") == ()
