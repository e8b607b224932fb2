"""Build the assistant once from settings and answer questions with it.

:func:`build_assistant` is the one factory the CLI, the app, the FAQ builder and the
eval harness share: it loads the embedding model, opens the store, builds the
lexical index and wires the retriever to the composers. A question then passes the
stages in order: checks of its limits, condensation with the conversation, retrieval,
the withholding of planted instructions, the choice of language versions, the premise
checks, a composer, the check of the answer, and the trace.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from assistant.answering.composers import Composer, build_composers
from assistant.answering.condense import Condensed, FollowUpRule, condense_question
from assistant.answering.conversation import (
    recent_history,
    validate_conversation,
    validate_question,
)
from assistant.answering.crosslingual import WordVectors
from assistant.answering.evidence import warm_up as warm_up_evidence
from assistant.answering.extractive import ExtractiveComposer, refusal_answer, support_score
from assistant.answering.premises import check_answer, check_premises
from assistant.answering.presence import ACRONYM, corpus_evidence
from assistant.answering.withheld import list_withheld, withhold_planted
from assistant.core.errors import InvalidQuestion, LLMUnavailable
from assistant.core.records import Answer, Source, Turn
from assistant.core.settings import Settings
from assistant.language.detect import detect_language
from assistant.language.detect import warm_up as warm_up_language
from assistant.language.glosses import gloss_dictionary
from assistant.retrieval.candidates import names_asked_part
from assistant.retrieval.continuations import join_continuations
from assistant.retrieval.hybrid import Filters, HybridRetriever, Retrieval
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.paragraphs import join_named_paragraphs
from assistant.retrieval.versions import Versions
from assistant.store.catalog import StoreInfo, describe
from assistant.store.chroma import Store, open_store
from assistant.store.embeddings import embeddings_for, model_id

__all__ = [
    "Assistant",
    "Composer",
    "StoreInfo",
    "build_assistant",
    "recent_history",
    "validate_conversation",
    "validate_question",
]

AnswerMode = Literal["extractive", "llm"]


@dataclass
class _Asked:
    """One question on its way through the stages."""

    text: str  # as the user typed it, trimmed
    condensed: Condensed
    composer: Composer
    asked: str  # what the composer reads
    briefer: bool  # a "shorter, please" follow-up


class Assistant:
    """Answers questions from one store with one configuration."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Any,
        store: Store,
        retriever: HybridRetriever,
        composers: dict[str, Composer],
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.store = store
        self.retriever = retriever
        self.composers = composers
        self._fingerprint = store.fingerprint()
        self._info: tuple[str, StoreInfo] | None = None
        self.composer.sentences = store.sentence_vectors()
        # Words are embedded as queries are: a question's word is compared with the passages'.
        encode = getattr(embeddings, "encode_many", None) or getattr(embeddings, "encode", None)
        self.words = WordVectors(lambda words: encode(words, query=True)) if encode else None

    @property
    def composer(self) -> ExtractiveComposer:
        """The extractive composer: always there, and the others' fallback."""
        return self.composers["extractive"]  # type: ignore[return-value]

    @property
    def llm_composer(self) -> Composer | None:
        """The LLM composer, when an LLM is configured."""
        return self.composers.get("llm")

    @property
    def modes(self) -> tuple[str, ...]:
        """Answer modes this assistant offers ('llm' only when an LLM is configured)."""
        return tuple(self.composers)

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
        if mode in self.composers:
            return self.composers[mode]
        if mode == "llm":
            raise LLMUnavailable(
                "No LLM is configured: set llm_base_url and llm_model (RA_LLM_BASE_URL,"
                " RA_LLM_MODEL) or use the extractive mode."
            )
        raise InvalidQuestion(f"Unknown answer mode {mode!r}: use 'extractive' or 'llm'.")

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
        asked = self._prepare(question, history, mode)
        k = k or self.settings.top_k
        retrieval, ranked, withheld = self._retrieve(asked.condensed, filters, max(k, ranking_depth), k)
        compose_started = time.perf_counter()
        answer: Answer | None = None
        for event in self._answer(asked, retrieval, stream=stream):
            if isinstance(event, Answer):
                answer = event
            else:
                yield event
        assert answer is not None
        answer = list_withheld(answer, withheld, retrieval.language)
        timings = dict(retrieval.timings_ms)
        timings["condense"] = asked.condensed.elapsed_ms
        timings["compose"] = _ms(compose_started)
        timings["total"] = _ms(started)
        trace = self._trace(question, history, filters, asked.condensed, retrieval, ranked, withheld)
        yield replace(answer, trace={**trace, "timings_ms": timings, **answer.trace})

    def _prepare(self, question: str, history: Sequence[Turn], mode: AnswerMode | None) -> _Asked:
        """Check the question, pick its composer, and condense it with the conversation."""
        validate_conversation(question, history, self.settings)
        text = validate_question(question, self.settings.max_question_chars)
        composer = self._composer(mode)
        self.refresh()
        llm = self.llm_composer if composer is self.llm_composer else None
        lexical = self.retriever.lexical
        known = (lambda term: corpus_evidence(lexical).contains(term, 1.0)) if lexical is not None else None
        condensed = condense_question(text, history, llm=llm, rule=FollowUpRule.of(self.settings), known=known)
        # The LLM reads the standalone question; the extractive composer quotes passages
        # by the user's own words, or, asked for the last answer again, by the last query.
        asked = condensed.query if (llm is not None and condensed.follow_up) or condensed.again else text
        # "Shorter, please" is about the last answer: the same topic, quoted briefly, and
        # no premise to check (the request is addressed to the assistant by nature).
        briefer = composer is self.composer and condensed.again == "shorter"
        if briefer:
            composer = self.composer.briefer()
        return _Asked(text, condensed, composer, asked, briefer)

    def _retrieve(
        self, condensed: Condensed, filters: Filters | None, depth: int, k: int
    ) -> tuple[Retrieval, list[Source], list[Source]]:
        """Retrieve, withhold planted instructions, and quote each paragraph's best version.

        Returns the retrieval the composer reads, the ranking (for the trace, ``depth``
        deep) and the withheld passages.
        """
        retrieval = self.retriever.search(
            condensed.query,
            filters=filters,
            k=depth,
            language=condensed.language,
            focus_docs=condensed.focus_docs,
        )
        ranked = retrieval.sources
        retrieval, withheld = withhold_planted(retrieval, k)
        # Quote the asker's language version of a paragraph, else the original's; a filter
        # on language or documents is the user's own choice of sources and wins.
        prefer = self.versions().prefer if not (filters and filters.active()) else (lambda s, _: s)
        retrieval = replace(
            retrieval,
            sources=prefer(retrieval.sources, retrieval.language),
            support=self._support(retrieval),
        )
        retrieval = join_named_paragraphs(retrieval, self.versions())
        if self.settings.read_on:
            retrieval = join_continuations(retrieval, self.retriever.lexical)
        listed = {r.chunk_id for r in ranked}
        return retrieval, ranked + [s for s in retrieval.sources if s.chunk_id not in listed], withheld

    def _support(self, retrieval: Retrieval) -> float:
        """How well the best passage supports an answer (see ``support_score``).

        A first passage that holds what the question names, by a form no language changes,
        is on the question's topic whatever its cosine, which is low across languages
        (a Russian question, an English passage) and for table rows: the numbered part
        named ("cible 8" → the row of target 8) or every acronym named ("BRG"). It then
        supports an answer as well as the threshold asks.
        """
        support = support_score(retrieval.sources)
        question, first = retrieval.question, retrieval.sources[:1]
        if question is None or not first:
            return support
        text, metadata = first[0].text, first[0].metadata
        acronyms = set(ACRONYM.findall(question.text))
        named = bool(acronyms) and acronyms <= set(ACRONYM.findall(text))
        if names_asked_part(question, text, metadata) or named:
            return max(support, self.settings.effective_support_threshold)
        return support

    def _answer(self, asked: _Asked, retrieval: Retrieval, *, stream: bool) -> Iterator[str | Answer]:
        """Check the premises, compose, check the answer; refuse when a check fails.

        Yields streamed text (when ``stream``), then the Answer last.
        """
        lexical = self.retriever.lexical
        decisions = lexical.decision_paragraphs() if lexical else {}
        query = asked.condensed.query
        # The last answer asked for in another language: its question is checked as it was asked.
        checked_in = detect_language(query, retrieval.language) if asked.condensed.again else retrieval.language
        problem = None if asked.briefer else check_premises(
            query, checked_in, retrieval.topical, decisions, lexical=lexical, settings=self.settings,
            analysed=retrieval.question, words=self.words, vector=retrieval.query_vector,
        )
        answer: Answer | None = None
        # One ask of several unanswered: the others are answered, and the notice says which is not.
        partial = [problem] if problem is not None and problem.partial else []
        if problem is None or problem.partial:
            if stream:
                for event in asked.composer.stream(asked.asked, retrieval):
                    if isinstance(event, Answer):
                        answer = event
                    else:
                        yield event
            else:
                answer = asked.composer.compose(asked.asked, retrieval)
            assert answer is not None
            problem = check_answer(query, retrieval.language, answer.text) if answer.supported else None
            if problem is not None and problem.partial:  # said once: "no-money-figure" covers "…-in-answer"
                if not any(problem.reason.startswith(p.reason) for p in partial):
                    partial.append(problem)
                problem = None
            if answer.supported and partial:
                notices = tuple(dict.fromkeys(p.notice for p in partial))
                reasons = [p.reason for p in partial]
                answer = replace(answer, notices=(*notices, *answer.notices), trace={**answer.trace, "partial": reasons})
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
        yield answer

    def _trace(
        self,
        question: str,
        history: Sequence[Turn],
        filters: Filters | None,
        condensed: Condensed,
        retrieval: Retrieval,
        ranked: list[Source],
        withheld: list[Source],
    ) -> dict[str, Any]:
        """Record how the answer was reached: the queries, the settings, every passage ranked."""
        planted = {s.chunk_id for s in withheld}
        given = {s.chunk_id for s in retrieval.sources}
        return {
            "question": question,
            "condensed_query": condensed.query,
            "search_query": retrieval.searched,
            # The paragraph a summary in the asker's language pointed to (retrieval/pointers.py).
            "citing": (
                {"symbol": retrieval.citing.symbol, "paragraph": retrieval.citing.paragraph}
                if retrieval.citing is not None
                else None
            ),
            "follow_up": condensed.follow_up,
            "focus_docs": list(condensed.focus_docs),
            "history": [t.question for t in history],
            "language": retrieval.language,
            "filters": {k: list(v) for k, v in (filters or Filters()).active().items()},
            "settings": self.settings.quality_fingerprint(),
            "embedding_model": model_id(self.settings.embedding_model),
            "corpus_fingerprint": self._fingerprint,
            "prompt_version": None,
            "retrieved": [_ranked(s, s.chunk_id in given, s.chunk_id in planted) for s in ranked],
        }

    def info(self) -> StoreInfo:
        """Describe the documents, chunks and case-study facets in the store.

        One scan of the metadata per store version: the app calls this on every page load.
        """
        fingerprint = self.store.fingerprint()
        if self._info is None or self._info[0] != fingerprint:
            self._info = (fingerprint, describe(self.store, self.settings))
        return self._info[1]


