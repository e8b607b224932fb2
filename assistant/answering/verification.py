"""Check an LLM's answer against the passages it cites, sentence by sentence.

A model asked to cite ``[n]`` after every sentence still invents numbers, leaves
sentences uncited, or cites a real passage for a claim the passage does not make.
These pure functions find each case: markers outside ``1..k`` are removed, the
remaining ones are renumbered in order of first use (so the answer's citations list
only what it cites), and every sentence gets a support score against its cited
passages — embedding cosine, rescaled above the model's floor for unrelated text,
combined with the share of the sentence's terms the passage contains. A sentence
whose numbers do not occur in what it cites is unsupported whatever its score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.language.detect import detect_language
from assistant.language.sentences import split_sentences
from assistant.retrieval.lexical import tokenize

__all__ = [
    "CheckedPassage",
    "Marker",
    "Verification",
    "best_passage_sentence",
    "cited_sentences",
    "is_refusal",
    "parse_markers",
    "renumber_markers",
    "rescale_similarity",
    "sentence_support",
    "term_overlap",
    "verify_answer",
]

# [1]  [2][3]  [1, 2]  [1-3]  【1】  [passage 1] — one group of citation numbers.
_GROUP = re.compile(
    r"[\[【［]\s*(?:passages?|sources?)?\s*"
    r"(\d{1,3}(?:\s*(?:[,，、;]|-|–|and)\s*\d{1,3})*)"
    r"\s*[\]】］]",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d{1,3}")
_RANGE = re.compile(r"(\d{1,3})\s*[-–]\s*(\d{1,3})")
_CANONICAL = re.compile(r"\[(\d+)\]")
_LEADING_MARKERS = re.compile(r"^((?:\[\d+\])+)\s*")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([.,;:!?。，；：！？)）])")
_DIGITS = re.compile(r"\d+")
_REFUSAL_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:passages?|corpus|documents?|sources?|context|texts?)\b[^.]*?"
        r"\b(?:do(?:es)?\s*n[o']t|cannot|can't|fail to)\b[^.]*?"
        r"\b(?:answer|cover|contain|mention|address|say|provide|include|discuss)",
        r"\b(?:not|nothing)\b[^.]*?\b(?:in|covered by|mentioned in|found in)\s+the\s+"
        r"(?:passages?|corpus|documents?|sources?|context)",
        r"\b(?:cannot|can't|unable to)\s+(?:answer|find)",
        r"\bI (?:do not|don't) know\b",
        r"(?:没有|未|无法|不能|并未|并没有).{0,8}(?:回答|涉及|提到|提及|包含|说明|找到|答案)",
        r"\bne\s+(?:répondent|répond|couvre|couvrent|contiennent|contient|mentionnent)\b",
        r"\bno\s+(?:responden|responde|cubre|cubren|contienen|contiene|mencionan)\b",
        r"не\s+(?:отвечают|отвечает|содержат|содержит|упоминают)",
        r"لا\s+(?:تجيب|يجيب|تتضمن|تحتوي)",
    )
)


@dataclass(frozen=True)
class Marker:
    """One citation group in the text: where it is and the numbers it holds."""

    start: int
    end: int
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class CheckedPassage:
    """What a cited passage offers as evidence.

    ``text`` is everything the model was shown (header and paragraph opening
    included), ``body`` the passage's own text, where supporting sentences are
    quoted from for highlighting.
    """

    text: str
    language: str
    body: str = ""


@dataclass(frozen=True)
class Verification:
    """The checked answer: text with renumbered markers and a verdict per sentence.

    ``cited`` maps the new citation numbers, in order, to the passage numbers of the
    prompt (``cited[0]`` is the prompt number of ``[1]``).
    """

    text: str
    sentences: tuple[dict[str, Any], ...]
    cited: tuple[int, ...]
    removed_markers: int
    refusal: bool = False
    supporting: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def unsupported(self) -> int:
        """Number of sentences that are uncited or not supported by what they cite."""
        return sum(not s["supported"] for s in self.sentences)

    @property
    def supported(self) -> int:
        """Number of sentences supported by their cited passages."""
        return len(self.sentences) - self.unsupported


def parse_markers(text: str) -> list[Marker]:
    """Find every citation group (``[1]``, ``[2][3]`` as two, ``[1, 2]``, ``[1-3]``)."""
    markers: list[Marker] = []
    for match in _GROUP.finditer(text):
        body = match.group(1)
        numbers: list[int] = []
        for part in re.split(r"\s*(?:[,，、;]|and)\s*", body):
            span = _RANGE.fullmatch(part)
            if span:
                low, high = int(span.group(1)), int(span.group(2))
                if 0 < high - low < 20:
                    numbers.extend(range(low, high + 1))
                    continue
            numbers.extend(int(n) for n in _NUMBER.findall(part))
        markers.append(Marker(match.start(), match.end(), tuple(numbers)))
    return markers


def renumber_markers(text: str, k: int) -> tuple[str, tuple[int, ...], int]:
    """Drop numbers outside ``1..k`` and renumber the rest in order of first use.

    Returns the rewritten text (every group written ``[a][b]``), the prompt numbers
    in their new order, and how many numbers were removed.
    """
    order: dict[int, int] = {}
    removed = 0
    pieces: list[str] = []
    last = 0
    for marker in parse_markers(text):
        kept: list[int] = []
        for n in marker.numbers:
            if 1 <= n <= k:
                new = order.setdefault(n, len(order) + 1)
                if new not in kept:
                    kept.append(new)
            else:
                removed += 1
        before = text[last : marker.start]
        if not kept:
            before = before.rstrip(" \t")  # "ecosystems [9]." becomes "ecosystems."
        pieces.append(before + "".join(f"[{n}]" for n in kept))
        last = marker.end
    pieces.append(text[last:])
    rewritten = _SPACE_BEFORE_PUNCT.sub(r"\1", "".join(pieces))
    rewritten = re.sub(r"[ \t]{2,}", " ", rewritten).strip()
    return rewritten, tuple(order), removed


def cited_sentences(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Split text with canonical ``[n]`` markers into (sentence without markers, numbers).

    A marker placed after the full stop ("… ecosystems. [2] Next …") belongs to the
    sentence before it, not to the one it now opens.
    """
    raw = split_sentences(text)
    merged: list[str] = []
    for sentence in raw:
        leading = _LEADING_MARKERS.match(sentence)
        if leading and merged:
            merged[-1] = f"{merged[-1]} {leading.group(1)}"
            sentence = sentence[leading.end() :]
        if sentence.strip():
            merged.append(sentence)
    result: list[tuple[str, tuple[int, ...]]] = []
    for sentence in merged:
        numbers = tuple(dict.fromkeys(int(n) for n in _CANONICAL.findall(sentence)))
        plain = _SPACE_BEFORE_PUNCT.sub(r"\1", _CANONICAL.sub("", sentence))
        plain = re.sub(r"\s{2,}", " ", plain).strip()
        if plain:
            result.append((plain, numbers))
        elif numbers and result:  # a line of markers alone cites the sentence before
            text_before, before = result[-1]
            result[-1] = (text_before, tuple(dict.fromkeys(before + numbers)))
    return result


