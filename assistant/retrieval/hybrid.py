"""Hybrid retrieval: dense (Chroma) + BM25, fused by weighted reciprocal rank.

The stages live in their own modules: ``question`` (analysis), ``candidates`` (the ranked
lists), ``signals`` (fusion and its declared bonuses), ``rerank`` (the optional slot) and
``diversify`` (the final choice). This module wires them as a LangChain retriever.

A third, small ranking prefers passages in the question's language, so a Chinese
question is answered from the Chinese original and an English one from the
translation; translations of the same paragraph then collapse to the best one, so
two language versions do not crowd out other evidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.core.records import Source
from assistant.core.settings import Settings
from assistant.retrieval.candidates import (
    Candidate,
    Candidates,
    crosslingual_weight,
    dense_candidates,
    lexical_candidates,
    list_weights,
    names_asked_part,
    ngram_candidates,
)
from assistant.retrieval.diversify import choose
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.pointers import Citing, cited_paragraphs, with_gloss
from assistant.retrieval.question import Question, analyse
from assistant.retrieval.signals import ANSWER_TYPE, Context, fuse, with_signal

__all__ = ["FILTER_FIELDS", "Filters", "HybridRetriever", "Retrieval"]

FILTER_FIELDS = ("kind", "language", "doc_id", "year", "region", "ecosystem")


@dataclass(frozen=True)
class Filters:
    """Metadata filters; each field accepts several values (any may match)."""

    kind: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    doc_id: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    region: tuple[str, ...] = ()
    ecosystem: tuple[str, ...] = ()

    @classmethod
    def of(cls, **values: Any) -> Filters:
        """Build from optional scalars or lists, ignoring empty values."""
        clean: dict[str, tuple[Any, ...]] = {}
        for name in FILTER_FIELDS:
            value = values.get(name)
            if value in (None, "", [], ()):
                continue
            items = value if isinstance(value, list | tuple) else [value]
            clean[name] = tuple(int(v) if name == "year" else str(v) for v in items if v not in (None, ""))
        return cls(**clean)

    def active(self) -> dict[str, tuple[Any, ...]]:
        """Return the filters that are set."""
        return {n: getattr(self, n) for n in FILTER_FIELDS if getattr(self, n)}

    def chroma_where(self) -> dict[str, Any] | None:
        """Translate to a Chroma ``where`` clause."""
        clauses = [{name: {"$in": list(values)}} for name, values in self.active().items()]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, metadata: dict[str, Any]) -> bool:
        """Whether a chunk's metadata passes every active filter."""
        return all(metadata.get(name) in values for name, values in self.active().items())