def _ranked(source: Source, used: bool, withheld: bool) -> dict[str, Any]:
    return {
        "chunk_id": source.chunk_id,
        "doc_id": source.doc_id,
        "paragraph": source.metadata.get("paragraph", ""),
        "locator": source.metadata.get("locator", ""),
        "language": source.language,
        "relevance": round(source.relevance, 6),
        "similarity": round(source.similarity, 4),
        "lexical": round(source.lexical, 4),
        "ranks": source.ranks,
        "used": used,
        "withheld": withheld,
    }


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def build_assistant(
    settings: Settings, embeddings: Any | None = None, *, warm_up: bool = True
) -> Assistant:
    """Load the model, open the store and build the retrieval pipeline.

    ``warm_up`` loads now what the first question would otherwise wait for (language
    models, word frequencies of every language: about 3 s on 2 cores). A server wants
    that; a one-shot ``ask`` loads only what its question needs, on the way.
    """
    embeddings = embeddings or embeddings_for(settings)
    store = open_store(settings, embeddings)
    lexical = LexicalIndex.load_or_build(store, settings.cache_dir)
    if warm_up:
        warm_up_language()
        warm_up_evidence(lexical)
        if settings.gloss_senses:
            gloss_dictionary()  # read once (about 0.6 s), not at the first Chinese question
    retriever = HybridRetriever(store=store, embeddings=embeddings, lexical=lexical, settings=settings)
    return Assistant(settings, embeddings, store, retriever, build_composers(settings, embeddings))