def is_refusal(text: str, refusals: Sequence[str] = ()) -> bool:
    """Whether an uncited answer says the passages do not answer (or says nothing)."""
    plain = _CANONICAL.sub("", text).strip()
    if not plain:
        return True
    squashed = re.sub(r"\W+", "", plain).casefold()
    if any(squashed == re.sub(r"\W+", "", r).casefold() for r in refusals if r):
        return True
    return any(p.search(plain) for p in _REFUSAL_PATTERNS)


def term_overlap(sentence: str, passage: str) -> float:
    """Share of the sentence's search terms that occur in the passage (0..1)."""
    terms = set(tokenize(sentence))
    if not terms:
        return 0.0
    return len(terms & set(tokenize(passage))) / len(terms)


def rescale_similarity(cosine: float, floor: float) -> float:
    """Map cosine to 0..1 above the model's floor for unrelated text."""
    if floor >= 1.0:
        return 0.0
    return float(min(1.0, max(0.0, (cosine - floor) / (1.0 - floor))))


def sentence_support(
    cosine: float, overlap: float, *, same_language: bool, floor: float, overlap_weight: float
) -> float:
    """Support of one sentence by one passage.

    Term overlap means nothing across languages (a Chinese sentence shares no terms
    with an English passage), so there the rescaled cosine decides alone.
    """
    similarity = rescale_similarity(cosine, floor)
    if not same_language:
        return similarity
    return (1.0 - overlap_weight) * similarity + overlap_weight * overlap


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _DIGITS.findall(text)}


