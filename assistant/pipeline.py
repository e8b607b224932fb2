"""Build the assistant once from settings and answer questions with it.

:func:`build_assistant` is the one factory the CLI, the app, the FAQ builder and the
eval harness share: it loads the embedding model, opens the store, builds the
lexical index and wires the retriever to the composer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from assistant.answering.condense import FollowUpRule, condense_question
from assistant.answering.evidence import warm_up as warm_up_evidence
from assistant.answering.extractive import (
    ExtractiveComposer,
    citation_for,
    refusal_answer,
    support_score,
)
from assistant.answering.premises import check_answer, check_premises
from assistant.core.errors import InvalidQuestion, LLMUnavailable
from assistant.core.provenance import origin_of
from assistant.core.records import Answer, Source, Turn
from assistant.core.settings import Settings
from assistant.language.detect import warm_up as warm_up_language
from assistant.language.injection import PLANTED_FLAG, WITHHELD_NOTICE, addressed_to_assistant
from assistant.language.messages import asks_shorter
from assistant.retrieval.hybrid import Filters, HybridRetriever, Retrieval
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.versions import Versions
from assistant.store.chroma import Store, open_store
from assistant.store.embeddings import build_embeddings, model_id

__all__ = ["Assistant", "Composer", "StoreInfo", "build_assistant", "validate_question"]

AnswerMode = Literal["extractive", "llm"]


class Composer(Protocol):
    """Turns retrieved passages into an answer (extractive, or an LLM with fallback)."""

    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        """Answer ``question`` from ``retrieval``."""
        ...

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield text as it is produced, then the finished :class:`Answer` last."""
        ...

_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)


def validate_question(question: str, max_chars: int) -> str:
    """Return the trimmed question, or raise :class:`InvalidQuestion` saying what to fix."""
    text = (question or "").strip()
    if not text:
        raise InvalidQuestion("Please type a question.")
    if len(text) > max_chars:
        raise InvalidQuestion(
            f"The question is {len(text):,} characters long; please keep it under {max_chars:,}."
        )
    if not _WORDLIKE.search(text):
        raise InvalidQuestion("The question has no words to search for; please ask in words.")
    return text


def validate_conversation(question: str, history: Sequence[Turn], settings: Settings) -> None:
    """Refuse, in one line and before any work, a conversation over the turn or size limits.

    The question's own limit does not bound what a client sends as history (a million
    characters there would otherwise be condensed and searched).
    """
    if len(history) > settings.max_history_turns:
        raise InvalidQuestion(
            f"The conversation carries {len(history):,} earlier turns; at most"
            f" {settings.max_history_turns:,} are accepted (max_history_turns)."
        )
    size = len(question or "") + sum(len(t.question) + len(t.condensed) for t in history)
    if size > settings.max_conversation_chars:
        raise InvalidQuestion(
            f"The question and its earlier turns are {size:,} characters; at most"
            f" {settings.max_conversation_chars:,} are accepted (max_conversation_chars)."
        )


def _withhold_planted(retrieval: Retrieval, k: int) -> tuple[Retrieval, list[Source]]:
    """Keep the best ``k`` passages that do not address an AI assistant (never evidence).

    The planted ones that ranked within the top ``k`` are returned to be listed, flagged;
    the next passages down take their places.
    """
    top = {s.chunk_id: s for s in (*retrieval.sources[:k], *retrieval.topical[:k])}
    withheld = [s for s in top.values() if addressed_to_assistant(s.text)]
    planted = {s.chunk_id for s in withheld}
    return (
        replace(
            retrieval,
            sources=[s for s in retrieval.sources if s.chunk_id not in planted][:k],
            topical=[s for s in retrieval.topical if s.chunk_id not in planted][:k],
        ),
        withheld,
    )


