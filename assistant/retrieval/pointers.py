"""Paragraphs of a decision that a summary in the asker's language points to.

Decision XI/16 is in Chinese and English; a Spanish or French question about it can only
be matched against those texts by the embedding, across languages, and every paragraph of
one decision looks alike to it next to "decisión XI/16". A summary of the decision in
the asker's language is matched in that language, word for word: "(b) des études de cas et
des méthodes d'évaluation du succès" under "Paragraphe 2" is the item a French question
on evaluating success is about, and it names the paragraph, 2(b), that answers it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.language.references import named_paragraphs, without_symbols
from assistant.retrieval.candidates import Candidate
from assistant.retrieval.lexical import LexicalIndex, tokenize
from assistant.retrieval.question import Question

__all__ = ["Citing", "cited_paragraphs", "items_of", "with_gloss"]

# A lettered item inside a summary's paragraph: "(b) des études de cas …", and in Arabic
# texts by the letters of the UN Arabic order: "(ب) …" is (b).
_ITEM = re.compile(r"\(([a-z]|هـ|[أبجدوزحطي])\)\s")
_ARABIC_LETTERS = dict(zip(["أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي"], "abcdefghij", strict=True))


@dataclass(frozen=True)
class Citing:
    """A summary's item that points to a decision's paragraph: which, and from which chunk."""

    symbol: str
    paragraph: str
    chunk_id: str

    def points_to(self, metadata: Mapping[str, Any]) -> bool:
        """Whether a chunk is the paragraph pointed to (in any of its languages)."""
        return (
            metadata.get("kind") == "decision"
            and str(metadata.get("symbol", "")).upper() == self.symbol
            and str(metadata.get("paragraph", "")) == self.paragraph
        )


def items_of(text: str, locator: str) -> list[tuple[str, str]]:
    """Return ``(paragraph, words)`` for each item a passage summarises, in order.

    The paragraph is read from the section ("Paragraphe 2 : …" → 2) and the items'
    letters ("(b) …" → 2(b)); a section of one paragraph without items is that paragraph.
    """
    numbers = named_paragraphs(locator)
    if len(numbers) != 1:
        return []
    number = next(iter(numbers))
    marks = list(_ITEM.finditer(text))
    if not marks or "(" in number:
        return [(number, text)]
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return [
        (f"{number}({_ARABIC_LETTERS.get(m.group(1), m.group(1))})", text[m.end() : end])
        for m, end in zip(marks, ends, strict=True)
    ]


def cited_paragraphs(
    question: Question,
    candidates: Iterable[Candidate],
    lexical: LexicalIndex | None,
    decision_languages: Mapping[str, frozenset[str]],
    decisions: Mapping[str, set[str]],
    content_zipf: float,
) -> Citing | None:
    """Return the summary's item that best matches the question, if one does.

    Only for a decision the question names (and names no paragraph of) whose text is not
    in the question's language, read from the summaries in that language among the
    candidates. The question's content words (rarer than ``content_zipf`` in general
    language) are weighed by how few of the summaries' items share them, as BM25 weighs
    terms: "ecosistemas" is in many items, "resiliencia" in one. Between items equal by
    that, the rarer words in general language win, then the item sharing more of the
    question's words of any kind ("participación"). The best item must share a content
    word and be the only best.
    """
    wanted = {
        s for s in question.symbols
        if s in decisions and question.language not in decision_languages.get(s, frozenset())
    }
    if not wanted or lexical is None or question.paragraphs:  # a paragraph named is the one asked
        return None
    items = _summary_items(question.language, wanted, candidates, lexical, decisions)
    asked_text = without_symbols(question.searched)
    terms = _content_terms(asked_text, question.language, content_zipf)
    if not items or not terms:
        return None
    asked = set(tokenize(asked_text))
    shared = Counter(t for _, words in items for t in words & terms.keys())
    weight = {t: math.log(1.0 + (len(items) - n + 0.5) / (n + 0.5)) for t, n in shared.items()}

    def score(words: set[str]) -> tuple[float, float, int]:
        common = words & terms.keys()
        return round(sum(weight[t] for t in common), 6), round(sum(terms[t] for t in common), 6), len(words & asked)

    scored = sorted(((score(words), citing) for citing, words in items), key=lambda pair: pair[0])
    (best, citing), runner_up = scored[-1], scored[-2][0] if len(scored) > 1 else None
    return citing if best[0] > 0 and best != runner_up else None


def _summary_items(
    language: str,
    symbols: set[str],
    candidates: Iterable[Candidate],
    lexical: LexicalIndex,
    decisions: Mapping[str, set[str]],
) -> list[tuple[Citing, set[str]]]:
    """Every item of the summaries in ``language`` among the candidates, with its search terms.

    A summary is read whole (all its chunks), so every item competes, not only those of the
    sections that happened to be retrieved.
    """
    documents = {
        str(c.metadata.get("doc_id")): str(c.metadata.get("symbol", "")).upper()
        for c in candidates
        if str(c.metadata.get("symbol", "")).upper() in symbols
        and c.metadata.get("kind") != "decision"
        and c.metadata.get("language") == language
    }
    items: list[tuple[Citing, set[str]]] = []
    for doc_id, symbol in documents.items():
        for position in lexical.document_positions(doc_id):
            meta = lexical.metadatas[position]
            for paragraph, words in items_of(lexical.texts[position], str(meta.get("locator", ""))):
                if paragraph in decisions[symbol]:
                    items.append((Citing(symbol, paragraph, lexical.ids[position]), set(tokenize(words))))
    return items


def _content_terms(text: str, language: str, content_zipf: float) -> dict[str, float]:
    """Stems of the words of ``text`` rarer than ``content_zipf`` (not function words).

    Each with how rare its word is in general language (9 minus its Zipf figure: the
    word's information, in decimal digits), which breaks ties between items.
    """
    from wordfreq import zipf_frequency

    terms: dict[str, float] = {}
    for word in _WORD.findall(text):
        figure = zipf_frequency(word.lower(), language)
        if figure < content_zipf:
            for stem in tokenize(word):
                terms[stem] = max(terms.get(stem, 0.0), 9.0 - figure)
    return terms


# A word as written (its plural and accents kept: wordfreq rates the form used).
_WORD = re.compile(r"[^\W\d_]+")


def with_gloss(chosen: list[str], by_id: Mapping[str, Candidate], citing: Citing | None) -> list[str]:
    """Put the summary's item right after the paragraph it points to, if that was chosen.

    The item is the paragraph's gloss in the asker's language; the last passage gives way
    to it when it was not chosen on its own.
    """
    if citing is None or citing.chunk_id not in by_id:
        return chosen
    rest = [cid for cid in chosen if cid != citing.chunk_id]
    at = next((i for i, cid in enumerate(rest) if citing.points_to(by_id[cid].metadata)), None)
    if at is None or (citing.chunk_id not in chosen and at == len(chosen) - 1):
        return chosen  # not chosen, or the last passage: it would give way to its own gloss
    return [*rest[: at + 1], citing.chunk_id, *rest[at + 1 :]][: len(chosen)]
