"""Character n-grams: a Spanish or French question meets its English cognates, and its typos.

BM25 over words matches "indicador" with "indicator" only when their Snowball stems agree,
which they mostly do not, and a misspelt word ("conservacion", "regeneracion") not at all;
the multilingual embedding is weak on technical words across languages. Words cut into
overlapping pieces of four letters share most of their pieces with their cognates and
their misspellings ("_ind", "indi", "ndic", "dica" …), as in n-gram retrieval for European
languages (McNamee and Mayfield, 2004). The index is BM25 (bm25s) over the n-grams of
every chunk, in every language, built the first time a question needs it and kept with
the word index it was built from.

Only the question's content words are cut (rarer than Zipf 5 in its language, wordfreq):
the pieces of "para" or "dans" would match "paragraph" and "abundance".
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from typing import Any

import numpy as np

from assistant.retrieval.lexical import LexicalHit, best_hits

__all__ = ["NgramIndex", "ngram_grams", "ngram_index"]

N = 4
# Words rarer than this in general language (wordfreq's Zipf scale) are content words.
CONTENT_ZIPF = 5.0
_WORD = re.compile(r"[^\W\d_]{4,}")


def ngram_grams(text: str, language: str | None = None) -> list[str]:
    """The four-letter pieces of the Latin-script words of ``text``, accents folded.

    With ``language``, only the words rarer than :data:`CONTENT_ZIPF` in it are cut.
    """
    from wordfreq import zipf_frequency

    grams: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        if language is not None and zipf_frequency(word, language) >= CONTENT_ZIPF:
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
        if not folded.isascii():
            continue  # Cyrillic, Arabic, Chinese: no cognates to meet by their letters
        marked = f"_{folded}_"
        grams.extend(marked[i : i + N] for i in range(len(marked) - N + 1))
    return grams


class NgramIndex:
    """BM25 over the character n-grams of a word index's chunks, in the same order."""

    def __init__(self, texts: list[str]) -> None:
        import bm25s

        self._bm25 = bm25s.BM25()
        self._bm25.index([ngram_grams(t) or ["_"] for t in texts], show_progress=False)
        self._size = len(texts)

    def search(self, question: str, language: str, k: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        """The ``k`` best chunks for ``question``'s content words, as the word index ranks them."""
        grams = ngram_grams(question, language)
        if not grams or not self._size:
            return []
        return best_hits(self._bm25, grams, k, mask)


_INDEXES: weakref.WeakKeyDictionary[Any, NgramIndex] = weakref.WeakKeyDictionary()


def ngram_index(lexical: Any) -> NgramIndex:
    """The n-gram index of ``lexical`` (a LexicalIndex), built once and dropped with it."""
    index = _INDEXES.get(lexical)
    if index is None:
        index = _INDEXES[lexical] = NgramIndex(list(lexical.texts))
    return index
