"""The extractive composer: an answer made only of sentences the passages contain.

No LLM, no network: sentences of the retrieved passages are scored against the
question (embedding similarity plus term overlap), picked with a redundancy check,
and each is followed by the ``[n]`` marker of its passage. A sub-paragraph of a
decision ("(b) identify…") is led by the start of its paragraph's chapeau so it reads
on its own. When the best passage's support is below the threshold the answer is a
refusal that lists the closest passages as possibly related.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answer_types import asked_figure, asks_list, asks_number, states_figure
from assistant.lexical import tokenize
from assistant.records import Answer, Citation, Source
from assistant.retrieval import Retrieval
from assistant.sentence_vectors import SentenceVectors, evidence_sentences
from assistant.settings import Settings

__all__ = [
    "ExtractiveComposer",
    "citation_for",
    "refusal_answer",
    "refusal_text",
    "support_score",
]

LANGUAGE_NAMES = {
    "en": {"en": "English", "zh": "Chinese", "es": "Spanish", "fr": "French", "ru": "Russian", "ar": "Arabic"},
    "zh": {"en": "英文", "zh": "中文", "es": "西班牙文", "fr": "法文", "ru": "俄文", "ar": "阿拉伯文"},
    "es": {"en": "inglés", "zh": "chino", "es": "español", "fr": "francés", "ru": "ruso", "ar": "árabe"},
    "fr": {"en": "anglais", "zh": "chinois", "es": "espagnol", "fr": "français", "ru": "russe", "ar": "arabe"},
}
_REFUSAL = {
    "en": "The corpus does not cover this question. The closest passages are listed as possibly related.",
    "zh": "语料库没有涉及这个问题。下面列出可能相关的最接近的段落。",
    "es": "El corpus no cubre esta pregunta. Los pasajes más cercanos se indican como posiblemente relacionados.",
    "fr": "Le corpus ne couvre pas cette question. Les passages les plus proches sont indiqués comme peut-être liés.",
}
_OTHER_LANGUAGE = {
    "en": "The quoted passages are in {names}.",
    "zh": "以下引用的段落为{names}。",
    "es": "Los pasajes citados están en {names}.",
    "fr": "Les passages cités sont en {names}.",
}
_CJK = re.compile(r"[\u3400-\u9fff]")
# Bounds on the sentences embedded per question (the composer's cost).
MAX_SOURCES_SCANNED = 5
MIN_SENTENCES = 2
_FIGURE = re.compile(r"\d")
QUANTITY_BONUS = 0.04
LIST_BONUS = 0.04
# Sentence score = cosine + OVERLAP_WEIGHT x share of question terms + a small prior for
# the better-ranked passage (tuned on the eval sets' key-fact coverage).
OVERLAP_WEIGHT = 0.3
RANK_PRIOR = 0.05
SCORE_MARGIN = 0.12


def refusal_text(language: str) -> str:
    """Return the refusal sentence in the question's language (English when not available)."""
    return _REFUSAL.get(language, _REFUSAL["en"])


def refusal_answer(
    language: str, sources: list[Source], trace: dict[str, Any], notices: tuple[str, ...] = ()
) -> Answer:
    """Say the corpus does not cover the question; list the closest passages as related."""
    related = tuple(citation_for(i, s) for i, s in enumerate(sources[:3], start=1))
    return Answer(
        text=refusal_text(language),
        supported=False,
        language=language,
        citations=(),
        related=related,
        notices=notices,
        trace=trace,
    )


def support_score(sources: list[Source]) -> float:
    """How well the best passage supports an answer: its question-passage cosine."""
    return max((s.similarity for s in sources), default=0.0)


def citation_for(n: int, source: Source, supporting: tuple[str, ...] = ()) -> Citation:
    """Build the numbered citation of a source."""
    meta = source.metadata
    return Citation(
        n=n,
        chunk_id=source.chunk_id,
        doc_id=source.doc_id,
        title=str(meta.get("title", "")),
        kind=str(meta.get("kind", "")),
        symbol=str(meta.get("symbol", "")),
        locator=str(meta.get("locator", "")),
        paragraph=str(meta.get("paragraph", "")),
        language=source.language,
        text=source.text,
        relevance=round(source.relevance, 6),
        context=str(meta.get("context", "")),
        supporting=supporting,
        origin=str(meta.get("origin", "")),
        flag=str(meta.get("flag", "")),
    )


