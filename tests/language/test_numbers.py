"""Numbers in words and ordinals as keys shared by every language (text2num is real)."""

from __future__ import annotations

import pytest

from assistant.language.numbers import in_digits, ordinal_keys
from assistant.retrieval.lexical import search_terms


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("reporting against indicators in the seventh national report, due in February 2026", "en"),
        ("date limite de remise du 7e rapport national", "fr"),
        ("la remise du septième rapport national", "fr"),
        ("¿para cuándo debe presentarse el séptimo informe nacional?", "es"),
        ("Когда сдавать 7-й национальный доклад?", "ru"),
        ("第七次国家报告什么时候提交？", "zh"),
    ],
)
def test_an_ordinal_is_the_same_key_in_every_language(text: str, language: str) -> None:
    assert ordinal_keys(text, language) == ["ord#7"]


def test_what_is_no_ordinal_gives_no_key() -> None:
    assert ordinal_keys("The first time, a second edition, one of the last tracts.", "en") == []
    assert ordinal_keys("Figure 2a shows a 1.5e-3 share in the 1990s.", "en") == []
    assert ordinal_keys("第十五次会议和第21届大会", "zh") == ["ord#15", "ord#21"]


def test_numbers_in_words_are_put_in_digits() -> None:
    assert in_digits("approximately two million hectares", "en") == "approximately 2000000 hectares"
    assert in_digits("deux millions d'hectares", "fr") == "2000000 d'hectares"
    assert in_digits("два миллиона гектаров", "ru") == "два миллиона гектаров"  # not read: left as is


def test_a_question_and_a_passage_in_two_languages_share_the_ordinals_key() -> None:
    passage = search_terms("in the seventh national report, due in February 2026", "en")
    question = search_terms("¿para cuándo debe presentarse el séptimo informe nacional?", "es")
    assert "ord#7" in passage and "ord#7" in question
