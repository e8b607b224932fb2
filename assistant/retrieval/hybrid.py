"""Hybrid retrieval: dense (Chroma) + BM25, fused by weighted reciprocal rank.

A third, small ranking prefers passages in the question's language, so a Chinese
question is answered from the Chinese original and an English one from the
translation; translations of the same paragraph then collapse to the best one, so
two language versions do not crowd out other evidence.
"""

from __future__ import annotations

import re
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
from assistant.language.detect import detect_language
from assistant.language.places import expand_places
from assistant.retrieval.acronyms import expand_acronyms
from assistant.retrieval.answer_types import asked_figure, asks_list, is_list, states_figure
from assistant.retrieval.lexical import LexicalIndex, tokenize

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


def _near_duplicate(a: str, b: str, threshold: float) -> bool:
    def grams(text: str) -> set[str]:
        text = re.sub(r"\s+", " ", text.lower())
        return {text[i : i + 3] for i in range(max(1, len(text) - 2))}

    ga, gb = grams(a), grams(b)
    return len(ga & gb) / max(1, len(ga | gb)) >= threshold


class HybridRetriever(BaseRetriever):
    """LangChain retriever over one store: dense + lexical + language preference."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    embeddings: Any
    lexical: LexicalIndex | None
    settings: Settings
    filters: Filters = Filters()
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

        ``focus_docs`` (the documents a conversation is about) get a small fusion
        bonus, as the question's language does.
        """
        settings = self.settings
        filters = filters or Filters()
        k = k or settings.top_k
        language = language or detect_language(query)
        timings: dict[str, float] = {}
        if self.lexical is not None:
            # "COP" finds "Conference of the Parties" in both retrievers.
            query = expand_acronyms(query, self.lexical.acronyms)
            # "卢旺达" finds "Rwanda".
            query = expand_places(query, language, self.lexical.main_language)

        started = time.perf_counter()
        query_vector = np.asarray(self.embeddings.encode([query], query=True)[0], dtype=np.float32)
        timings["embed"] = _ms(started)

        candidates: dict[str, dict[str, Any]] = {}
        lexical_trust = 1.0
        ranks: dict[str, dict[str, int]] = {}
        similarity: dict[str, float] = {}
        lexical_score: dict[str, float] = {}

        # The rarer the question's language in the corpus, the more the passages in other
        # languages must be heard: a Chinese question otherwise only finds Chinese text.
        share = self.lexical.language_share(language) if self.lexical is not None else 0.0
        crosslingual_weight = settings.crosslingual_weight * (1.0 - share)
        if settings.retrieval_mode in ("hybrid", "dense"):
            started = time.perf_counter()
            # One query, read twice: its head is the dense ranking; its passages in other
            # languages than the question's are the cross-lingual one (a Spanish question
            # should reach the decision's English and Chinese text, not only Spanish
            # summaries). A metadata filter would make Chroma scan every matching record,
            # which grows with the corpus; a deeper plain HNSW query does not.
            depth = settings.candidate_k * (CROSSLINGUAL_DEPTH if crosslingual_weight > 0 else 1)
            result = self.store.collection.query(
                query_embeddings=[query_vector],
                n_results=depth,
                where=filters.chroma_where(),
                include=["documents", "metadatas", "distances"],
            )
            # ... but not their translations of what the question's language already has.
            covered = set(self.lexical.translated_into(language)) if self.lexical else set()
            other_rank = 0
            for rank, (cid, text, meta, distance) in enumerate(
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                    result["distances"][0], strict=True),
                start=1,
            ):
                in_head = rank <= settings.candidate_k
                crosslingual = (
                    crosslingual_weight > 0
                    and other_rank < settings.candidate_k
                    and meta.get("language") != language
                    and meta.get("doc_id") not in covered
                )
                if not (in_head or crosslingual):
                    continue
                candidates[cid] = {"text": text, "metadata": meta}
                similarity[cid] = 1.0 - float(distance)
                if in_head:
                    ranks.setdefault(cid, {})["dense"] = rank
                if crosslingual:
                    other_rank += 1
                    ranks.setdefault(cid, {})["crosslingual"] = other_rank
            timings["dense"] = _ms(started)

        if settings.retrieval_mode in ("hybrid", "lexical") and self.lexical is not None:
            started = time.perf_counter()
            terms = tokenize(query)
            # BM25 counts in full only when it can read most of the question.
            lexical_trust = min(1.0, self.lexical.coverage(terms) / settings.lexical_full_coverage)
            mask = self._mask(filters) if filters.active() else None
            for rank, hit in enumerate(self.lexical.search(terms, settings.candidate_k, mask), start=1):
                cid = self.lexical.ids[hit.index]
                candidates.setdefault(
                    cid, {"text": self.lexical.texts[hit.index], "metadata": self.lexical.metadatas[hit.index]}
                )
                ranks.setdefault(cid, {})["lexical"] = rank
                lexical_score[cid] = hit.score
            timings["lexical"] = _ms(started)

        started = time.perf_counter()
        weights = {
            "dense": settings.dense_weight,
            "lexical": settings.lexical_weight * lexical_trust,
            "crosslingual": crosslingual_weight,
        }
        symbols = named_symbols(query)
        # "Does the decision call for…": the decisions' own text, not briefs about them.
        unnamed_decision = not symbols and asks_about_a_decision(query)
        paragraphs = named_paragraphs(query)
        decisions = self.lexical.decision_paragraphs() if self.lexical is not None else {}
        fused: dict[str, float] = {}
        group_ranks = _group_ranks(ranks, candidates)
        for cid, by_list in ranks.items():
            # A paragraph and its translation pool their evidence: the best rank of either
            # in each list counts for both.
            by_list = group_ranks.get(_pair_key(candidates[cid]["metadata"]), by_list)
            score = sum(weights[name] / (settings.rrf_k + rank) for name, rank in by_list.items())
            meta = candidates[cid]["metadata"]
            if meta.get("language") == language:
                score += settings.language_weight / (settings.rrf_k + 1)
            if focus_docs and meta.get("doc_id") in focus_docs:
                score += settings.focus_weight / (settings.rrf_k + 1)
            named = _names_document(meta, symbols, decisions)
            if unnamed_decision and meta.get("kind") == "decision":
                score += settings.decision_weight / (settings.rrf_k + 1)
            if named:
                score += settings.symbol_weight / (settings.rrf_k + 1)
            if paragraphs and str(meta.get("paragraph", "")) in paragraphs and (named or not symbols):
                score += settings.paragraph_weight / (settings.rrf_k + 1)
            fused[cid] = score
        chosen = self._choose(fused, candidates, query, language, k)
        topical = chosen
        # "How many hectares…", "which measures…": among passages on the topic, those
        # giving the kind of answer asked for (an area, a list) come first.
        kind = asked_figure(query)
        wants_list = asks_list(query)
        if settings.answer_type_weight and (kind or wants_list):
            bonus = settings.answer_type_weight / (settings.rrf_k + 1)

            def gives_asked(text: str) -> bool:
                return bool(kind and states_figure(text, kind)) or (wants_list and is_list(text))

            fused = {c: s + (bonus if gives_asked(candidates[c]["text"]) else 0.0) for c, s in fused.items()}
            chosen = self._choose(fused, candidates, query, language, k)
        timings["fusion"] = _ms(started)

        missing = [cid for cid in dict.fromkeys(chosen + topical) if cid not in similarity]
        if missing:
            got = self.store.collection.get(ids=missing, include=["embeddings"])
            for cid, vector in zip(got["ids"], got["embeddings"], strict=True):
                similarity[cid] = float(np.dot(np.asarray(vector, dtype=np.float32), query_vector))

        def source(cid: str) -> Source:
            return Source(
                chunk_id=cid,
                text=candidates[cid]["text"],
                metadata=dict(candidates[cid]["metadata"]),
                relevance=fused[cid],
                similarity=similarity.get(cid, 0.0),
                lexical=lexical_score.get(cid, 0.0),
                ranks=ranks[cid],
            )

        sources = [source(cid) for cid in chosen]
        return Retrieval(
            sources, query_vector, language, timings, query,
            topical=sources if topical is chosen else [source(cid) for cid in topical],
        )

    def _choose(
        self, fused: dict[str, float], candidates: dict[str, dict[str, Any]], query: str, language: str, k: int
    ) -> list[str]:
        """Pick the ``k`` best passages by fused score, reference lists left out unless asked for."""
        ordered = sorted(fused, key=lambda c: fused[c], reverse=True)
        if not _ASKS_FOR_SOURCES.search(query):
            headings = {h.casefold() for h in self.settings.reference_headings}
            ordered = [
                c for c in ordered
                if str(candidates[c]["metadata"].get("locator", "")).strip().casefold() not in headings
            ]
        return self._diversify(ordered, candidates, language, k)

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

    def _diversify(
        self, ordered: list[str], candidates: dict[str, dict[str, Any]], language: str, k: int
    ) -> list[str]:
        """Keep one version of each translated paragraph and drop near-identical text."""
        chosen: list[str] = []
        groups: dict[tuple[str, str], int] = {}
        per_document: dict[str, int] = {}
        for cid in ordered:
            meta = candidates[cid]["metadata"]
            text = candidates[cid]["text"]
            doc_id = str(meta.get("doc_id"))
            if per_document.get(doc_id, 0) >= self.settings.max_per_document:
                continue
            group = (str(meta.get("translation_of") or meta.get("doc_id")), str(meta.get("paragraph") or ""))
            if group[1] and group in groups:
                slot = groups[group]
                kept = candidates[chosen[slot]]["metadata"]
                if kept.get("language") != language and meta.get("language") == language:
                    chosen[slot] = cid  # the question's language wins within a pair
                continue
            if any(
                _near_duplicate(text, candidates[c]["text"], self.settings.duplicate_similarity)
                for c in chosen
            ):
                continue
            if group[1]:
                groups[group] = len(chosen)
            per_document[doc_id] = per_document.get(doc_id, 0) + 1
            chosen.append(cid)
            if len(chosen) >= k:
                break
        return chosen


