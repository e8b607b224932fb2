"""Abbreviations learned from the corpus and spelled out in questions.

Unit tests on hand-made text, then end to end on the bundled corpus and model.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.retrieval.acronyms import expand_acronyms, find_acronyms
from assistant.retrieval.lexical import LexicalIndex

DEFINING = "The Conference of the Parties (COP) met in Hyderabad. The Society for Ecological Restoration (SER) wrote standards."
WRITTEN_OUT = [
    "Implementing previous decisions of the Conference of the Parties on restoration.",
    "To compile all decisions of the Conference of the Parties on ecosystem restoration.",
    "Standards of the Society for Ecological Restoration (SER) list eight principles.",
]


def test_definitions_are_found_with_their_long_form() -> None:
    found = find_acronyms([DEFINING, *WRITTEN_OUT], min_unabbreviated=0)
    assert found == {"COP": "Conference of the Parties", "SER": "Society for Ecological Restoration"}


def test_a_long_form_starts_at_the_word_its_first_letter_names() -> None:
    text = "They use the Framework for Ecosystem Restoration Monitoring (FERM) and a Forest landscape restoration (FLR) plan."
    found = find_acronyms([text], min_unabbreviated=0)
    assert found["FERM"] == "Framework for Ecosystem Restoration Monitoring"
    assert found["FLR"] == "Forest landscape restoration"


def test_parentheses_that_are_not_abbreviations_are_ignored() -> None:
    text = "Paragraph 1(b) of the decision (see annex) and article 8(j) (Convention text)."
    assert find_acronyms([text], min_unabbreviated=0) == {}


def test_only_long_forms_written_without_the_abbreviation_are_kept() -> None:
    # "Conference of the Parties" stands alone in two passages; the Society's name never
    # appears without "(SER)", so spelling SER out would only favour its definition.
    assert find_acronyms([DEFINING, *WRITTEN_OUT]) == {"COP": "Conference of the Parties"}


def test_expansion_spells_out_each_known_abbreviation_once() -> None:
    acronyms = {"COP": "Conference of the Parties", "SER": "Society for Ecological Restoration"}
    assert (
        expand_acronyms("What did COP 11 and COP 12 decide?", acronyms)
        == "What did COP (Conference of the Parties) 11 and COP 12 decide?"
    )
    # Already spelled out, unknown, or part of a word or symbol: unchanged.
    question = "What did the Conference of the Parties (COP) say about FERI, COPs and XI/16?"
    assert expand_acronyms(question, acronyms) == question
    assert expand_acronyms("cop", acronyms) == "cop"
    assert expand_acronyms("COP", {}) == "COP"


@pytest.mark.e2e
def test_the_lexical_index_keeps_its_abbreviations_across_a_reload(corpus_store: Any, real_embeddings: Any) -> None:
    from assistant.store.chroma import open_store

    store = open_store(corpus_store, real_embeddings)
    built = LexicalIndex.load_or_build(store, corpus_store.cache_dir)
    reloaded = LexicalIndex.load_or_build(store, corpus_store.cache_dir)
    assert built.acronyms["COP"] == "Conference of the Parties"
    assert reloaded.acronyms == built.acronyms


@pytest.mark.e2e
def test_a_question_in_abbreviations_finds_the_paragraph_that_writes_them_out(corpus_assistant: Any) -> None:
    # Decision XI/16 never writes "COP": 1(a) speaks of "previous decisions of the
    # Conference of the Parties", 5(d) of "all decisions of the Conference of the Parties".
    question = "Does XI/16 expect countries to act on what earlier COP decisions already said about restoration?"
    answer = corpus_assistant.ask(question)
    assert answer.trace["search_query"].startswith(
        "Does XI/16 expect countries to act on what earlier COP (Conference of the Parties) decisions"
    )
    top = [(r["doc_id"], r["paragraph"]) for r in answer.trace["retrieved"][:5]]
    assert ("cbd-dec-xi-16-en", "1(a)") in top
