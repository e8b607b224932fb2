"""Whether passages in another language count the thing a question asks to count.

"¿Cuántos empleos ha generado el Pacto?" asks a number of jobs; the case study is in
English and the corpus holds no Spanish version, so the question's words cannot be
looked for in it. The embedding model is multilingual: a word's nearest neighbour among a
passage's own words is most often its translation (bilingual lexicon induction by nearest
neighbour: "empleos" → "jobs", "agriculteurs" → "farmers", "国家" → "countries").

The passages count the thing when a word beside one of their numbers is about as near to
it as their nearest word of all: "450 villages" answers "¿cuántas aldeas?" even when
"area" lies a little nearer to "aldeas" than "villages". When the jobs are never counted,
the words beside the numbers ("million", "ha", "goal") lie well below "jobs". The words
are the passages' own, not a dictionary's: nothing but the model and the passages decides.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from assistant.language.answer_types import counted_words

__all__ = ["WordVectors", "counts_across_languages"]

# A candidate word: letters only, three or more (numbers, "ha" and "of" translate nothing).
_WORD = re.compile(r"[^\W\d_]{3,}")


class WordVectors:
    """Embed single words and keep them: passages repeat across questions, their words more so."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], size: int = 50_000) -> None:
        self._encode = encode
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, words: Sequence[str]) -> np.ndarray:
        """Return the words' unit vectors, one row per word (new words embedded in one batch)."""
        missing = [w for w in dict.fromkeys(words) if w not in self._vectors]
        if missing:
            for word, vector in zip(missing, self._encode(missing), strict=True):
                self._vectors[word] = np.asarray(vector, dtype=np.float32)
        rows = []
        for word in words:
            self._vectors.move_to_end(word)
            rows.append(self._vectors[word])
        while len(self._vectors) > self._size:
            self._vectors.popitem(last=False)
        return np.vstack(rows)


def counts_across_languages(
    counted: Sequence[str], texts: Sequence[str], vectors: WordVectors, *, margin: float
) -> bool:
    """Whether ``texts`` state a number of the thing ``counted`` names, in whatever language.

    ``counted`` holds the question's words for the thing ("empleos", "国家"). True when a
    word within a few words of a number is within ``margin`` (cosine) of the texts' word
    nearest to them; True too when the texts have no words to judge by.
    """
    words = sorted({w.casefold() for text in texts for w in _WORD.findall(text)})
    if not words:
        return True
    near = {w.casefold() for text in texts for w in counted_words(text)}
    rows = [i for i, word in enumerate(words) if word in near]
    if not rows:
        return False
    matrix = vectors([" ".join(counted).casefold(), *words])
    scores = matrix[1:] @ matrix[0]
    return float(scores[rows].max()) >= float(scores.max()) - margin
