"""Condense a follow-up question with the conversation into a standalone query.

Without an LLM (the default) a follow-up such as "and what about its funding?" keeps
its own words and gains the previous topic's key terms ("decision XI/16 ecosystem
restoration"), and the documents the previous answer cited become the retrieval's
focus. With an LLM composer, the LLM rewrites the question; if that fails the same
rules apply.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.language import detect_language
from assistant.lexical import tokenize
from assistant.records import Turn

__all__ = ["Condensed", "condense_question", "is_follow_up"]

# Openings that only make sense after an earlier question, per language.
_CONNECTORS = re.compile(
    r"^\s*(?:and|also|what about|how about|then|so|but|"
    r"y|¿\s*y|e|et|et pour|qu'en est-il|quid|también|"
    r"还有|那么|那|另外|此外|并且|而且|以及|至于)\b",
    re.IGNORECASE,
)
_CJK_CONNECTOR = re.compile(r"^\s*(?:还有|那么|那|另外|此外|并且|而且|以及|至于|它|其)")
# Words that point back at something named earlier.
_ANAPHORA = frozenset(
    """it its they them their this that these those such the former latter same
    il elle ils elles son sa ses leur leurs ce cette ces celui celle
    él ella ellos ellas su sus este esta estos estas ese esa eso""".split()
)
_CJK_ANAPHORA = re.compile(r"它|其|该|这些|这个|这项|这一|此|上述|前者|后者")
# Generic words of questions: carrying them forward would add noise, not topic.
_GENERIC = frozenset(
    """say says said tell mean means ask asks asked should could would may might
    please explain list give example examples also more other about
    decision decisions parties partie party cop paragraph para corpus document
    urge urges invite invites request requests encourage encourages call calls""".split()
)
MAX_CARRIED_TERMS = 8
MAX_CONTENT_TERMS_OF_A_FOLLOW_UP = 3


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


def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    """Whether ``question`` leans on the conversation rather than standing alone."""
    if not history:
        return False
    if _CONNECTORS.match(question) or _CJK_CONNECTOR.match(question):
        return True
    if _CJK_ANAPHORA.search(question):
        return True
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", question)}
    if words & _ANAPHORA:
        return True
    return len(tokenize(question)) <= MAX_CONTENT_TERMS_OF_A_FOLLOW_UP - 1


def _key_terms(text: str, exclude: set[str]) -> list[str]:
    """Topic terms of ``text``: symbols and paragraph numbers first, then other words."""
    terms = [t for t in tokenize(text, stem=False) if t not in _GENERIC and t not in exclude and len(t) > 1]
    unique = list(dict.fromkeys(terms))
    return sorted(unique, key=lambda t: not re.search(r"\d", t))[:MAX_CARRIED_TERMS]


def condense_question(
    question: str, history: Sequence[Turn], llm: QuestionRewriter | Any | None = None
) -> Condensed:
    """Return the standalone query for ``question`` given the earlier ``history``.

    A question that stands alone is returned unchanged (with no focus), so a change of
    topic is not dragged back to the previous one.
    """
    started = time.perf_counter()
    language = detect_language(question, default=_previous_language(history))
    if not is_follow_up(question, history):
        return Condensed(question, language, elapsed_ms=_ms(started))
    previous = history[-1]
    focus = previous.doc_ids[:3]
    if llm is not None and hasattr(llm, "condense"):
        rewritten = llm.condense(question, history)
        if rewritten:
            return Condensed(rewritten, language, True, focus, "llm", _ms(started))
    topic = previous.condensed or previous.question
    carried = _key_terms(topic, set(tokenize(question, stem=False)))
    query = f"{question} {' '.join(carried)}".strip() if carried else question
    return Condensed(query, language, True, focus, "rules", _ms(started))


def _previous_language(history: Sequence[Turn]) -> str:
    return detect_language(history[-1].question) if history else "en"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