@dataclass
class Retrieval:
    """Retrieved sources, best first, with the query embedding and stage timings.

    ``searched`` is the text that was searched: the query with its abbreviations spelled
    out and foreign place names translated. ``topical`` are the best passages before
    those giving the kind of answer asked for were preferred: what the premise check
    reads, since that preference would otherwise bring in an off-topic passage that
    happens to state, say, a percentage.
    """

    sources: list[Source]
    query_vector: np.ndarray
    language: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    searched: str = ""
    topical: list[Source] = field(default_factory=list)
    # The best passage's support before passages were swapped for their version in the
    # asker's language (assistant/retrieval/versions.py): how well the corpus answers, in any language.
    support: float | None = None
    # The question as analysed once (retrieval/question.py), for the stages after retrieval.
    question: Question | None = None
    # A named paragraph's sub-paragraphs, quoted with it: chapeau chunk id -> item chunk
    # ids, all among ``sources`` (assistant/retrieval/paragraphs.py).
    items: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # A summary's item in the asker's language that points to a paragraph of the decision
    # named (assistant/retrieval/pointers.py): the paragraph says what the item says.
    citing: Citing | None = None
    # The chunk continuing the best passage's section, brought in after it: its id -> the
    # continuation's id (assistant/retrieval/continuations.py).
    continuations: dict[str, str] = field(default_factory=dict)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over one store: dense + lexical + language preference."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    embeddings: Any
    lexical: LexicalIndex | None
    settings: Settings
    filters: Filters = Filters()
    reranker: Any = None  # a retrieval.rerank.Reranker; none by default
    _masks: dict[tuple[int, Filters], np.ndarray] = PrivateAttr(default_factory=dict)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        result = self.search(query, filters=self.filters)
        return [
            Document(
                id=s.chunk_id,
                page_content=s.text,
                metadata={**s.metadata, "relevance": s.relevance, "similarity": s.similarity},
            )
            for s in result.sources
        ]

    def search(
        self,
        query: str,
        *,
        filters: Filters | None = None,
        k: int | None = None,
        language: str | None = None,
        focus_docs: tuple[str, ...] = (),
    ) -> Retrieval:
        """Return the ``k`` best passages for ``query`` under ``filters``.

        The stages: analyse the question, embed it, gather candidates (dense,
        cross-lingual, BM25), fuse them with the signals, rerank (when a reranker is
        set) and diversify; then, among the passages on the topic, prefer those giving
        the kind of answer asked for. ``focus_docs`` (the documents a conversation is
        about) get a small fusion bonus, as the question's language does.
        """
        settings, filters, k = self.settings, filters or Filters(), k or self.settings.top_k
        question = analyse(query, self.lexical, language, settings.gloss_senses)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        vector = np.asarray(self.embeddings.encode([question.searched], query=True)[0], dtype=np.float32)
        timings["embed"] = _ms(started)
        found = self._candidates(question, vector, filters, timings)

        started = time.perf_counter()
        decisions = self.lexical.decision_paragraphs() if self.lexical is not None else {}
        languages = self.lexical.decision_languages() if self.lexical is not None else {}
        citing = cited_paragraphs(
            question, found.by_id.values(), self.lexical, languages, decisions, settings.follow_up_content_zipf
        )
        if citing is not None:
            self._take_ranks(found, citing, filters)
        self._add_named_parts(found, question, filters)
        context = Context(focus_docs=focus_docs, decisions=decisions)
        weights = list_weights(found, settings)
        fused = fuse(found, weights, question, settings, context)
        chosen = topical = choose(fused, found.by_id, question, settings, k, self.reranker)
        if settings.answer_type_weight and (question.figure or question.wants_list):
            fused = with_signal(fused, found, ANSWER_TYPE, question, settings)
            chosen = choose(fused, found.by_id, question, settings, k, self.reranker)
        chosen = with_gloss(chosen, found.by_id, citing)
        timings["fusion"] = _ms(started)

        self._fill_similarity(found, dict.fromkeys(chosen + topical), vector)
        sources = [_source(found, fused, cid) for cid in chosen]
        return Retrieval(
            sources, vector, question.language, timings, question.searched,
            topical=sources if topical is chosen else [_source(found, fused, cid) for cid in topical],
            question=question,
            citing=citing,
        )

    def _candidates(
        self, question: Question, vector: np.ndarray, filters: Filters, timings: dict[str, float]
    ) -> Candidates:
        """Run the candidate generators the retrieval mode asks for."""
        found = Candidates(crosslingual=crosslingual_weight(question, self.lexical, self.settings))
        mode = self.settings.retrieval_mode
        if mode in ("hybrid", "dense"):
            started = time.perf_counter()
            dense_candidates(found, self.store, vector, question, self.lexical, self.settings, filters.chroma_where())
            timings["dense"] = _ms(started)
        if mode in ("hybrid", "lexical") and self.lexical is not None:
            started = time.perf_counter()
            mask = self._mask(filters) if filters.active() else None
            lexical_candidates(found, self.lexical, question, self.settings, mask)
            ngram_candidates(found, self.lexical, question, self.settings, mask)
            timings["lexical"] = _ms(started)
        return found

    def _add_named_parts(self, found: Candidates, question: Question, filters: Filters) -> None:
        """The chunks of a decision the question names by symbol that name the part it asks about.

        "¿Qué indicador tiene la meta 2 de la decisión 16/31?" asks for target 2's rows of
        the decision's annex tables. A table row is a weak match for a question in another
        language, and the symbol's numbers ("16", "31") are BM25 matches for other rows, so
        no ranking may find them, while other chunks of the decision rank high. The chunks
        naming the part join the candidates with the best ranks the decision's chunks
        earned (as a paragraph takes the ranks of the summary item pointing to it): the
        rankings found the document asked about, and the part named is where in it.
        """
        if not (question.locators and question.symbols) or self.lexical is None:
            return
        named: list[Candidate] = []
        for symbol in question.symbols:
            for position in self.lexical.paragraph_positions(symbol, ""):
                meta, text = self.lexical.metadatas[position], self.lexical.texts[position]
                if filters.matches(meta) and names_asked_part(question, text, meta):
                    named.append(found.add(self.lexical.ids[position], text, meta))
        earned: dict[str, int] = {}
        for candidate in found.by_id.values():
            meta = candidate.metadata
            if meta.get("kind") == "decision" and str(meta.get("symbol", "")).upper() in question.symbols:
                for name, rank in candidate.ranks.items():
                    earned[name] = min(rank, earned.get(name, rank))
        for candidate in named:
            for name, rank in earned.items():
                candidate.ranks[name] = min(rank, candidate.ranks.get(name, rank))

    def _take_ranks(self, found: Candidates, citing: Citing, filters: Filters) -> None:
        """Give the paragraph a summary's item points to the ranks that summary earned.

        The item says what the paragraph says, in the asker's language, as a translation
        would (and a paragraph pools its translations' ranks in fusion); the paragraph
        joins the candidates even if no list found it.
        """
        assert self.lexical is not None
        earned = found.by_id[citing.chunk_id].ranks
        for position in self.lexical.paragraph_positions(citing.symbol, citing.paragraph):
            meta = self.lexical.metadatas[position]
            if not filters.matches(meta):
                continue
            candidate = found.add(self.lexical.ids[position], self.lexical.texts[position], meta)
            for name, rank in earned.items():
                candidate.ranks[name] = min(rank, candidate.ranks.get(name, rank))

    def _fill_similarity(self, found: Candidates, ids: dict[str, None], vector: np.ndarray) -> None:
        """Give passages only BM25 found their cosine similarity to the question."""
        missing = [cid for cid in ids if cid not in found.similarity]
        if missing:
            for record in self.store.get(missing, text=False, metadata=False, vectors=True):
                found.similarity[record.id] = float(np.dot(np.asarray(record.vector, dtype=np.float32), vector))

    def _mask(self, filters: Filters) -> np.ndarray:
        """BM25 weight mask for ``filters``, computed once per filter set and index."""
        assert self.lexical is not None
        key = (id(self.lexical), filters)
        if key not in self._masks:
            metadatas = self.lexical.metadatas
            self._masks = {key: np.array([filters.matches(m) for m in metadatas], dtype=np.float32)} | {
                k: v for k, v in list(self._masks.items())[-31:] if k[0] == id(self.lexical)
            }
        return self._masks[key]


def _source(found: Candidates, fused: dict[str, float], cid: str) -> Source:
    candidate = found.by_id[cid]
    return Source(
        chunk_id=cid,
        text=candidate.text,
        metadata=dict(candidate.metadata),
        relevance=fused[cid],
        similarity=found.similarity.get(cid, 0.0),
        lexical=found.lexical_score.get(cid, 0.0),
        ranks=candidate.ranks,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
