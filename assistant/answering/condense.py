"""Condense a follow-up question with the conversation into a standalone query.

Whether a question is a follow-up is read from what it says, not from lists of
connectives or pronouns: a question that names a topic of its own — a word rare in
general language (wordfreq's Zipf scale, in the question's language), a proper name,
or a decision symbol — that the last turn did not mention stands alone and starts
fresh; one that names no topic of its own ("and how much did it cost?", "用中文呢？",
"وما هي السمات الست…" after a question on the same wheel in French) leans on the
conversation, and so does a question in another language than the last one: a
language switch keeps the topic, a change of subject drops it.

A request for the last answer again — shorter ("shorter, please", "简单一点"), or in a
language it names with no topic of its own ("请用中文再说一遍", "¿Me lo puedes dar en
español?") — is searched with the last question's own query, so it finds the same
passages (in that language's version where the corpus has one).

Without an LLM (the default) a follow-up keeps its own words and gains the previous
topic's rarest terms, and the documents the previous answer cited become the
retrieval's focus. With an LLM composer, the LLM rewrites the question; if that fails
the same rules apply.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.answering.evidence import salient_terms
from assistant.core.records import Turn
from assistant.language.detect import detect_language
from assistant.language.messages import asked_language, asks_shorter
from assistant.language.references import reference_phrases

__all__ = ["Condensed", "FollowUpRule", "asks_again", "condense_question", "is_follow_up", "topic_terms"]

# Decision symbols and document numbers name a topic in any language: XI/16, 16/31, 3/COP.15.
_SYMBOL = re.compile(r"\b(?:[IVXL]+|\d{1,2})/(?:\d{1,3}|COP\.?\d+)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FollowUpRule:
    """Where the follow-up rules draw their lines, on wordfreq's Zipf scale.

    The defaults are the settings' (``follow_up_*``, ``evidence_common_part_zipf``), set on
    the dev conversations.
    """

    # A word rarer than this names a topic: "sediment", "peatlands", "塞内加尔"; "batch",
    # "simpler" and "funding" do not.
    topic_zipf: float = 3.5
    # Below this a word carries content ("restored", "happened"); above it, it is a
    # function word of the language ("what", "the", "和", "呢").
    content_zipf: float = 5.0
    # The previous topic's words rarer than this are carried into a follow-up's query.
    carry_zipf: float = 4.5
    # At most this many of them (symbols first, then the rarest words).
    carried_terms: int = 8
    # A Chinese compound of parts at least this common is common (see evidence.zipf).
    common_part_zipf: float = 5.5

    @classmethod
    def of(cls, settings: Any) -> FollowUpRule:
        """Read the rule from the settings."""
        return cls(
            topic_zipf=settings.follow_up_topic_zipf,
            content_zipf=settings.follow_up_content_zipf,
            carry_zipf=settings.follow_up_carry_zipf,
            carried_terms=settings.follow_up_carried_terms,
            common_part_zipf=settings.evidence_common_part_zipf,
        )



class QuestionRewriter(Protocol):
    """An LLM able to rewrite a follow-up into a standalone question."""

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """Return the standalone question, or None when the LLM could not do it."""
        ...


@dataclass(frozen=True)
class Condensed:
    """The query retrieval runs with, and how it was made."""

    query: str
    language: str
    follow_up: bool = False
    focus_docs: tuple[str, ...] = ()
    method: str = "none"
    elapsed_ms: float = 0.0
    # "shorter" or "language" when the question asks for the last answer again (asks_again).
    again: str = ""


def topic_terms(
    text: str,
    language: str,
    max_zipf: float = FollowUpRule.topic_zipf,
    common_part_zipf: float = FollowUpRule.common_part_zipf,
) -> list[str]:
    """Return the words of ``text`` that name a topic: symbols, names, rare words.

    A name is a capitalised word that does not open a sentence ("Costa Rica",
    "Great Green Wall"), or a word in another script than the text's language.
    """
    symbols = list(_SYMBOL.finditer(text))
    found = [m.group(0).upper() for m in symbols]
    for term in salient_terms(
        text, language, max_zipf=10.0, min_chars=2, common_part_zipf=common_part_zipf
    ):
        if _inside(term.position, symbols):
            continue
        if term.zipf < max_zipf or _is_name(term.text, term.position, text):
            found.append(term.text)
    return list(dict.fromkeys(found))


def _inside(position: int, spans: Sequence[re.Match[str]]) -> bool:
    return any(m.start() <= position < m.end() for m in spans)


def _is_name(word: str, position: int, text: str) -> bool:
    if not word[:1].isupper():
        return False
    before = text[:position].rstrip()
    return bool(before) and before[-1] not in ".!?¿¡:：" or word.isupper() and len(word) > 1


def is_follow_up(
    question: str, history: Sequence[Turn], language: str | None = None, rule: FollowUpRule = FollowUpRule()
) -> bool:
    """Whether ``question`` leans on the conversation rather than standing alone.

    It does when it switches language (the topic stays), names no topic of its own,
    names only topics the last turn named, or is nothing but a topic ("和塞内加尔的比呢？",
    "What about Costa Rica?": no other content word, so the rest of the question is
    the last one's).
    """
    if not history:
        return False
    previous = history[-1]
    language = language or detect_language(question, default=_previous_language(history))
    if language != detect_language(previous.question, default=language):
        return True
    own = topic_terms(question, language, rule.topic_zipf, rule.common_part_zipf)
    earlier = f"{previous.question} {previous.condensed}".casefold()
    if not own or all(term.casefold() in earlier for term in own):
        return True
    named = {term.casefold() for term in own}
    content = [
        t
        for t in salient_terms(
            question,
            language,
            max_zipf=rule.content_zipf,
            min_chars=2,
            common_part_zipf=rule.common_part_zipf,
        )
        if t.text.casefold() not in named
    ]
    return not content


def _carried_terms(topic: str, question: str, rule: FollowUpRule) -> list[str]:
    """Return what the previous topic named, none of it already asked.

    Its symbols, named paragraphs and numbered parts ("paragraph 2(g)", "Target 14"),
    then its rarer words, rarest first.
    """
    language = detect_language(topic)
    asked = question.casefold()
    spans = list(_SYMBOL.finditer(topic))
    words = sorted(
        (
            t
            for t in salient_terms(
                topic,
                language,
                max_zipf=rule.carry_zipf,
                min_chars=2,
                common_part_zipf=rule.common_part_zipf,
            )
            if not _inside(t.position, spans)
        ),
        key=lambda t: t.zipf,
    )
    terms = [*(m.group(0) for m in spans), *reference_phrases(topic), *(t.text for t in words)]
    return [t for t in dict.fromkeys(terms) if t.casefold() not in asked][: rule.carried_terms]


def condense_question(
    question: str,
    history: Sequence[Turn],
    llm: QuestionRewriter | Any | None = None,
    rule: FollowUpRule = FollowUpRule(),
    known: Callable[[str], bool] | None = None,
) -> Condensed:
    """Return the standalone query for ``question`` given the earlier ``history``.

    A question that stands alone is returned unchanged (with no focus), so a change of
    topic is not dragged back to the previous one. ``known`` tells whether the corpus
    has a word (see :func:`asks_again`).
    """
    started = time.perf_counter()
    language = detect_language(question, default=_previous_language(history))
    # An LLM rewrites such a request itself, as one about the answer's form.
    again = asks_again(question, history, language, rule, known) if llm is None else ""
    if again:
        previous = history[-1]
        topic = previous.condensed or previous.question
        if again == "language":  # "en anglais, s'il vous plaît": the language named
            language = asked_language(question, language) or language
        return Condensed(topic, language, True, previous.doc_ids[:3], "last answer", _ms(started), again)
    if not is_follow_up(question, history, language, rule):
        return Condensed(question, language, elapsed_ms=_ms(started))
    previous = history[-1]
    focus = previous.doc_ids[:3]
    if llm is not None and hasattr(llm, "condense"):
        rewritten = llm.condense(question, history)
        if rewritten:
            return Condensed(rewritten, language, True, focus, "llm", _ms(started))
    topic = previous.condensed or previous.question
    carried = _carried_terms(topic, question, rule)
    query = f"{question} {' '.join(carried)}".strip() if carried else question
    return Condensed(query, language, True, focus, "rules", _ms(started))


def asks_again(
    question: str,
    history: Sequence[Turn],
    language: str,
    rule: FollowUpRule = FollowUpRule(),
    known: Callable[[str], bool] | None = None,
) -> str:
    """Return "shorter" or "language" when ``question`` asks for the last answer again, else "".

    "Shorter, please" in any wording the language's command vocabulary has, unless the
    question names a topic of its own ("Summarise the Loess Plateau case"); with ``known``
    (whether the corpus has a word) a rare word the corpus lacks is no topic ("一两句话").
    A question that names a language and no topic of its own ("用中文", "In English
    please", "en anglais, s'il vous plaît") asks for the same answer in that language.
    """
    if not history:
        return ""
    if asks_shorter(question, language):
        previous = f"{history[-1].question} {history[-1].condensed}".casefold()
        own = _own_topics(question, language, rule, known)
        if all(term.casefold() in previous for term in own):
            return "shorter"
    if asked_language(question, language) and not _own_topics(question, language, rule, known):
        return "language"
    return ""


def _own_topics(
    question: str, language: str, rule: FollowUpRule, known: Callable[[str], bool] | None
) -> list[str]:
    """Return the topics a request about the last answer names.

    Rare words (the corpus's, when ``known`` tells), other than its command ("summarise")
    and the language it names.
    """
    own = [
        t
        for t in topic_terms(question, language, rule.topic_zipf, rule.common_part_zipf)
        if not asked_language(t, language) and not asks_shorter(t, language)
    ]
    return [t for t in own if known(t)] if known is not None else own


def _previous_language(history: Sequence[Turn]) -> str:
    return detect_language(history[-1].question) if history else "en"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
