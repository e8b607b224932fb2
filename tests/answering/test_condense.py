"""Follow-up condensation: rules without an LLM, the LLM when it answers, and e2e."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.answering.condense import asks_again, condense_question, is_follow_up
from assistant.core.records import Turn

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


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        # Rare words of its own ("泥炭地", peatland) that the last turn did not name:
        # a new topic, though "应该" contains the character "该" ("that").
        ("退化的泥炭地应该怎样恢复？", "第XI/16号决定第2段邀请了哪些组织来支持各国？"),
        # A change of subject names its own topic ("Great Green Wall"), whatever "the" says.
        ("What are the Great Green Wall's targets for 2030?", "Does XI/16 say anything about e-learning?"),
        # Its own decision and paragraph.
        ("What does paragraph 1(b) of decision XIII/5 say?", "What does decision XI/16 say about funding?"),
    ],
)
def test_a_question_naming_its_own_topic_starts_fresh(question: str, previous: str) -> None:
    assert not is_follow_up(question, [Turn(previous)])


@pytest.mark.parametrize(
    ("question", "previous"),
    [
        ("和塞内加尔的比呢？", "越南红十字会的红树林项目一共种了多少公顷？"),  # nothing but a topic
        ("وما هي السمات الست التي تقيسها عجلة التعافي؟", "Qu'est-ce que la roue du rétablissement de la SER ?"),
        ("What about Aichi Target 15?", "What was Aichi Target 14 about?"),  # only topics named before
    ],
)
def test_an_elliptic_question_or_a_language_switch_keeps_the_topic(question: str, previous: str) -> None:
    assert is_follow_up(question, [Turn(previous)])


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
    carried = condensed.query.split("?", 1)[1].split()
    # The decision symbol first, then the previous topic's words, rarest first; words as
    # common as "does" or "about" are not carried.
    assert carried[:2] == ["XI/16", "ecosystem"]
    assert "restoration" in carried
    assert not {"does", "about", "what", "do"} & {w.casefold() for w in carried}
    assert condensed.focus_docs == XI16.doc_ids
    assert condensed.language == "en"


@pytest.mark.parametrize(
    ("previous", "carried"),
    [
        ("What does paragraph 2(g) of XI/16 ask for?", "paragraph 2(g)"),
        ("What was Aichi Target 14 about?", "Target 14"),
        ("第XI/16号决定第5段要求执行秘书做什么？", "第5段"),
    ],
)
def test_a_named_paragraph_or_numbered_part_is_carried_whole(previous: str, carried: str) -> None:
    # "Shorter" or "explain it again" still means that paragraph or that target, not the
    # document at large: the number is no rare word, so it is carried as a reference.
    condensed = condense_question("Can you explain it again, more simply?", [Turn(question=previous)])
    assert condensed.follow_up
    assert carried in condensed.query


def test_the_follow_up_keeps_its_own_language() -> None:
    condensed = condense_question("那么关于能力建设呢？", [XI16])
    assert condensed.language == "zh"
    assert condensed.query.startswith("那么关于能力建设呢？")


def test_the_previous_condensed_query_is_the_topic_of_a_chain_of_follow_ups() -> None:
    second = Turn("And its funding?", ("cbd-dec-xi-16-en",), condensed="And its funding? xi/16 ecosystem")
    condensed = condense_question("What about capacity building?", [XI16, second])
    assert "xi/16" in condensed.query.casefold() and "ecosystem" in condensed.query
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
    assert failed.method == "rules" and "XI/16" in failed.query


@pytest.mark.e2e
def test_a_follow_up_is_answered_from_the_decision_in_focus(corpus_assistant: Any) -> None:
    first = corpus_assistant.ask(
        "What does decision XI/16 urge Parties to do about the causes of degradation?"
    )
    follow = corpus_assistant.ask(
        "And what about financial resources?", history=[Turn.of(first.trace["question"], first)]
    )
    assert follow.trace["follow_up"] is True
    assert "XI/16" in follow.trace["condensed_query"]
    assert follow.supported
    assert any(c.doc_id.startswith("cbd-dec-xi-16") for c in follow.citations)
    alone = corpus_assistant.ask("And what about financial resources?")
    assert alone.trace["follow_up"] is False


# --- the last answer again: shorter, or in another language ----------------------------------

GGW = Turn(question="Summarise the measured outcomes of the Great Green Wall.", doc_ids=("case-great-green-wall-sahel",))


@pytest.mark.parametrize(
    ("question", "again", "language"),
    [
        ("请用中文再说一遍。", "language", "zh"),
        ("¿Me lo puedes dar en español?", "language", "es"),
        ("In English please", "language", "en"),
        ("en anglais, s'il vous plaît", "language", "en"),  # the language named, not the one written
        ("Ответьте, пожалуйста, по-русски.", "language", "ru"),
        ("Can you give me a much shorter, simpler version?", "shorter", "en"),
        ("Plus court, s'il vous plaît.", "shorter", "fr"),
        # A new ask in another language, or a new topic, is not the last answer again.
        ("Et combien de familles en ont bénéficié ?", "", "fr"),
        ("那关于传统知识，决定原文是怎么写的？", "", "zh"),
        ("Summarise the Loess Plateau case", "", "en"),
    ],
)
def test_a_request_for_the_last_answer_again_is_searched_with_the_last_query(
    question: str, again: str, language: str
) -> None:
    condensed = condense_question(question, [GGW])
    assert condensed.again == again
    assert condensed.language == language
    if again:
        assert condensed.query == GGW.question and condensed.follow_up
        assert condensed.focus_docs == GGW.doc_ids
    assert asks_again(question, [], language) == ""  # nothing to repeat without a conversation


def test_a_word_the_corpus_lacks_is_no_topic_of_a_shorter_request() -> None:
    question = "能不能说得简单一点，一两句话就行？"  # "一两句话" (one or two sentences) is rare in Chinese
    previous = [Turn(question="第XI/16号决定第1(h)段讲的是什么？")]
    assert asks_again(question, previous, "zh") == ""
    assert asks_again(question, previous, "zh", known=lambda term: False) == "shorter"
    assert asks_again(question, previous, "zh", known=lambda term: True) == ""
