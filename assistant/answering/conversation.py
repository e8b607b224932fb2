"""What a question and its conversation may be: limits checked before any work is done."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.errors import InvalidQuestion
from assistant.core.records import Turn
from assistant.core.settings import Settings

__all__ = ["recent_history", "validate_conversation", "validate_question"]

_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)


def validate_question(question: str, max_chars: int) -> str:
    """Return the trimmed question, or raise :class:`InvalidQuestion` saying what to fix."""
    text = (question or "").strip()
    if not text:
        raise InvalidQuestion("Please type a question.")
    if len(text) > max_chars:
        raise InvalidQuestion(
            f"The question is {len(text):,} characters long; please keep it under {max_chars:,}."
        )
    if not _WORDLIKE.search(text):
        raise InvalidQuestion("The question has no words to search for; please ask in words.")
    return text


def validate_conversation(question: str, history: Sequence[Turn], settings: Settings) -> None:
    """Refuse, in one line and before any work, a conversation over the turn or size limits.

    The question's own limit does not bound what a client sends as history (a million
    characters there would otherwise be condensed and searched).
    """
    if len(history) > settings.max_history_turns:
        raise InvalidQuestion(
            f"The conversation carries {len(history):,} earlier turns; at most"
            f" {settings.max_history_turns:,} are accepted (max_history_turns)."
        )
    size = len(question or "") + sum(len(t.question) + len(t.condensed) for t in history)
    if size > settings.max_conversation_chars:
        raise InvalidQuestion(
            f"The question and its earlier turns are {size:,} characters; at most"
            f" {settings.max_conversation_chars:,} are accepted (max_conversation_chars)."
        )


def recent_history(question: str, history: Sequence[Turn], settings: Settings) -> list[Turn]:
    """Keep the latest turns of a long chat that fit the conversation limits (the chat's memory)."""
    kept: list[Turn] = []
    size = len(question)
    for turn in reversed(list(history)[-settings.max_history_turns :] if settings.max_history_turns else []):
        size += len(turn.question) + len(turn.condensed)
        if size > settings.max_conversation_chars:
            break
        kept.append(turn)
    return kept[::-1]
