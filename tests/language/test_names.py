"""Names written in Cyrillic, resolved to the corpus's Latin spelling."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.language.names import LatinNames, cyrillic_names, resolved_names
from assistant.retrieval.question import analyse

CORPUS = LatinNames(
    [
        "The Kissimmee River in Florida was channelised.",
        "Mangroves of Senegal; peat in Scotland and in Mecklenburg-Vorpommern.",
        "Altyn Dala covers the steppe of Kazakhstan. The Bonn Challenge was launched in 2011.",
    ]
)


def test_only_names_inside_a_sentence_are_taken() -> None:
    # A sentence's first word is capitalised whatever it is; a name in quotes is a name.
    assert cyrillic_names("Когда завершили работы на реке Киссимми?") == ["kissimmi"]
    assert cyrillic_names("Киссимми — река. Что делает «Алтын Дала»?") == ["altyn", "dala"]
    assert cyrillic_names("What is the Bonn Challenge?") == []


@pytest.mark.parametrize(
    ("written", "spelled"),
    [
        ("kissimmi", "Kissimmee"),  # a transliteration near the English spelling
        ("senegala", "Senegal"),  # a case ending
        ("bonnskiy", "Bonn"),  # an adjective's ending
        ("meklenburg", "Mecklenburg"),  # a spelling
        ("kazakhstana", "Kazakhstan"),
        ("shotlandii", None),  # a translated name is not a spelling: left to the model
        ("moskva", None),  # nothing near in the corpus
    ],
)
def test_a_transliteration_resolves_to_the_corpus_word_it_spells(written: str, spelled: str | None) -> None:
    assert CORPUS.resolve(written) == spelled


def test_the_question_searched_carries_the_corpus_spelling() -> None:
    question = "Когда официально завершили восстановление реки Киссимми во Флориде?"
    assert resolved_names(question, lambda: CORPUS) == ["Kissimmee", "Florida"]
    calls: list[int] = []
    assert resolved_names("How long is the Kissimmee?", lambda: calls.append(1) or CORPUS) == []
    assert calls == []  # no Cyrillic name: the corpus's names are not even gathered


@pytest.mark.e2e
def test_a_russian_question_naming_a_case_is_answered_from_it(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("Когда официально завершили восстановление реки Киссимми во Флориде?")
    assert answer.supported
    assert answer.citations[0].doc_id == "case-kissimmee-river-usa"
    assert "2021" in answer.text
    # A name the corpus does not write adds nothing to what is searched.
    unknown = analyse("Какие виды бабочек вернулись на реку Миссисипи?", corpus_assistant.retriever.lexical)
    assert unknown.searched == unknown.text
    known = analyse("Когда завершили работы на реке Киссимми?", corpus_assistant.retriever.lexical)
    assert known.searched.endswith("(Kissimmee)")
