"""Place names translated into the corpus's main language before searching.

Unit tests on the expansion, then end to end on the bundled corpus and model.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.language.places import expand_places


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("卢旺达已经恢复了多少公顷土地？", "zh", "卢旺达已经恢复了多少公顷土地？ (Rwanda)"),
        # The longest name wins: Indonesia, not India.
        ("印度尼西亚的恢复目标是多少？", "zh", "印度尼西亚的恢复目标是多少？ (Indonesia)"),
        ("盧安達恢復了多少土地？", "zh", "盧安達恢復了多少土地？ (Rwanda)"),
        ("¿Cuántas hectáreas ha restaurado Ruanda?", "es", "¿Cuántas hectáreas ha restaurado Ruanda? (Rwanda)"),
        ("Quelle superficie au Sénégal ?", "fr", "Quelle superficie au Sénégal ? (Senegal)"),
        ("Какую площадь восстановила Руанда?", "ru", "Какую площадь восстановила Руанда? (Rwanda)"),
        ("非洲绿色长城", "zh", "非洲绿色长城 (Africa)"),
        ("Le Niger et le Nigéria", "fr", "Le Niger et le Nigéria (Nigeria)"),
        # The UN's English names, which the corpus uses, over CLDR's ("Vietnam").
        ("越南红树林恢复的效果如何？", "zh", "越南红树林恢复的效果如何？ (Viet Nam)"),
        ("Что восстановила Турция?", "ru", "Что восстановила Турция? (Türkiye)"),
    ],
)
def test_places_are_named_in_the_corpus_language(question: str, language: str, expected: str) -> None:
    assert expand_places(question, language, "en") == expected


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How many hectares has Rwanda restored?", "en"),  # already in the corpus's language
        ("其中非常重要的是什么？", "zh"),  # "中非" (Middle Africa) inside other words
        ("¿Qué es la restauración de ecosistemas?", "es"),  # no place at all
    ],
)
def test_questions_without_foreign_place_names_are_unchanged(question: str, language: str) -> None:
    assert expand_places(question, language, "en") == question


def test_an_unknown_target_language_leaves_the_question_alone() -> None:
    assert expand_places("卢旺达", "zh", "") == "卢旺达"
    assert expand_places("卢旺达", "zh", "xx-unknown") == "卢旺达"


@pytest.mark.e2e
def test_a_chinese_question_about_a_country_finds_its_english_case_study(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("卢旺达已经恢复了多少公顷土地？")
    assert answer.trace["search_query"].endswith("(Rwanda)")
    top = [r["doc_id"] for r in answer.trace["retrieved"][:5]]
    assert "case-rwanda-flr" in top
