"""The reranker slot: an optional stage between fusion and diversification.

A reranker reorders the fused candidates (best first) with whatever it knows (a
cross-encoder, an LLM, a rule); diversification then picks from its order, and each
passage keeps its fused score as its relevance. None is configured by default. To add one,
implement :class:`Reranker` in a module of this package and pass it to
:class:`~assistant.retrieval.hybrid.HybridRetriever` (``reranker=``).
"""

from __future__ import annotations

from typing import Protocol

from assistant.retrieval.candidates import Candidate
from assistant.retrieval.question import Question

__all__ = ["Reranker", "rerank"]


class Reranker(Protocol):
    """Reorders candidates for a question; may drop some, must not invent any."""

    def rerank(self, question: Question, candidates: list[Candidate]) -> list[Candidate]:
        """Return ``candidates`` in a new order, best first."""
        ...


def rerank(
    reranker: Reranker | None, question: Question, ordered: list[str], by_id: dict[str, Candidate]
) -> list[str]:
    """Return the ids in the reranker's order (unchanged without one); ids it invents are ignored."""
    if reranker is None:
        return ordered
    known = set(ordered)
    return [c.id for c in reranker.rerank(question, [by_id[c] for c in ordered]) if c.id in known]