# How much deeper than ``candidate_k`` the dense query reads to find passages in other
# languages than the question's.
CROSSLINGUAL_DEPTH = 4

# Questions about provenance keep reference-list passages in the evidence.
_ASKS_FOR_SOURCES = re.compile(
    r"\b(?:sources?|references?|bibliograph\w*|cited|citations?|fuentes?|références?|bibliografía)\b"
    r"|来源|出处|参考|文献",
    re.IGNORECASE,
)


def _pair_key(meta: dict[str, Any]) -> tuple[str, str] | None:
    """Return the paragraph shared by a document and its translations, if the chunk is one."""
    paragraph = str(meta.get("paragraph") or "")
    if not paragraph:
        return None
    return (str(meta.get("translation_of") or meta.get("doc_id")), paragraph)


def _group_ranks(
    ranks: dict[str, dict[str, int]], candidates: dict[str, dict[str, Any]]
) -> dict[tuple[str, str] | None, dict[str, int]]:
    """Best rank per list over each paragraph's language versions."""
    groups: dict[tuple[str, str] | None, dict[str, int]] = {}
    for cid, by_list in ranks.items():
        key = _pair_key(candidates[cid]["metadata"])
        if key is None:
            continue
        best = groups.setdefault(key, {})
        for name, rank in by_list.items():
            best[name] = min(rank, best.get(name, rank))
    return groups


