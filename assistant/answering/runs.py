"""Runs of quoted sentences: the contiguous stretch of a passage an extractive answer quotes.

A run grows from the passage's best sentence to its other good ones, then takes the
sentences that refer back across its edges; two sentences saying the same are one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.language.cues import ANAPHOR
from assistant.retrieval.lexical import tokenize

__all__ = ["Candidate", "redundant", "run_around", "with_referents"]


@dataclass(frozen=True)
class Candidate:
    """A quotable sentence of a passage, scored against the question."""

    source_rank: int
    position: int  # index among the passage's quotable sentences (runs are contiguous in it)
    order: int  # index among all the passage's sentences (0: it opens the passage)
    text: str
    score: float
    vector: np.ndarray | None


def run_around(group: list[Candidate], lead: Candidate, cap: int, margin: float) -> list[Candidate]:
    """Return the contiguous run from the passage's best sentence out to its other good ones."""
    low = high = lead.position
    for candidate in sorted(group, key=lambda c: c.score, reverse=True):
        if candidate.score < lead.score - margin:
            break
        start, end = min(low, candidate.position), max(high, candidate.position)
        if end - start + 1 <= cap:
            low, high = start, end
    return [c for c in sorted(group, key=lambda c: c.position) if low <= c.position <= high]


def with_referents(group: list[Candidate], run: list[Candidate], most: int) -> list[Candidate]:
    """Extend a run by up to ``most`` sentences that refer back across its edges.

    A run that opens with "It…" or "These…" takes the sentence before it (what "it" is);
    a sentence after the run that opens so is part of what the run says ("…was created
    to protect the Bikin River Valley. It is also home to the Udege people…"). These
    sentences complete a statement and do not count against ``answer_sentences``.
    """
    at = {c.position: c for c in group}
    low, high = run[0].position, run[-1].position
    for _ in range(most):
        if ANAPHOR.match(at[low].text) and low - 1 in at:
            low -= 1
        elif high + 1 in at and ANAPHOR.match(at[high + 1].text):
            high += 1
        else:
            break
    return [at[p] for p in range(low, high + 1) if p in at]


def redundant(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences say the same (near-identical vectors or words)."""
    if a.vector is not None and b.vector is not None and float(np.dot(a.vector, b.vector)) > 0.95:
        return True
    ta, tb = set(tokenize(a.text)), set(tokenize(b.text))
    return len(ta & tb) / max(1, len(ta | tb)) > 0.8