def _list_withheld(answer: Answer, withheld: list[Source], language: str) -> Answer:
    """Show withheld passages for what they are: listed, flagged, never quoted."""
    if not withheld:
        return answer
    start = max((c.n for c in (*answer.citations, *answer.related)), default=0) + 1
    flagged = tuple(
        replace(citation_for(n, s), flag=PLANTED_FLAG)
        for n, s in enumerate(withheld, start=start)
    )
    notice = WITHHELD_NOTICE.get(language, WITHHELD_NOTICE["en"])
    return replace(answer, related=answer.related + flagged, notices=(*answer.notices, notice))


def recent_history(question: str, history: Sequence[Turn], settings: Settings) -> list[Turn]:
    """Keep the latest turns of a long chat that fit the conversation limits (the chat's memory)."""
    kept: list[Turn] = []
    size = len(question)
    for turn in reversed(list(history)[-settings.max_history_turns :] if settings.max_history_turns else []):
        size += len(turn.question) + len(turn.condensed)
        if size > settings.max_conversation_chars:
            break
        kept.append(turn)
    return kept[::-1]


@dataclass(frozen=True)
class StoreInfo:
    """What the store holds."""

    location: str
    collection: str
    embedding_model: str
    chunks: int
    documents: list[dict[str, Any]] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    ecosystems: list[str] = field(default_factory=list)

    @property
    def languages(self) -> dict[str, int]:
        """Number of documents per language."""
        counts: dict[str, int] = {}
        for doc in self.documents:
            counts[doc["language"]] = counts.get(doc["language"], 0) + 1
        return dict(sorted(counts.items()))


