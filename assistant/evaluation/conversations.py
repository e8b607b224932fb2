"""Run a conversation item turn by turn, carrying the chat's history, and sum it up per turn.

Each turn is asked as the chat asks it: with the earlier turns as
:class:`assistant.core.records.Turn` records (the question, the documents its answer cited
and its condensed query, made by ``Turn.of``), so a follow-up is condensed with the
conversation and a change of topic must stand on its own. Every turn is then scored
like a single item; the figures are per turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from assistant.answering.conversation import recent_history
from assistant.core.records import Turn
from assistant.evaluation.items import CONVERSATION_KINDS, EvalItem

__all__ = ["chat_memory", "conversation_summary", "run_conversation"]

# (turn item, earlier turns) -> (its result, the Answer it got)
Measure = Callable[[EvalItem, tuple[Turn, ...]], tuple[Any, Any]]
# (question, every earlier turn) -> the turns the chat passes with it
Memory = Callable[[str, list[Turn]], Sequence[Turn]]


def chat_memory(settings: Any) -> Memory:
    """Return how the chat bounds the history it passes (its latest turns within the limits)."""
    return lambda question, history: recent_history(question, history, settings)


def run_conversation(
    conversation: EvalItem, measure: Measure, memory: Memory | None = None
) -> Iterator[Any]:
    """Ask each turn with the turns before it as history, as the chat does; yield each result."""
    history: list[Turn] = []
    for number, turn in enumerate(conversation.turns, start=1):
        carried = memory(turn.question, history) if memory else history
        result, answer = measure(turn, tuple(carried))
        result.conversation = conversation.id
        result.turn = number
        yield result
        history.append(Turn.of(turn.question, answer))


def conversation_summary(
    results: Sequence[Any], block: Callable[[list[Any]], dict[str, Any]]
) -> dict[str, Any] | None:
    """Per-turn figures of the conversations in ``results``: overall, by turn and by kind.

    ``all_turns_passed`` is the share of conversations whose every turn passed every
    check (hit@5, refusal, key facts, answer language): one weak turn spoils a chat.
    """
    turns = [r for r in results if r.conversation]
    if not turns:
        return None
    conversations: dict[str, list[Any]] = {}
    for r in turns:
        conversations.setdefault(r.conversation, []).append(r)
    passed = [all(all(t.checks.values()) for t in ts) for ts in conversations.values()]
    kinds = [k for k in CONVERSATION_KINDS if any(k in r.tags for r in turns)]
    return {
        "n_conversations": len(conversations),
        "n_turns": len(turns),
        "all_turns_passed": round(sum(passed) / len(passed), 4),
        "overall": block(turns),
        "by_split": {
            split: block([r for r in turns if r.split == split])
            for split in dict.fromkeys(sorted(r.split for r in turns if r.split))
        },
        "by_turn": {
            str(n): block([r for r in turns if r.turn == n])
            for n in sorted({r.turn for r in turns})
        },
        "by_kind": {kind: block([r for r in turns if kind in r.tags]) for kind in kinds},
    }
