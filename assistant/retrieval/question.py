"""A question analysed once: what retrieval, the premise checks and the composers read of it.

Parsing a question is cheap but was done in three places; :func:`analyse` does it once and
the :class:`Question` travels with the :class:`~assistant.retrieval.hybrid.Retrieval`.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.language.answer_types import asked_figure, asks_list
from assistant.language.detect import detect_language
from assistant.language.glosses import english_glosses
from assistant.language.names import resolved_names
from assistant.language.places import expand_places
from assistant.language.references import (
    asks_about_a_decision,
    asks_for_sources,
    locator_keys,
    named_annexes,
    named_paragraphs,
    named_symbols,
)
from assistant.retrieval.acronyms import expand_acronyms
from assistant.retrieval.lexical import LexicalIndex, search_terms, tokenize

__all__ = ["Question", "analyse"]


@dataclass(frozen=True)
class Question:
    """What a question asks, as read from its words.

    ``searched`` is the text searched: abbreviations the corpus defines spelled out
    ("COP" → "Conference of the Parties") and foreign place names in the corpus's main
    language ("卢旺达" → "Rwanda"). The other fields are read from ``searched``.
    """

    text: str
    searched: str
    language: str
    symbols: frozenset[str] = frozenset()
    paragraphs: frozenset[str] = frozenset()
    about_a_decision: bool = False  # "the decision …" without naming it by symbol
    figure: str | None = None  # the kind of amount asked for (an area, a share …)
    wants_list: bool = False
    wants_sources: bool = False
    locators: frozenset[str] = frozenset()  # keys of the numbered parts named ("target#2")
    annexes: frozenset[int] = frozenset()  # the annexes named ("annex II" → 2)
    # Each Chinese word and the search terms of its English senses (when the corpus is mostly English).
    glosses: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def terms(self) -> list[str]:
        """The searched text as BM25 terms (with the keys of the numbered parts it names), and its glosses'."""
        terms = search_terms(self.searched, self.language)
        glossed = [t for _, senses in self.glosses for t in senses if t not in terms]
        return terms + list(dict.fromkeys(glossed))


def analyse(
    text: str, lexical: LexicalIndex | None, language: str | None = None, gloss_senses: int = 0
) -> Question:
    """Read a question once; ``language`` (when known, e.g. from a conversation) wins.

    ``gloss_senses``: how many English senses of each Chinese word are searched too, when
    the corpus is mostly in another language (:mod:`assistant.language.glosses`); 0 none.
    """
    language = language or detect_language(text)
    searched = text
    if lexical is not None:
        searched = expand_acronyms(searched, lexical.acronyms)
        searched = expand_places(searched, language, lexical.main_language)
        names = tuple(resolved_names(searched, lambda: lexical.latin_names))
        if names:
            searched = f"{searched} ({'; '.join(names)})"
    symbols = named_symbols(searched)
    return Question(
        text=text,
        searched=searched,
        language=language,
        symbols=frozenset(symbols),
        paragraphs=frozenset(named_paragraphs(searched)),
        about_a_decision=not symbols and asks_about_a_decision(searched),
        figure=asked_figure(searched),
        wants_list=asks_list(searched),
        wants_sources=asks_for_sources(searched),
        locators=frozenset(locator_keys(searched)),
        annexes=named_annexes(searched),
        glosses=_glossed(searched, lexical, gloss_senses)
        if gloss_senses and language == "zh" and lexical is not None and lexical.main_language != "zh"
        else (),
    )


def _glossed(text: str, lexical: LexicalIndex, most: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """English search terms for the Chinese words of ``text``: per word, the ``most`` senses the corpus uses most.

    A sense is kept when each of its words occurs in the corpus; the corpus's own use
    (how many chunks hold its rarest word) decides between "restore" and "reinstate". A
    word none of whose senses the corpus uses gets no terms.
    """
    glossed: list[tuple[str, tuple[str, ...]]] = []
    for word, senses in english_glosses(text):
        scored = []
        for sense in senses:
            tokens = tokenize(sense)
            frequencies = [lexical.document_frequency(t) for t in tokens]
            if tokens and min(frequencies) > 0:
                scored.append((min(frequencies), tokens))
        terms = [t for _, tokens in sorted(scored, key=lambda pair: -pair[0])[:most] for t in tokens]
        if terms:
            glossed.append((word, tuple(dict.fromkeys(terms))))
    return tuple(glossed)