class Assistant:
    """Answers questions from one store with one configuration."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Any,
        store: Store,
        retriever: HybridRetriever,
        composer: ExtractiveComposer,
        llm_composer: Composer | None = None,
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.store = store
        self.retriever = retriever
        self.composer = composer
        self.llm_composer = llm_composer
        self._fingerprint = store.fingerprint()
        self._info: tuple[str, StoreInfo] | None = None
        self.composer.sentences = store.sentence_vectors()

    @property
    def modes(self) -> tuple[str, ...]:
        """Answer modes this assistant offers ('llm' only when an LLM is configured)."""
        return ("extractive", "llm") if self.llm_composer is not None else ("extractive",)

    def refresh(self) -> bool:
        """Reload the lexical index if the collection changed since the last question.

        Returns whether anything was reloaded. Called before each question, so a chat
        that stays open sees documents ingested or uploaded meanwhile.
        """
        fingerprint = self.store.fingerprint()
        if fingerprint == self._fingerprint and self.retriever.lexical is not None:
            return False
        self.retriever.lexical = LexicalIndex.load_or_build(self.store, self.settings.cache_dir)
        self.composer.sentences = self.store.sentence_vectors()
        self._fingerprint = fingerprint
        return True

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        k: int | None = None,
        mode: AnswerMode | None = None,
        ranking_depth: int = 0,
    ) -> Answer:
        """Answer one question with citations; raises :class:`InvalidQuestion` on bad input.

        ``history`` holds the conversation's earlier turns: a follow-up is condensed
        with them into a standalone query before retrieval. ``ranking_depth``
        retrieves more passages than the composer uses (``k``) and records them all in
        the trace, for ranking metrics at depth 10.
        """
        answer: Answer | None = None
        for event in self._run(question, history, filters, k, mode, ranking_depth, stream=False):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        *,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        k: int | None = None,
        mode: AnswerMode | None = None,
    ) -> Iterator[str | Answer]:
        """Like :meth:`ask`, but yield the answer text as it grows, then the Answer last."""
        yield from self._run(question, history, filters, k, mode, 0, stream=True)

    def versions(self) -> Versions:
        """Return the catalogue of each paragraph's language versions (rebuilt with the index)."""
        return Versions.of(self.retriever.lexical)

    def _composer(self, mode: AnswerMode | None) -> Composer:
        mode = mode or self.settings.answer_mode
        if mode not in ("extractive", "llm"):
            raise InvalidQuestion(f"Unknown answer mode {mode!r}: use 'extractive' or 'llm'.")
        if mode == "extractive":
            return self.composer
        if self.llm_composer is None:
            raise LLMUnavailable(
                "No LLM is configured: set llm_base_url and llm_model (RA_LLM_BASE_URL,"
                " RA_LLM_MODEL) or use the extractive mode."
            )
        return self.llm_composer

    def _run(
        self,
        question: str,
        history: Sequence[Turn],
        filters: Filters | None,
        k: int | None,
        mode: AnswerMode | None,
        ranking_depth: int,
        *,
        stream: bool,
    ) -> Iterator[str | Answer]:
        started = time.perf_counter()
        validate_conversation(question, history, self.settings)
        text = validate_question(question, self.settings.max_question_chars)
        composer = self._composer(mode)
        self.refresh()
        k = k or self.settings.top_k
        condensed = condense_question(
            text,
            history,
            llm=self.llm_composer if composer is self.llm_composer else None,
            rule=FollowUpRule.of(self.settings),
        )
        retrieval = self.retriever.search(
            condensed.query,
            filters=filters,
            k=max(k, ranking_depth),
            language=condensed.language,
            focus_docs=condensed.focus_docs,
        )
        ranked = retrieval.sources
        retrieval, withheld = _withhold_planted(retrieval, k)
        # Quote the asker's language version of a paragraph, else the original's; a filter
        # on language or documents is the user's own choice of sources and wins.
        prefer = self.versions().prefer if not (filters and filters.active()) else (lambda s, _: s)
        retrieval = replace(
            retrieval,
            sources=prefer(retrieval.sources, retrieval.language),
            support=support_score(retrieval.sources),
        )
        listed = {r.chunk_id for r in ranked}
        ranked = ranked + [s for s in retrieval.sources if s.chunk_id not in listed]
        # The LLM reads the standalone question; the extractive composer quotes passages
        # by the user's own words.
        asked = condensed.query if composer is self.llm_composer and condensed.follow_up else text
        # "Shorter, please" is about the last answer: the same topic, quoted briefly, and
        # no premise to check (the request is addressed to the assistant by nature).
        briefer = composer is self.composer and condensed.follow_up and asks_shorter(text, condensed.language)
        if briefer:
            composer, asked = self.composer.briefer(), condensed.query
        compose_started = time.perf_counter()
        answer: Answer | None = None
        decisions = self.retriever.lexical.decision_paragraphs() if self.retriever.lexical else {}
        problem = None if briefer else check_premises(
            condensed.query, retrieval.language, retrieval.topical, decisions,
            lexical=self.retriever.lexical, settings=self.settings,
        )
        if problem is None:
            if stream:
                for event in composer.stream(asked, retrieval):
                    if isinstance(event, Answer):
                        answer = event
                    else:
                        yield event
            else:
                answer = composer.compose(asked, retrieval)
            assert answer is not None
            problem = check_answer(condensed.query, retrieval.language, answer.text) if answer.supported else None
        if problem is not None:
            # Refused before composing (premise check) or after (the answer lacks what was
            # asked): the chat's last streamed text is the refusal either way.
            trace = answer.trace if answer is not None else {
                "support": round(support_score(retrieval.sources), 4),
                "composer": "premise check",
            }
            answer = refusal_answer(
                retrieval.language,
                # What the check read: before composing, the passages on the topic.
                retrieval.sources if answer is not None else retrieval.topical,
                {**trace, "refusal_reason": problem.reason},
                (problem.notice,),
            )
            if stream:
                yield answer.text
        assert answer is not None
        answer = _list_withheld(answer, withheld, retrieval.language)
        planted = {s.chunk_id for s in withheld}
        given = {s.chunk_id for s in retrieval.sources}
        timings = dict(retrieval.timings_ms)
        timings["condense"] = condensed.elapsed_ms
        timings["compose"] = round((time.perf_counter() - compose_started) * 1000, 2)
        timings["total"] = round((time.perf_counter() - started) * 1000, 2)
        trace = {
            "question": question,
            "condensed_query": condensed.query,
            "search_query": retrieval.searched,
            "follow_up": condensed.follow_up,
            "focus_docs": list(condensed.focus_docs),
            "history": [t.question for t in history],
            "language": retrieval.language,
            "filters": {k: list(v) for k, v in (filters or Filters()).active().items()},
            "settings": self.settings.quality_fingerprint(),
            "embedding_model": model_id(self.settings.embedding_model),
            "corpus_fingerprint": self._fingerprint,
            "prompt_version": None,
            "retrieved": [
                {
                    "chunk_id": s.chunk_id,
                    "doc_id": s.doc_id,
                    "paragraph": s.metadata.get("paragraph", ""),
                    "locator": s.metadata.get("locator", ""),
                    "language": s.language,
                    "relevance": round(s.relevance, 6),
                    "similarity": round(s.similarity, 4),
                    "lexical": round(s.lexical, 4),
                    "ranks": s.ranks,
                    "used": s.chunk_id in given,
                    "withheld": s.chunk_id in planted,
                }
                for s in ranked
            ],
            "timings_ms": timings,
            **answer.trace,
        }
        yield replace(answer, trace=trace)

    def info(self) -> StoreInfo:
        """Describe the documents, chunks and case-study facets in the store.

        One scan of the metadata per store version: the app calls this on every page load.
        """
        fingerprint = self.store.fingerprint()
        if self._info is not None and self._info[0] == fingerprint:
            return self._info[1]
        documents: dict[str, dict[str, Any]] = {}
        regions: set[str] = set()
        ecosystems: set[str] = set()
        for page in self.store.iter_records(include=["metadatas"]):
            for meta in page["metadatas"]:
                regions.add(str(meta.get("region") or ""))
                ecosystems.add(str(meta.get("ecosystem") or ""))
                doc = documents.setdefault(
                    str(meta.get("doc_id")),
                    {
                        "doc_id": meta.get("doc_id"),
                        "title": meta.get("title", ""),
                        "kind": meta.get("kind", ""),
                        "language": meta.get("language", ""),
                        "year": meta.get("year"),
                        "origin": origin_of(meta),
                        "owner": meta.get("owner", ""),
                        "chunks": 0,
                    },
                )
                doc["chunks"] += 1
        location = (
            f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            if self.settings.chroma_host
            else str(self.settings.store_dir)
        )
        info = StoreInfo(
            location=location,
            collection=self.settings.collection,
            embedding_model=self.store.model,
            chunks=self.store.count(),
            documents=sorted(documents.values(), key=lambda d: (d["kind"], d["doc_id"])),
            regions=sorted(regions - {""}),
            ecosystems=sorted(ecosystems - {""}),
        )
        self._info = (fingerprint, info)
        return info


def build_assistant(settings: Settings, embeddings: Any | None = None) -> Assistant:
    """Load the model, open the store and build the retrieval pipeline."""
    embeddings = embeddings or build_embeddings(settings.embedding_model, settings.embedding_batch_size)
    store = open_store(settings, embeddings)
    lexical = LexicalIndex.load_or_build(store, settings.cache_dir)
    warm_up_language()  # the detector's models load now, not on the first question
    warm_up_evidence(lexical)  # word frequencies and the corpus vocabulary, likewise
    retriever = HybridRetriever(store=store, embeddings=embeddings, lexical=lexical, settings=settings)
    composer = ExtractiveComposer(embeddings, settings)
    llm_composer: Composer | None = None
    if settings.llm_configured:
        from assistant.answering.llm import build_llm_composer  # optional: needs the 'llm' extra

        llm_composer = build_llm_composer(settings, embeddings, fallback=composer)
    return Assistant(settings, embeddings, store, retriever, composer, llm_composer)
