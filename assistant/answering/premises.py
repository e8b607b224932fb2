"""Checks of a question's premises (before answering) and of the answer (after).

An extractive answer quotes the closest sentences; it cannot notice that the question
asks for something the corpus does not hold, and quoting the nearest text then misleads.
The checks, cheapest first:

- a request addressed to the assistant itself ("ignore your instructions…", "what do
  you think…"), not a question about restoration, or a claim put to it for confirmation
  ("Aren't pastoralists the main cause…?": quoting cannot confirm or deny it);
- a paragraph the named decision does not have ("paragraph 6 of XI/16");
- a figure of the asked kind (an area, money, a percentage, a dose, a length, a date, contact
  details; per year or per hectare when so asked), a number of the thing a "how many…"
  question counts (judged in the question's language only: its words against the
  passages' or their translations'; an acronym counted, "CPU", in any language), or a
  prohibition, that no retrieved passage states (of the named decision, when the
  question names one); when only one ask of several fails, the others are answered with
  the notice (``Problem.partial``);
- salient terms of the question (rare in general language) that no passage contains
  (:mod:`assistant.answering.evidence`): the refusal names them.

After composing, an answer to "how many hectares…" that states no area is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.answering.crosslingual import WordVectors, counts_across_languages
from assistant.answering.evidence import (
    addressed_to_assistant,
    kind_name,
    locator_terms,
    message,
    missing_terms,
    name_terms,
    salient_terms,
    texts_in_language,
)
from assistant.answering.intents import load_model
from assistant.answering.presence import ACRONYM
from assistant.core.records import Source
from assistant.core.settings import Settings
from assistant.language.answer_types import (
    asked_count,
    asked_figure,
    asked_per,
    question_parts,
    states_count,
    states_figure,
    states_per,
)
from assistant.language.cues import BAN_ASKED, BAN_STATED, asks_confirmation
from assistant.language.injection import INSTRUCTION
from assistant.language.references import named_paragraphs, named_symbols
from assistant.language.sentences import split_sentences
from assistant.language.titles import named_documents
from assistant.retrieval.lexical import tokenize
from assistant.retrieval.question import Question
from assistant.store.embeddings import model_id

__all__ = ["Problem", "check_answer", "check_premises"]


@dataclass(frozen=True)
class Problem:
    """Why a question is refused: a code for the trace, a notice for people.

    ``partial``: only one ask of a question that asks several things fails ("how much did
    it cost, and how far did the water table rise?"); the rest is answered, with the notice.
    """

    reason: str
    notice: str
    partial: bool = False



def check_premises(
    question: str,
    language: str,
    sources: Sequence[Source],
    decisions: Mapping[str, set[str]],
    *,
    lexical: Any | None = None,
    settings: Settings | None = None,
    analysed: Question | None = None,
    words: WordVectors | None = None,
    vector: np.ndarray | None = None,
) -> Problem | None:
    """Return why the question cannot be answered from ``sources``, or ``None``.

    ``decisions`` maps each decision symbol whose text is indexed to its paragraphs;
    ``lexical`` (the corpus's lexical index) gives the passages' translations and the
    corpus vocabulary; ``settings`` the evidence thresholds (defaults when ``None``);
    ``analysed`` the question as retrieval read it (its named decisions and paragraphs
    are then not parsed again); ``words`` embeds words (a count asked of passages in another
    language is then judged too); ``vector`` is the question's embedding (a request for
    harmful help or for a forecast is then recognised, :mod:`assistant.answering.intents`).
    """
    settings = settings or _default_settings()
    if INSTRUCTION.search(question):
        return Problem("instruction", message("instruction", language))
    if settings.evidence_addressed and addressed_to_assistant(question, language):
        return Problem("addressed-to-assistant", message("addressed", language))
    if settings.evidence_addressed and asks_confirmation(question):
        return Problem("confirmation", message("confirm", language))
    for intent, threshold, reason in _INTENTS:
        if vector is not None and _has_intent(vector, settings, intent, getattr(settings, threshold)):
            return Problem(reason, message(intent, language))
    symbols = set(analysed.symbols) if analysed is not None else named_symbols(question)
    named = symbols & set(decisions)
    wanted = set(analysed.paragraphs) if analysed is not None else named_paragraphs(question)
    for symbol in sorted(named):
        if wanted and not wanted & decisions[symbol]:
            paragraph = sorted(wanted)[0]
            return Problem("no-such-paragraph", message("paragraph", language, symbol=symbol, paragraph=paragraph))
    if not sources:
        return None
    # A paragraph of a decision whose text is not indexed: only a passage citing it answers.
    for symbol in sorted(symbols - named):
        if wanted and not any(_cites(s.text, symbol, wanted) for s in sources):
            paragraph = sorted(wanted)[0]
            return Problem(
                "paragraph-absent", message("paragraph-absent", language, symbol=symbol, paragraph=paragraph)
            )
    # "How many hectares does XI/16 require…" asks what XI/16 says, not any passage.
    about = [s for s in sources if str(s.metadata.get("symbol", "")).upper() in named] if named else sources
    # Naming a missing subject ("glyphosate") says more than naming a missing kind of figure.
    missing = _missing_terms(question, language, sources, lexical, settings)
    if missing is not None:
        return missing
    kind = asked_figure(question)
    subject = _of_named_subject(about, analysed, question)
    if kind and not any(states_figure(s.text, kind) for s in subject):
        notice = message("figure", language, kind=kind_name(kind, language))
        return Problem(f"no-{kind}-figure", notice, _other_asks(question, lambda part: asked_figure(part) != kind))
    counted = None if kind else asked_count(question)  # "how many jobs": a number of jobs
    if counted and not _counted_in(counted[1], subject, language, lexical, words, settings):
        phrase = counted[0][:1].lower() + counted[0][1:]  # "How many jobs" inside a sentence
        notice = message("figure", language, kind=phrase)
        return Problem("no-count-figure", notice, _other_asks(question, lambda part: asked_count(part) is None))
    per = asked_per(question)  # "how many tonnes a year": a total does not answer it
    if per and not any(states_per(s.text, per) for s in subject):
        notice = message("figure", language, kind=kind_name(f"per-{per}", language))
        return Problem(f"no-per-{per}-figure", notice, _other_asks(question, lambda part: asked_per(part) != per))
    if BAN_ASKED.search(question) and not any(BAN_STATED.search(s.text) for s in about):
        return Problem("no-such-prohibition", message("ban", language))
    return None


# Requests declined by intent (assistant/answering/intents.py): the intent (also its
# notice's key), its threshold setting, the refusal's reason. A new intent is one row here.
_INTENTS = (
    ("harmful", "evidence_harm_threshold", "harmful"),
    ("forecast", "evidence_forecast_threshold", "forecast-asked"),
)


def _has_intent(vector: np.ndarray, settings: Settings, intent: str, threshold: float | None) -> bool:
    """Whether ``intent``'s classifier reads the question as such a request (at ``threshold``)."""
    if threshold is None:
        return False
    model = load_model(intent)
    if model is None or model.model_id != model_id(settings.embedding_model):
        return False  # no model, or one trained on another embedding model's vectors
    return model.probability(vector) >= threshold


def _counted_in(
    counted: list[str],
    subject: Sequence[Source],
    language: str,
    lexical: Any | None,
    words: WordVectors | None,
    settings: Settings,
) -> bool:
    """Whether a passage states a number of the thing counted; ``True`` when it cannot be judged.

    In the question's language the words are compared; passages with no version in it are
    judged by the words nearest in meaning (:mod:`assistant.answering.crosslingual`).
    """
    texts = texts_in_language(subject, language, lexical)
    if texts is None and all(ACRONYM.fullmatch(word) for word in counted):
        texts = [s.text for s in subject]  # an acronym ("CPU") is written alike in every language
    if texts is not None:
        return any(states_count(t, counted, tokenize) for t in texts)
    margin = settings.evidence_count_margin
    if words is None or margin is None:
        return True
    return counts_across_languages(counted, [s.text for s in subject], words, margin=margin)


def _of_named_subject(
    sources: Sequence[Source], analysed: Question | None, question: str
) -> Sequence[Source]:
    """Return the passages of the one or two documents whose title the question names, else all.

    "How many tonnes of CO2 does Peatland ACTION save?" asks a figure of that case: the
    same kind of figure in another document (Indonesia's fire emissions) does not answer
    it. A name is a capitalised word inside the question, an acronym, or a Latin-script
    word in a question in another script (places already written in the corpus's
    language, see :func:`~assistant.language.places.expand_places`); a name found in the
    titles of many documents ("CBD") names no one subject.
    """
    text = analysed.searched if analysed is not None else question
    named = named_documents(text, {s.doc_id: str(s.metadata.get("title", "")) for s in sources})
    return [s for s in sources if s.doc_id in named] if named else sources


def _missing_terms(
    question: str, language: str, sources: Sequence[Source], lexical: Any | None, settings: Settings
) -> Problem | None:
    """Refuse when enough of the question's salient terms occur in no passage."""
    if settings.evidence_min_missing <= 0:
        return None
    terms = salient_terms(
        question,
        language,
        settings.evidence_max_zipf,
        years=settings.evidence_years,
        common_part_zipf=settings.evidence_common_part_zipf,
        # A name written in the passages' own language can be looked for as written; one in
        # another language ("Escocia", "Gran Muralla Verde") is spelled otherwise there.
        name_max_zipf=settings.evidence_name_max_zipf
        if all(s.language == language for s in sources[: settings.evidence_passages])
        else None,
    )
    if settings.evidence_locators:
        terms = sorted(terms + locator_terms(question), key=lambda t: t.position)
    asks = _ask_spans(question)
    if asks:  # "We're starting in Guinea-Bissau. From Senegal's experience, what…?"
        terms = [t for t in terms if any(start <= t.position < end for start, end in asks)]
    missing = missing_terms(
        terms,
        question,
        language,
        sources[: settings.evidence_passages],
        lexical,
        corpus_topics=settings.evidence_corpus_topics,
        fuzzy_ratio=settings.evidence_fuzzy_ratio,
    )
    # A long question (a practitioner's situation, then the ask) carries incidental words
    # (the asker's district, crop or employer); what is missing must be a share of it.
    words = len(tokenize(question))
    if len(missing) < max(settings.evidence_min_missing, settings.evidence_min_share * words):
        return None
    names = name_terms(missing, question, language)
    return Problem("missing-terms", message("missing", language, terms=names))


def _ask_spans(question: str) -> list[tuple[int, int]]:
    """Where a question of several sentences asks (its sentences ending in "?"), else none.

    The statements before the ask describe the asker's situation (their country, crop,
    employer): a word there that no passage holds is the asker's, not the subject asked about.
    """
    sentences = split_sentences(question)
    if len(sentences) < 2:
        return []
    spans, cursor = [], 0
    for sentence in sentences:
        start = question.find(sentence, cursor)
        if start < 0:
            return []
        cursor = start + len(sentence)
        if sentence.rstrip(" \"'”»)").endswith(("?", "？", "؟")):
            spans.append((start, cursor))
    return spans


def check_answer(question: str, language: str, answer: str) -> Problem | None:
    """Return why a composed answer does not answer the question, or ``None``.

    A passage may state an area while the sentences chosen speak of something else: an
    answer to "how many hectares…" without any area in it is no answer (to that ask).
    """
    kind = asked_figure(question)
    if kind and not states_figure(answer, kind):
        notice = message("answer-figure", language, kind=kind_name(kind, language))
        partial = _other_asks(question, lambda part: asked_figure(part) != kind)
        return Problem(f"no-{kind}-figure-in-answer", notice, partial)
    return None


def _other_asks(question: str, unaffected: Callable[[str], bool]) -> bool:
    """Whether the question asks several things and one of them is ``unaffected`` by a failed check."""
    asks = _ask_spans(question)  # the situation told before the ask is no ask of its own
    parts = question_parts(" ".join(question[a:b] for a, b in asks) if asks else question)
    return len(parts) > 1 and any(unaffected(part) for part in parts)


def _cites(text: str, symbol: str, paragraphs: set[str]) -> bool:
    """Whether ``text`` names decision ``symbol`` and one of ``paragraphs`` ("4(c)", "4 (c)")."""
    if symbol.lower() not in text.lower():
        return False
    compact = re.sub(r"\s+", "", text.lower())
    return any(p.removeprefix("pp").lower() in compact for p in paragraphs)


@lru_cache(maxsize=1)
def _default_settings() -> Settings:
    return Settings()
