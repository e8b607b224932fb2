"""Near-duplicate questions: cosine after removing the wording all candidates share.

Apart from the builder so the test can be used on its own (``near_duplicates``) and
tuned without reading the build loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["MIN_BACKGROUND", "DuplicateFinder", "near_duplicates"]

# Below this many background questions, centring is unstable: plain cosine is used.
MIN_BACKGROUND = 8


class DuplicateFinder:
    """Near-duplicate test for questions: cosine after removing what all candidates share.

    Template questions share most of their words ("What does decision XI/16 urge
    Parties to do about …"), so raw embedding similarity is high for any two of them.
    Subtracting the mean vector of all candidate questions leaves what is specific
    to each; two questions count as duplicates above ``threshold`` on that. The
    builder also requires both answers to lead with the same passage, so questions
    that differ only in a number or a place ("Target 14" / "Target 15") stay apart.
    """

    def __init__(self, embeddings: Any, background: Sequence[str], threshold: float) -> None:
        self.embeddings = embeddings
        self.threshold = threshold
        self.mean: np.ndarray | None = None
        if len(background) >= MIN_BACKGROUND:
            self.mean = np.asarray(
                embeddings.encode(list(background), query=True), dtype=np.float32
            ).mean(axis=0)
        self.kept: list[np.ndarray] = []

    def vectors(self, questions: Sequence[str]) -> np.ndarray:
        """Centred unit vectors of ``questions``."""
        vectors = np.asarray(self.embeddings.encode(list(questions), query=True), dtype=np.float32)
        if self.mean is not None:
            vectors = vectors - self.mean
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def match(self, vector: np.ndarray) -> int | None:
        """Index of the kept question ``vector`` duplicates, if any."""
        if not self.kept:
            return None
        similarity = np.vstack(self.kept) @ vector
        best = int(np.argmax(similarity))
        return best if float(similarity[best]) >= self.threshold else None


def near_duplicates(
    embeddings: Any, questions: Sequence[str], threshold: float, background: Sequence[str] = ()
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of questions at or above ``threshold`` (i < j).

    ``background`` (default: the questions themselves) sets what counts as shared wording.
    """
    finder = DuplicateFinder(embeddings, list(background) or list(questions), threshold)
    vectors = finder.vectors(questions)
    similarity = vectors @ vectors.T
    return [
        (i, j, float(similarity[i, j]))
        for i in range(len(questions))
        for j in range(i + 1, len(questions))
        if similarity[i, j] >= threshold
    ]
