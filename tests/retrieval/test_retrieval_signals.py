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


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("What is the headline indicator for target 2?", ["target#2"]),
        ("¿Qué dicen las metas 2 y 3?", ["target#2", "target#3"]),
        ("Quel indicateur accompagne la cible 8 ?", ["target#8"]),
        ("监测框架中目标2的主要指标是什么？", ["target#2"]),
        ("第8条规定了什么？", ["article#8"]),
        ("ما هو المؤشر الرئيسي للهدف 2؟", ["target#2"]),
        ("الغاية 3 والمادة 8", ["target#3", "article#8"]),
        ("Каков главный показатель цели 2?", ["target#2"]),
        ("Principle 5 of the FLR principles", ["principle#5"]),
        # A table names the numbers in a column headed by a locator word, not in others.
        ("| Goal/target | Headline |\n|---|---|\n| 2 | 2.1 Area |\n| D | D.1 Funding |", ["target#2"]),
        ("| Row | Value |\n|---|---|\n| 2 | x |", []),
        ("Restore 30 per cent of degraded land by 2030", []),
    ],
)
def test_numbered_parts_are_one_search_key_in_every_language(text: str, keys: list[str]) -> None:
    from assistant.language.references import locator_keys

    assert locator_keys(text) == keys


def test_bm25_finds_a_table_row_by_the_target_a_question_names() -> None:
    # The row of target 2 says "2" under "Goal/target"; another passage says "target" and
    # "2" apart. The key "target#2" is one rare term both the question and the row hold.
    row = "| Goal/target | Headline or binary indicator |\n|---|---|\n| 2 | 2.1 Area under restoration |"
    prose = "Each target of the framework has 2 or more indicators."
    other = "| Goal/target | Headline or binary indicator |\n|---|---|\n| 3 | 3.1 Coverage of protected areas |"
    index = LexicalIndex.build([("row", row, {}), ("prose", prose, {}), ("other", other, {})])
    from assistant.retrieval.question import analyse

    question = analyse("What is the headline indicator for target 2 of the monitoring framework?", index, "en")
    assert question.locators == {"target#2"}
    assert [index.ids[hit.index] for hit in index.search(question.terms, 3)][0] == "row"
    assert [index.ids[hit.index] for hit in index.search(["target#2"], 3)] == ["row"]  # the key alone