@dataclass(frozen=True)
class _Candidate:
    source_rank: int
    order: int
    text: str
    score: float
    vector: np.ndarray | None


def _chapeau_lead(chapeau: str) -> str:
    """Return the start of a paragraph's chapeau, cut at a clause boundary: '1. Urges Parties, …'."""
    limit = 12 if _CJK.search(chapeau) else 30
    for match in re.finditer(r"[，,：:；;]", chapeau):
        if match.start() >= limit:
            return chapeau[: match.start()].rstrip() + " …"
    return chapeau if len(chapeau) <= 160 else chapeau[:140].rsplit(" ", 1)[0] + " …"


def _finish(sentence: str) -> str:
    """End a quoted clause cleanly: a trailing ';' or ',' becomes a full stop."""
    sentence = sentence.rstrip()
    sentence = re.sub(r"(；以及|; and|；|;|，|,|：|:)$", "", sentence).rstrip()
    if not sentence:
        return sentence
    if sentence[-1] in "。.!?！？]）)":
        return sentence
    return sentence + ("。" if _CJK.search(sentence[-3:]) else ".")


class ExtractiveComposer:
    """Compose answers from passage sentences, with a citation on every sentence."""

    def __init__(
        self, embeddings: Any, settings: Settings, sentences: SentenceVectors | None = None
    ) -> None:
        self.embeddings = embeddings
        self.settings = settings
        # Vectors embedded at ingest; the assistant sets (and refreshes) them.
        self.sentences = sentences

    def _sentence_vectors(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """Vectors of (chunk id, embedded text) pairs: stored ones, the rest embedded now."""
        found: dict[tuple[str, str], np.ndarray] = {}
        if wanted and self.sentences is not None:
            found = self.sentences.lookup(sorted({chunk_id for chunk_id, _ in wanted}))
        missing = [key for key in dict.fromkeys(wanted) if key not in found]
        if missing:
            encoded = self.embeddings.encode([text for _, text in missing])
            found.update(
                (key, np.asarray(vector, dtype=np.float32)) for key, vector in zip(missing, encoded, strict=True)
            )
        return found

    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        """Answer ``question`` from ``retrieval``, or refuse when support is weak."""
        language = retrieval.language
        sources = retrieval.sources
        support = support_score(sources)
        trace = {"support": round(support, 4), "composer": "extractive"}
        if not sources or support < self.settings.effective_support_threshold:
            return refusal_answer(language, sources, trace)
        same_language = [s for s in sources if s.language == language]
        # Quote the question's language when the ranking found its best evidence there
        # (the ranking already favours that language); otherwise the stronger evidence
        # in another language beats weaker text in the question's own.
        usable = same_language if same_language and sources[0].language == language else sources
        picked = self._pick(question, retrieval.query_vector, usable)
        if not picked:  # nothing quotable (only headings or chapeaus): say so, do not guess
            return refusal_answer(language, sources, trace)
        notices: tuple[str, ...] = ()
        foreign = sorted({usable[c.source_rank].language for c in picked} - {language})
        if foreign:
            names = LANGUAGE_NAMES.get(language, LANGUAGE_NAMES["en"])
            template = _OTHER_LANGUAGE.get(language, _OTHER_LANGUAGE["en"])
            notices = (template.format(names=", ".join(names.get(c, c) for c in foreign)),)
        numbers: dict[str, int] = {}
        lines: list[str] = []
        sentences: list[dict[str, Any]] = []
        supporting: dict[str, list[str]] = {}
        for candidate in picked:
            source = usable[candidate.source_rank]
            n = numbers.setdefault(source.chunk_id, len(numbers) + 1)
            quoted = _finish(candidate.text)
            context = str(source.metadata.get("context", ""))
            if context and candidate.order == 0 and source.metadata.get("paragraph"):
                quoted = f"{_chapeau_lead(context)} {quoted}"
            lines.append(f"{quoted} [{n}]")
            supporting.setdefault(source.chunk_id, []).append(candidate.text)
            sentences.append({"text": quoted, "citations": [n], "supported": True})
        by_id = {s.chunk_id: s for s in usable}
        citations = tuple(
            citation_for(n, by_id[cid], tuple(supporting[cid])) for cid, n in numbers.items()
        )
        joiner = "" if language in ("zh", "ja") else " "
        return Answer(
            text=joiner.join(lines),
            supported=True,
            language=language,
            citations=citations,
            sentences=tuple(sentences),
            notices=notices,
            trace=trace,
        )

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield the answer sentence by sentence (the text so far), then the Answer.

        Extractive answers are ready at once; streaming them keeps the chat's
        behaviour the same in both modes.
        """
        answer = self.compose(question, retrieval)
        joiner = "" if answer.language in ("zh", "ja") else " "
        parts = [s["text"] + " " + "".join(f"[{n}]" for n in s["citations"]) for s in answer.sentences]
        if not parts:
            parts = [answer.text]
        for i in range(1, len(parts) + 1):
            yield joiner.join(parts[:i])
        yield answer

    def _pick(self, question: str, query_vector: np.ndarray, sources: list[Source]) -> list[_Candidate]:
        """Score every sentence, then take the best ones without repeating."""
        terms = set(tokenize(question))
        raw = [
            (rank, sentence)
            for rank, source in enumerate(sources[:MAX_SOURCES_SCANNED])
            for sentence in evidence_sentences(source.text, source.metadata)
        ]
        if not raw:
            return []
        single = {rank for rank, source in enumerate(sources) if sum(r[0] == rank for r in raw) == 1}
        vectors = self._sentence_vectors(
            [(sources[rank].chunk_id, s.embed_text) for rank, s in raw if rank not in single]
        )
        wants_number = asks_number(question)
        figure = asked_figure(question)
        wants_list = asks_list(question)
        candidates: list[_Candidate] = []
        for rank, sentence in raw:
            order, text = sentence.order, sentence.text
            if rank in single:
                vector, similarity = None, sources[rank].similarity  # the chunk is the sentence
            else:
                vector = vectors[(sources[rank].chunk_id, sentence.embed_text)]
                similarity = float(np.dot(vector, query_vector))
            overlap = len(terms & set(tokenize(sentence.embed_text))) / max(1, len(terms))
            prior = RANK_PRIOR / (1 + rank)
            # "How many/much…" is answered by a sentence with a figure in it.
            quantity = QUANTITY_BONUS if wants_number and _FIGURE.search(text) else 0.0
            if figure and states_figure(text, figure):  # "how many hectares": one in hectares
                quantity += QUANTITY_BONUS
            # "Which measures…", "what stands in the way…": a list quoted whole.
            listed = LIST_BONUS if wants_list and sentence.whole_list else 0.0
            score = similarity + OVERLAP_WEIGHT * overlap + prior + quantity + listed
            candidates.append(_Candidate(rank, order, text, score, vector))
        candidates.sort(key=lambda c: c.score, reverse=True)
        best = candidates[0].score
        chosen: list[_Candidate] = []
        for candidate in candidates:
            if len(chosen) >= self.settings.answer_sentences:
                break
            if len(chosen) >= MIN_SENTENCES and candidate.score < best - SCORE_MARGIN:
                break
            if any(_redundant(candidate, c) for c in chosen):
                continue
            chosen.append(candidate)
        return sorted(chosen, key=lambda c: (c.source_rank, c.order))


def _redundant(a: _Candidate, b: _Candidate) -> bool:
    if a.vector is not None and b.vector is not None and float(np.dot(a.vector, b.vector)) > 0.95:
        return True
    ta, tb = set(tokenize(a.text)), set(tokenize(b.text))
    return len(ta & tb) / max(1, len(ta | tb)) > 0.8
