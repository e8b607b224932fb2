"""Whether a word occurs in a set of passages: as written, stemmed, as an acronym or misspelt.

The presence checks behind :mod:`assistant.answering.evidence` live here, apart from the
choice of which words to check: a term counts as present when the passages contain it,
its Snowball stem (the stemmers the lexical index uses), an acronym's words or letters
reordered, a closed compound written open, or a spelling within a small edit distance.
The whole corpus is wrapped the same way, once per lexical index, to tell its topic words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import get_close_matches
from functools import cached_property, lru_cache
from typing import Any

from assistant.language.detect import script_language
from assistant.language.scripts import HAN, HAN_CHAR, SNOWBALL
from assistant.retrieval.lexical import tokenize

__all__ = ["ACRONYM", "WORD", "Evidence", "corpus_evidence", "script_of"]

WORD = re.compile(
    rf"[{HAN}]+"
    rf"|[^\W\d_{HAN}]{{2,}}(?:\.[^\W\d_{HAN}]{{2,}})+"  # a dotted name ("se.plan"), not "e.g."
    rf"|[^\W\d_{HAN}][^\W_{HAN}]*"
    rf"(?:[-'’][^\W\d_{HAN}]+)*",
    re.UNICODE,
)
_WORD = WORD
# An acronym as written ("BRG", "FERI"): two to eight capitals, the same in every language.
ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_CJK = HAN_CHAR
_SCRIPT_LETTER = {
    "zh": _CJK,
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "latin": re.compile(r"[a-zà-ÿ]"),
}
_SNOWBALL = SNOWBALL


class Evidence:
    """The passages' text, stems and words, for presence checks."""

    def __init__(self, texts: Sequence[str], language: str = ""):
        self.language = language
        self._language_stems: set[str] | None = None
        self.text = unicodedata.normalize("NFKC", "\n".join(texts)).lower()
        self._raw = texts
        self._initials: str | None = None

    @cached_property
    def stems(self) -> set[str]:
        """Search terms of the passages, as the lexical index stems them."""
        return set(tokenize(self.text))

    @cached_property
    def words(self) -> set[str]:
        """Words of more than three letters outside Chinese: candidates for a misspelling."""
        return {w for w in _WORD.findall(self.text) if not _CJK.match(w) and len(w) > 3}

    @cached_property
    def acronyms(self) -> set[str]:
        """Upper-case words of two to eight letters, as the passages write them."""
        return {w for t in self._raw for w in ACRONYM.findall(t)}

    def checkable(self, term: str) -> bool:
        """Whether some passage is written in the term's script (else it cannot be judged)."""
        letter = _SCRIPT_LETTER.get(script_of(term))
        return bool(letter and letter.search(self.text))

    def contains(self, term: str, fuzzy_ratio: float) -> bool:
        """Whether the term, its stem or (with ``fuzzy_ratio`` < 1) a near spelling occurs."""
        word = unicodedata.normalize("NFKC", term).lower()
        if word in self.text:
            return True
        if "." in word:  # a dotted name ("se.plan") only as written: its parts are other words
            return False
        stems = tokenize(word)
        if stems and all(s in self.stems for s in stems):
            return True
        if self._stemmed_in_language(word):
            return True
        if term.isupper() and term.isalpha() and self._acronym(term):
            return True
        if _CJK.match(word) is None and any(
            f"{word[:i]}{joint}{word[i:]}" in self.text
            for i in range(3, len(word) - 2)
            for joint in " -"
        ):
            return True  # a closed compound written open: "heatwave" in "heat wave"
        if fuzzy_ratio >= 1.0 or _CJK.match(word) or len(word) < 5:
            return False
        near = [w for w in self.words if abs(len(w) - len(word)) <= 2 and w[0] == word[0]]
        return bool(get_close_matches(word, near, n=1, cutoff=fuzzy_ratio))

    def _stemmed_in_language(self, word: str) -> bool:
        """Compare Snowball stems in the passages' own language ("replantó", "replantaron")."""
        if self.language not in _SNOWBALL or _CJK.match(word):
            return False
        import Stemmer  # PyStemmer, as the lexical index uses

        stemmer = Stemmer.Stemmer(_SNOWBALL[self.language])
        if self._language_stems is None:
            self._language_stems = set(stemmer.stemWords(_WORD.findall(self.text)))
        return stemmer.stemWord(word) in self._language_stems

    def _acronym(self, term: str) -> bool:
        """Find an acronym as itself reordered, or (from four letters) as initials.

        Spanish "CDB" is "CBD" with noun and adjective swapped; "IPLC" is the initials of
        "indigenous peoples and local communities", which a text may never abbreviate.
        """
        letters = sorted(term.lower())
        if any(sorted(w.lower()) == letters for w in self.acronyms):
            return True
        return 4 <= len(term) <= 8 and term.lower() in self.initials()

    def initials(self) -> str:
        """Return the first letters of the passages' words, very common words left out."""
        if self._initials is None:
            words = (w for text in self._raw for w in _WORD.findall(text) if not _CJK.match(w))
            self._initials = "".join(w[0].lower() for w in words if not _function_word(w.lower()))
        return self._initials


@lru_cache(maxsize=65536)
def _function_word(word: str) -> bool:
    """Words as frequent as "and", "of", "the" (Zipf 6 and above), which acronyms skip."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= 6.0


def script_of(word: str) -> str:
    """Return the script a word is written in: "zh", "ru", "ar"… or "latin"."""
    return "zh" if _CJK.search(word) else script_language(word) or "latin"


_CORPORA: dict[int, tuple[Any, Evidence]] = {}


def corpus_evidence(lexical: Any) -> Evidence:
    """Return the whole corpus as evidence (its vocabulary), built once per lexical index."""
    cached = _CORPORA.get(id(lexical))
    if cached is None or cached[0] is not lexical:
        cached = (lexical, Evidence(lexical.texts))
        _CORPORA.clear()
        _CORPORA[id(lexical)] = cached
    return cached[1]
