"""Fusion: weighted reciprocal rank over the ranked lists, plus a declared table of signals.

Each signal rewards one property of a passage (its language, its document, its paragraph)
with a bonus of ``weight / (rrf_k + 1)``: as much as being ranked first by a list of that
weight, for a question ranked by the dense and BM25 lists. A question in another language
than most passages is ranked by a cross-lingual list too, which adds to every score; its
bonuses grow in the same proportion, so a signal weighs as much among its scores (see
:func:`bonus_unit`). Adding a signal is one entry in :data:`SIGNALS` (name, weight
setting, what it rewards, the test) and one setting; :func:`fuse` needs no change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from assistant.core.settings import Settings
from assistant.language.answer_types import is_list, states_figure
from assistant.retrieval.candidates import Candidate, Candidates, names_asked_part
from assistant.retrieval.question import Question

__all__ = [
    "ANSWER_TYPE", "SIGNALS", "Context", "Signal", "bonus_unit", "fuse", "names_paragraph", "with_signal",
]


@dataclass(frozen=True)
class Context:
    """What signals read besides the question: the conversation's documents and the catalogue."""

    focus_docs: tuple[str, ...] = ()
    decisions: dict[str, set[str]] | None = None  # decision symbol -> its paragraphs

    def names_document(self, meta: dict[str, Any], question: Question) -> bool:
        """Whether a chunk belongs to a document the question names by symbol.

        Where the corpus holds the decision itself, it is the one named: summaries and
        briefs about it carry its symbol too, but they are not the text being asked about.
        """
        symbol = str(meta.get("symbol", "")).upper()
        if not question.symbols or symbol not in question.symbols:
            return False
        return symbol not in (self.decisions or {}) or meta.get("kind") == "decision"


@dataclass(frozen=True)
class Signal:
    """One property of a passage that fusion rewards."""

    name: str
    weight: str  # the Settings field holding its weight
    rewards: str
    applies: Callable[[Candidate, Question, Context], bool]


def names_paragraph(meta: dict[str, Any], q: Question, ctx: Context) -> bool:
    """Whether a chunk is a paragraph the question names (of the decision it names, if any)."""
    if not q.paragraphs or str(meta.get("paragraph", "")) not in q.paragraphs:
        return False
    return ctx.names_document(meta, q) or not q.symbols


# Order matters only for floating-point sums; it is the order the bonuses were added in.
SIGNALS: tuple[Signal, ...] = (
    Signal("language", "language_weight", "passages in the question's language",
           lambda c, q, ctx: c.metadata.get("language") == q.language),
    Signal("focus", "focus_weight", "documents the conversation is about",
           lambda c, q, ctx: bool(ctx.focus_docs) and c.metadata.get("doc_id") in ctx.focus_docs),
    Signal("decision", "decision_weight", "a decision's own text when 'the decision' is asked about",
           lambda c, q, ctx: q.about_a_decision and c.metadata.get("kind") == "decision"),
    Signal("symbol", "symbol_weight", "the document the question names by symbol (XI/16)",
           lambda c, q, ctx: ctx.names_document(c.metadata, q)),
    Signal("paragraph", "paragraph_weight", "the paragraph the question names (para. 1(b))",
           lambda c, q, ctx: names_paragraph(c.metadata, q, ctx)),
    Signal("locator", "locator_weight", "passages naming the numbered part the question names (Target 2, 目标2)",
           lambda c, q, ctx: names_asked_part(q, c.text, c.metadata)),
)

# Applied after a first choice on topic (see HybridRetriever.search): among passages on the
# topic, those giving the kind of answer asked for (an area, a list) come first.
ANSWER_TYPE = Signal(
    "answer_type", "answer_type_weight", "passages giving the asked kind of answer (an amount, a list)",
    lambda c, q, ctx: bool(q.figure and states_figure(c.text, q.figure)) or (q.wants_list and is_list(c.text)),
)


def _pair_key(meta: dict[str, Any]) -> tuple[str, str] | None:
    """Return the paragraph shared by a document and its translations, if the chunk is one."""
    paragraph = str(meta.get("paragraph") or "")
    if not paragraph:
        return None
    return (str(meta.get("translation_of") or meta.get("doc_id")), paragraph)


def _group_ranks(candidates: Iterable[Candidate]) -> dict[tuple[str, str], dict[str, int]]:
    """Best rank per list over each paragraph's language versions."""
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for c in candidates:
        key = _pair_key(c.metadata)
        if key is None:
            continue
        best = groups.setdefault(key, {})
        for name, rank in c.ranks.items():
            best[name] = min(rank, best.get(name, rank))
    return groups


def fuse(
    found: Candidates,
    weights: dict[str, float],
    question: Question,
    settings: Settings,
    context: Context,
    signals: tuple[Signal, ...] = SIGNALS,
) -> dict[str, float]:
    """Score every candidate: reciprocal ranks by list weight, then the signals' bonuses.

    A paragraph and its translation pool their evidence: the best rank of either in each
    list counts for both.
    """
    groups = _group_ranks(found.by_id.values())
    unit = bonus_unit(weights, settings)
    fused: dict[str, float] = {}
    for cid, c in found.by_id.items():
        by_list = groups.get(_pair_key(c.metadata), c.ranks)  # type: ignore[arg-type]
        score = sum(weights[name] / (settings.rrf_k + rank) for name, rank in by_list.items())
        for signal in signals:
            if signal.applies(c, question, context):
                score += getattr(settings, signal.weight) * unit
        fused[cid] = score
    return fused


def bonus_unit(weights: dict[str, float], settings: Settings) -> float:
    """Return a signal's bonus per unit of weight: a first rank, scaled by the lists in play.

    With the dense and BM25 lists at their set weights this is ``1 / (rrf_k + 1)``; the
    cross-lingual list (and BM25's trust) change the sum of the lists' weights, and the
    unit changes with it.
    """
    base = settings.dense_weight + settings.lexical_weight
    scale = sum(weights.values()) / base if base > 0 else 1.0
    return scale / (settings.rrf_k + 1)


def with_signal(
    fused: dict[str, float], found: Candidates, signal: Signal, question: Question, settings: Settings
) -> dict[str, float]:
    """Add one more signal's bonus to scores already fused.

    The bonus is the plain unit, ``weight / (rrf_k + 1)``: this signal orders passages
    already chosen as on the topic, and its weight was set so (scaled like the others it
    cost one dev item).
    """
    bonus = getattr(settings, signal.weight) / (settings.rrf_k + 1)
    context = Context()
    return {
        cid: score + (bonus if signal.applies(found.by_id[cid], question, context) else 0.0)
        for cid, score in fused.items()
    }