_SYMBOL = re.compile(r"(?<![A-Za-z])([IVX]{1,5}/\d{1,2})(?!\d)", re.IGNORECASE)


def named_symbols(query: str) -> set[str]:
    """Decision symbols named in a question ("XI/16", "第XI/16号决定")."""
    return {m.upper() for m in _SYMBOL.findall(query)}


_PARAGRAPH = re.compile(
    r"(?P<pre>preambular\s+)?(?:sub-?)?(?:paragraph|para\.?|párrafo|paragraphe|пункт[а-я]*)\s*"
    r"(?P<n>\d{1,2})\s*(?:\(\s*(?P<l>[a-z])\s*\)|(?P<l2>[a-z])\))?"
    r"|(?P<zpre>序言部分?)?第\s*(?P<zn>\d{1,2})\s*(?:\(\s*(?P<zl>[a-z])\s*\)\s*)?段",
    re.IGNORECASE,
)


# "The decision", "this decision", "该决定", "决定是否…", "la décision", "la decisión".
_A_DECISION = re.compile(
    r"\b(?:the|this) decision\b|\bla d[ée]cisi[oó]n\b|\bel decisi[oó]n\b|(?:该|本|此|这项)决定"
    r"|(?:^|[，。？、\s])决定(?:第|是否|有没有|要求|建议|关于|鼓励|支持|提到|中|里)",
    re.IGNORECASE,
)


def asks_about_a_decision(query: str) -> bool:
    """Whether a question is about "the decision" (a decision it does not name by symbol)."""
    return bool(_A_DECISION.search(query))


def named_paragraphs(query: str) -> set[str]:
    """Paragraphs a question names ("paragraph 2", "para. 1(b)", "第2(e)段", "párrafo 5 c)")."""
    found: set[str] = set()
    for m in _PARAGRAPH.finditer(query):
        number = m.group("n") or m.group("zn")
        letter = (m.group("l") or m.group("l2") or m.group("zl") or "").lower()
        preamble = m.group("pre") or m.group("zpre")
        found.add(f"pp{number}" if preamble else f"{number}({letter})" if letter else number)
    return found


def _names_document(meta: dict[str, Any], symbols: set[str], decisions: dict[str, set[str]]) -> bool:
    """Whether a chunk belongs to a document the question names by symbol.

    Where the corpus holds the decision itself, it is the one named: summaries and
    briefs about it carry its symbol too, but they are not the text being asked about.
    """
    symbol = str(meta.get("symbol", "")).upper()
    if not symbols or symbol not in symbols:
        return False
    return symbol not in decisions or meta.get("kind") == "decision"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
