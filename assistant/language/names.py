"""Names written in Cyrillic, found under their Latin spelling in the corpus.

"Алтын Дала", "Киссимми", "Боннский вызов" name what the corpus writes "Altyn Dala",
"Kissimmee", "Bonn Challenge". The small multilingual model links them only weakly,
and BM25 not at all, so a Russian question about the Kissimmee River found other
passages or was refused for a low cosine. A proper noun is capitalised inside a Russian
sentence; transliterated (anyascii) it is near the corpus's own spelling, and the
corpus's capitalised Latin words decide which one it is: a case ending ("Сенегала" →
"senegala" → Senegal) or a spelling (Meklenburg → Mecklenburg) is within reach of a
string match, a translation is not ("Шотландия" is not matched to Scotland).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

from anyascii import anyascii

__all__ = ["LatinNames", "cyrillic_names", "resolved_names"]

# A capitalised Cyrillic word, or a run of them ("Алтын Дала").
_CYRILLIC_NAME = re.compile(r"[А-ЯЁ][а-яё]+(?:[ -][А-ЯЁ][а-яё]+)*")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
# What may stand before a name that opens its sentence: quotes and brackets.
_OPENERS = "«\"'“„(["
# A capitalised Latin word of the corpus (a name's candidate spelling).
_LATIN_NAME = re.compile(r"\b[A-Z][a-z]{3,}\b")
# How near a transliteration must be to a corpus word (difflib ratio), and how many
# letters of case ending it may carry beyond a word it begins with.
_NEAR = 0.8
_ENDING = 4


def cyrillic_names(text: str) -> list[str]:
    """The capitalised Cyrillic words inside sentences of ``text``, transliterated, lower case.

    A sentence's first word is capitalised whatever it is, so it is left out.
    """
    found: list[str] = []
    for sentence in _SENTENCE.split(text):
        for match in _CYRILLIC_NAME.finditer(sentence):
            if not sentence[: match.start()].strip(_OPENERS + " "):
                continue
            for word in anyascii(match.group(0)).replace("'", "").lower().split():
                if len(word) >= 4 and word not in found:
                    found.append(word)
    return found


class LatinNames:
    """The capitalised Latin words of a corpus, to resolve transliterated names against."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._by_initial: dict[str, set[str]] = {}
        self._resolved: dict[str, str | None] = {}
        for text in texts:
            for word in _LATIN_NAME.findall(text):
                self._by_initial.setdefault(word[0].lower(), set()).add(word)

    def resolve(self, transliterated: str) -> str | None:
        """The corpus word ``transliterated`` spells, or ``None`` when none is near enough."""
        if transliterated not in self._resolved:
            self._resolved[transliterated] = _nearest(transliterated, self._by_initial.get(transliterated[:1], set()))
        return self._resolved[transliterated]


def _nearest(transliterated: str, candidates: set[str]) -> str | None:
    best, best_ratio = None, 0.0
    for word in sorted(candidates):
        lower = word.lower()
        if abs(len(lower) - len(transliterated)) > _ENDING + 1:
            continue
        if transliterated.startswith(lower) and len(transliterated) - len(lower) <= _ENDING:
            ratio = 1.0 - (len(transliterated) - len(lower)) / 100  # the fewest ending letters win
        else:
            ratio = SequenceMatcher(None, transliterated, lower).ratio()
        if ratio >= _NEAR and ratio > best_ratio:
            best, best_ratio = word, ratio
    return best


def resolved_names(query: str, names: Callable[[], LatinNames]) -> list[str]:
    """The corpus's spellings of the Cyrillic names ``query`` writes, to search them too.

    "Когда завершили восстановление реки Киссимми?" → ["Kissimmee"]. ``names`` gives the
    corpus's names; it is called only for a question writing one.
    """
    words = cyrillic_names(query)
    if not words:
        return []
    corpus = names()
    found: list[str] = []
    for word in words:
        resolved = corpus.resolve(word)
        if resolved and resolved not in found and resolved.casefold() not in query.casefold():
            found.append(resolved)
    return found
