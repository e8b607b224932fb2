"""Candidate generators: the ranked lists fusion combines.

Four lists, each a ranking of chunk ids: ``dense`` (nearest by the embedding),
``crosslingual`` (the nearest passages in other languages than the question's, read from
the same dense query), ``lexical`` (BM25) and, for a question in a Latin-script language
other than the corpus's, ``ngram`` (BM25 over character n-grams: cognates). A new
generator adds its list here and a weight to :func:`list_weights`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.core.settings import Settings
from assistant.language.detect import LATIN_LANGUAGES
from assistant.language.references import locator_keys, other_annex
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.ngrams import ngram_index
from assistant.retrieval.question import Question

__all__ = [
    "Candidate", "Candidates", "crosslingual_weight", "dense_candidates", "lexical_candidates",
    "list_weights", "names_asked_part", "ngram_candidates",
]


@dataclass
class Candidate:
    """A chunk some list ranked, with its rank in each list (1 = first)."""

    id: str
    text: str
    metadata: dict[str, Any]
    ranks: dict[str, int] = field(default_factory=dict)


def names_asked_part(question: Question, text: str, metadata: dict[str, Any]) -> bool:
    """Whether a chunk names a numbered part the question names ("cible 8" → target 8's row).

    The chunk's text or its locator ("annex III, table 1, Target 8") may name it; a chunk
    of another annex than the one the question names does not.
    """
    if not question.locators or other_annex(question.annexes, str(metadata.get("locator", ""))):
        return False
    return not question.locators.isdisjoint(_locator_keys(f"{metadata.get('locator', '')}\n{text}"))


@lru_cache(maxsize=4096)  # a chunk is a candidate of many questions
def _locator_keys(text: str) -> frozenset[str]:
    return frozenset(locator_keys(text))


@dataclass
class Candidates:
    """Everything the generators found for one question."""

    by_id: dict[str, Candidate] = field(default_factory=dict)
    similarity: dict[str, float] = field(default_factory=dict)  # cosine to the question
    lexical_score: dict[str, float] = field(default_factory=dict)  # BM25
    lexical_trust: float = 1.0  # how much of the question BM25 could read, 0..1
    crosslingual: float = 0.0  # weight of the cross-lingual list for this question
    ngram: float = 0.0  # weight of the n-gram list for this question (0: not run)

    def add(self, cid: str, text: str, metadata: dict[str, Any]) -> Candidate:
        """Return the candidate ``cid``, recording it on first sight."""
        return self.by_id.setdefault(cid, Candidate(cid, text, metadata))


def crosslingual_weight(question: Question, lexical: LexicalIndex | None, settings: Settings) -> float:
    """Weight of the cross-lingual list: the rarer the question's language in the corpus, the more.

    A Chinese question otherwise only finds Chinese text.
    """
    share = lexical.language_share(question.language) if lexical is not None else 0.0
    return settings.crosslingual_weight * (1.0 - share)


def dense_candidates(
    found: Candidates,
    store: Any,
    vector: np.ndarray,
    question: Question,
    lexical: LexicalIndex | None,
    settings: Settings,
    where: dict[str, Any] | None,
) -> None:
    """Add the dense and cross-lingual rankings (weighted ``found.crosslingual``) from one query.

    One query, read twice: its head is the dense ranking; its passages in other languages
    than the question's are the cross-lingual one (a Spanish question should reach the
    decision's English and Chinese text, not only Spanish summaries), but not translations
    of what the question's language already has. A metadata filter would make Chroma scan
    every matching record, which grows with the corpus; a deeper plain query does not.
    """
    weight = found.crosslingual
    depth = settings.candidate_k * (settings.crosslingual_depth if weight > 0 else 1)
    covered = set(lexical.translated_into(question.language)) if lexical else set()
    other_rank = 0
    for rank, record in enumerate(_nearest(store, vector, depth, where, lexical), start=1):
        meta = record.metadata
        in_head = rank <= settings.candidate_k
        crosslingual = (
            weight > 0
            and other_rank < settings.candidate_k
            and meta.get("language") != question.language
            and meta.get("doc_id") not in covered
        )
        if not (in_head or crosslingual):
            continue
        candidate = found.add(record.id, record.text, meta)
        found.similarity[record.id] = 1.0 - float(record.distance or 0.0)
        if in_head:
            candidate.ranks["dense"] = rank
        if crosslingual:
            other_rank += 1
            candidate.ranks["crosslingual"] = other_rank


def _nearest(
    store: Any, vector: np.ndarray, depth: int, where: dict[str, Any] | None, lexical: LexicalIndex | None
) -> list[Any]:
    """The ``depth`` nearest chunks (the store's records), text and metadata read from the lexical index.

    The index holds every chunk of the store (the assistant reloads it when the store
    changes), so Chroma is asked for ids and distances only; a chunk the index does not
    hold yet (written since it was loaded) is read from the store.
    """
    if lexical is None:
        return store.query(vector, depth, where)
    hits = store.query(vector, depth, where, content=False)
    unknown = [r.id for r in hits if lexical.position(r.id) is None]
    stored = {r.id: r for r in store.get(unknown)} if unknown else {}
    records = []
    for hit in hits:
        position = lexical.position(hit.id)
        if position is not None:
            # A copy: the candidate's metadata is its own, the index's stays as stored.
            records.append(replace(hit, text=lexical.texts[position], metadata=dict(lexical.metadatas[position])))
        elif hit.id in stored:
            records.append(replace(stored[hit.id], distance=hit.distance))
    return records


def lexical_candidates(
    found: Candidates,
    lexical: LexicalIndex,
    question: Question,
    settings: Settings,
    mask: np.ndarray | None,
) -> None:
    """Add the BM25 ranking; BM25 counts in full only when it can read most of the question."""
    terms = question.terms
    found.lexical_trust = min(1.0, lexical.coverage(terms) / settings.lexical_full_coverage)
    for rank, hit in enumerate(lexical.search(terms, settings.candidate_k, mask), start=1):
        cid = lexical.ids[hit.index]
        candidate = found.add(cid, lexical.texts[hit.index], lexical.metadatas[hit.index])
        candidate.ranks["lexical"] = rank
        found.lexical_score[cid] = hit.score


def ngram_candidates(
    found: Candidates,
    lexical: LexicalIndex,
    question: Question,
    settings: Settings,
    mask: np.ndarray | None,
) -> None:
    """Add the n-gram ranking, for a question in a Latin-script language other than the corpus's.

    "¿Qué desagregaciones…?" over English text: the words share no stem, their pieces do.
    Its weight is ``ngram_weight`` times the share of the question BM25 over words cannot
    read (``1 - lexical_trust``); call it after :func:`lexical_candidates`.
    """
    if not settings.ngram_weight or question.language not in LATIN_LANGUAGES:
        return
    if question.language == lexical.main_language:
        return
    hits = ngram_index(lexical).search(question.text, question.language, settings.candidate_k, mask)
    for rank, hit in enumerate(hits, start=1):
        found.add(lexical.ids[hit.index], lexical.texts[hit.index], lexical.metadatas[hit.index]).ranks["ngram"] = rank
    # Where BM25 over words reads the question (a Spanish question over Spanish summaries),
    # the pieces of its words add little but noise; they count as much as it cannot.
    found.ngram = settings.ngram_weight * (1.0 - found.lexical_trust) if hits else 0.0


def list_weights(found: Candidates, settings: Settings) -> dict[str, float]:
    """Return the fusion weight of each ranked list."""
    return {
        "dense": settings.dense_weight,
        "lexical": settings.lexical_weight * found.lexical_trust,
        "crosslingual": found.crosslingual,
        "ngram": found.ngram,  # 0 when the list did not run: no rank of it to weigh
    }