def best_passage_sentence(sentence: str, passage: str) -> str | None:
    """Return the passage sentence sharing most terms with ``sentence`` (to highlight it)."""
    terms = set(tokenize(sentence))
    best, best_shared = None, 0
    for candidate in split_sentences(passage):
        shared = len(terms & set(tokenize(candidate)))
        if shared > best_shared:
            best, best_shared = candidate, shared
    return best


def verify_answer(
    text: str,
    passages: Sequence[CheckedPassage],
    encode: Callable[[list[str]], np.ndarray],
    *,
    language: str,
    threshold: float,
    floor: float,
    overlap_weight: float,
    refusals: Sequence[str] = (),
) -> Verification:
    """Check every sentence of ``text`` against the passages (numbered from 1) it cites.

    ``encode`` returns unit vectors for a list of texts (the assistant's embedding
    model). A sentence is supported when it cites at least one passage, its best
    support over the cited passages reaches ``threshold``, and every number it
    states occurs in a cited passage.
    """
    rewritten, order, removed = renumber_markers(text, len(passages))
    if not order and is_refusal(rewritten, refusals):
        return Verification(rewritten, (), (), removed, refusal=True)
    parts = cited_sentences(rewritten)
    wanted = sorted({n for _, numbers in parts for n in numbers})
    evidence = {n: passages[order[n - 1] - 1] for n in wanted}
    texts = [s for s, numbers in parts if numbers] + [evidence[n].text for n in wanted]
    vectors = np.asarray(encode(texts), dtype=np.float32) if texts else np.zeros((0, 1))
    sentence_vectors = iter(vectors[: len(texts) - len(wanted)])
    passage_vectors = dict(zip(wanted, vectors[len(texts) - len(wanted) :], strict=True))
    scoring = _Scoring(evidence, passage_vectors, language, threshold, floor, overlap_weight)
    sentences: list[dict[str, Any]] = []
    supporting: dict[int, list[str]] = {}
    for sentence, numbers in parts:
        vector = next(sentence_vectors) if numbers else None
        verdict, quotes = scoring.judge(sentence, numbers, vector)
        for n, quoted in quotes.items() if verdict["supported"] else ():
            if quoted not in supporting.setdefault(n, []):
                supporting[n].append(quoted)
        sentences.append(verdict)
    return Verification(
        rewritten,
        tuple(sentences),
        order,
        removed,
        supporting={n: tuple(v) for n, v in supporting.items()},
    )


@dataclass(frozen=True)
class _Scoring:
    """What every sentence of one answer is judged against: its cited passages and limits."""

    evidence: dict[int, CheckedPassage]
    passage_vectors: dict[int, np.ndarray]
    language: str
    threshold: float
    floor: float
    overlap_weight: float

    def judge(
        self, sentence: str, numbers: tuple[int, ...], vector: np.ndarray | None
    ) -> tuple[dict[str, Any], dict[int, str]]:
        """Return one sentence's verdict and, per cited passage, the sentence it quotes."""
        support = 0.0
        quotes: dict[int, str] = {}
        if numbers:
            written_in = detect_language(sentence, default=self.language)
            for n in numbers:
                passage = self.evidence[n]
                same_language = passage.language in ("", written_in)
                cosine = float(np.dot(vector, self.passage_vectors[n]))
                score = sentence_support(
                    cosine,
                    term_overlap(sentence, passage.text),
                    same_language=same_language,
                    floor=self.floor,
                    overlap_weight=self.overlap_weight,
                )
                support = max(support, score)
                quoted = best_passage_sentence(sentence, passage.body or passage.text)
                if quoted:
                    quotes[n] = quoted
        stated = _numbers(sentence)
        shown = (
            set().union(*(_numbers(self.evidence[n].text) for n in numbers)) if numbers else set()
        )
        supported = bool(numbers) and support >= self.threshold and stated <= shown
        verdict = {
            "text": sentence,
            "citations": list(numbers),
            "supported": supported,
            "support": round(support, 4),
        }
        return verdict, quotes
