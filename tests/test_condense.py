"""Follow-up condensation: rules without an LLM, the LLM when it answers, and e2e."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.condense import condense_question, is_follow_up
from assistant.records import Turn

XI16 = Turn(
    question="What does decision XI/16 urge Parties to do about ecosystem restoration?",
    doc_ids=("cbd-dec-xi-16-en", "case-loess-plateau-china"),
)


@pytest.mark.parametrize(
    "question",
    [
        "And what about its funding?",
        "What about indigenous peoples?",
        "那么关于能力建设呢？",
        "它对资金有什么规定？",
        "Et le financement ?",
        "funding?",
    ],
)
def test_follow_ups_are_recognised(question: str) -> None:
    assert is_follow_up(question, [XI16])


def test_a_question_without_history_or_that_stands_alone_is_not_a_follow_up() -> None:
    assert not is_follow_up("And what about its funding?", [])
    standalone = "Which case studies restored mangroves in West Africa?"
    assert not is_follow_up(standalone, [XI16])
    condensed = condense_question(standalone, [XI16])
    assert condensed.query == standalone
    assert condensed.focus_docs == ()
    assert not condensed.follow_up


def test_rules_carry_the_topic_terms_and_document_focus() -> None:
    condensed = condense_question("And what about its funding?", [XI16])
    assert condensed.follow_up and condensed.method == "rules"
    assert condensed.query.startswith("And what about its funding?")
    assert "xi/16" in condensed.query  # the decision symbol comes first among carried terms
    assert "restoration" in condensed.query
    assert "urge" not in condensed.query.split("?", 1)[1]  # generic verbs are not carried
    assert condensed.focus_docs == XI16.doc_ids
    assert condensed.language == "en"


def test_the_follow_up_keeps_its_own_language() -> None:
    condensed = condense_question("那么关于能力建设呢？", [XI16])
    assert condensed.language == "zh"
    assert condensed.query.startswith("那么关于能力建设呢？")


def test_the_previous_condensed_query_is_the_topic_of_a_chain_of_follow_ups() -> None:
    second = Turn("And its funding?", ("cbd-dec-xi-16-en",), condensed="And its funding? xi/16 ecosystem")
    condensed = condense_question("What about capacity building?", [XI16, second])
    assert "xi/16" in condensed.query and "ecosystem" in condensed.query
    assert condensed.focus_docs == ("cbd-dec-xi-16-en",)


class _Rewriter:
    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, int]] = []

    def condense(self, question: str, history: Any) -> str | None:
        self.calls.append((question, len(history)))
        return self.answer


def test_an_llm_rewrite_is_used_and_rules_take_over_when_it_fails() -> None:
    llm = _Rewriter("How does decision XI/16 address funding for ecosystem restoration?")
    condensed = condense_question("And its funding?", [XI16], llm=llm)
    assert condensed.method == "llm" and condensed.query == llm.answer
    assert llm.calls == [("And its funding?", 1)]
    failed = condense_question("And its funding?", [XI16], llm=_Rewriter(None))
    assert failed.method == "rules" and "xi/16" in failed.query


@pytest.mark.e2e
def test_a_follow_up_is_answered_from_the_decision_in_focus(corpus_assistant: Any) -> None:
    first = corpus_assistant.ask(
        "What does decision XI/16 urge Parties to do about the causes of degradation?"
    )
    follow = corpus_assistant.ask(
        "And what about financial resources?", history=[Turn.of(first.trace["question"], first)]
    )
    assert follow.trace["follow_up"] is True
    assert "xi/16" in follow.trace["condensed_query"]
    assert follow.supported
    assert any(c.doc_id.startswith("cbd-dec-xi-16") for c in follow.citations)
    alone = corpus_assistant.ask("And what about financial resources?")
    assert alone.trace["follow_up"] is False
