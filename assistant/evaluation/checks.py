"""Checks on every answer beyond retrieval: its language, and refusals by adversarial type.

*Answer language.* The design fixes which languages an answer may use: its own words
(the frame, notices, a refusal, an LLM's sentences) in the question's language, and
quoted text in the question's language or in the cited document's original language —
never a third one. Quotes are recognised as sentences whose text appears verbatim in
the passages they cite; their language is the cited chunk's ``language`` metadata,
which is reliable where detection on a short quote is not. The frame's language is
detected with :func:`assistant.language.detect.detect_language`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.language.detect import detect_language
from assistant.retrieval.versions import original_languages
from assistant.store.sentence_vectors import MARKUP

__all__ = [
    "DocIndex",
    "answer_language_check",
    "doc_index",
    "refusal_by_type",
    "sentence_quotes_passages",
]

UNTYPED = "(untyped)"
_MARKER = re.compile(r"\[(\d+)\]")


def _squash(text: str) -> str:
    # Whitespace, Markdown emphasis and list markers do not change what a passage says
    # (the composer quotes "**2022:** launch" as "2022: launch", and a list inline).
    return re.sub(r"\s+", "", MARKUP.sub("", text)).casefold()


def sentence_quotes_passages(sentence: str, passages: list[str]) -> bool:
    """Whether each quoted fragment of the sentence (split at ' … ') is in the passages."""
    body = _squash(" ".join(passages))
    fragments = [f.strip(" .。;；,，:：") for f in _MARKER.sub("", sentence).split("…")]
    return all(_squash(f) in body for f in fragments if f)


@dataclass(frozen=True)
class DocIndex:
    """What the checks need to know about the store's documents and chunks, read once."""

    # doc_id -> the doc_id it translates (relevance units treat both as one)
    originals: dict[str, str] = field(default_factory=dict)
    # doc_id -> ISO 639-1 language of the document
    languages: dict[str, str] = field(default_factory=dict)
    # doc_id -> language of the document's original text (see original_language)
    original_languages: dict[str, str] = field(default_factory=dict)
    # chunk_id -> page number, for chunks of paginated documents
    pages: dict[str, int] = field(default_factory=dict)


def doc_index(store: Any) -> DocIndex:
    """Scan the store's metadata once for translations, languages and chunk pages."""
    docs: dict[str, dict[str, Any]] = {}
    pages: dict[str, int] = {}
    for page in store.pages(text=False):
        for record in page:
            meta = record.metadata
            doc_id = str(meta.get("doc_id", ""))
            docs.setdefault(doc_id, meta)
            if meta.get("page") not in (None, "") and meta.get("chunk_id"):
                pages[str(meta["chunk_id"])] = int(meta["page"])
    originals = {d: str(m["translation_of"]) for d, m in docs.items() if m.get("translation_of")}
    languages = {d: str(m.get("language", "")) for d, m in docs.items()}
    return DocIndex(originals, languages, original_languages(docs), pages)


def answer_language_check(
    question_language: str, answer: dict[str, Any], docs: DocIndex
) -> dict[str, Any]:
    """Check one answer (``Answer.to_dict()``) against the design's language rule.

    Returns the verdict ``passed`` with what it read: the languages detected in the
    frame, each quote's language, and the problems found.
    """
    frame, quotes = _frame_and_quotes(answer)
    problems: list[str] = []
    frame_languages = [detect_language(part, default=question_language) for part in frame]
    for part, language in zip(frame, frame_languages, strict=True):
        if language != question_language:
            problems.append(f"frame in {language}: {part[:80]}")
    quote_languages: list[str] = []
    for doc_id, language in quotes:
        quote_languages.append(language)
        allowed = {question_language, docs.original_languages.get(doc_id, language)}
        if language not in allowed:
            original = docs.original_languages.get(doc_id, language)
            problems.append(f"quote in {language} from {doc_id} (original {original})")
    return {
        "passed": not problems,
        "frame_languages": sorted(set(frame_languages)),
        "quote_languages": sorted(set(quote_languages)),
        "problems": problems,
    }


def _frame_and_quotes(answer: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split an answer into its own words and its quotes as ``(doc_id, language)``."""
    frame = [str(n) for n in answer.get("notices") or [] if str(n).strip()]
    if not answer.get("supported"):
        return [str(answer.get("answer", "")), *frame], []
    by_n = {c["n"]: c for c in answer.get("citations") or []}
    quotes: list[tuple[str, str]] = []
    for sentence in answer.get("sentences") or []:
        cited = [by_n[n] for n in sentence.get("citations", []) if n in by_n]
        passages = [c.get("text", "") + " " + c.get("context", "") for c in cited]
        if cited and sentence_quotes_passages(sentence["text"], passages):
            quotes.extend((str(c.get("doc_id", "")), str(c.get("language", ""))) for c in cited)
        else:
            frame.append(str(sentence["text"]))
    return frame, quotes


def refusal_by_type(results: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """Refusals per adversarial type, overall and per split.

    Unanswerable items count towards ``refusal_accuracy`` (share refused); typed items
    that are answerable (a jailbreak with a legitimate question inside) towards
    ``false_refusal_rate``. Unanswerable items without a type are grouped as untyped.
    """
    typed = [r for r in results if r.adversarial_type or not r.answerable]
    table: dict[str, dict[str, Any]] = {}
    for kind in sorted({r.adversarial_type or UNTYPED for r in typed}):
        group = [r for r in typed if (r.adversarial_type or UNTYPED) == kind]
        row = _refusals(group)
        for split in ("dev", "test"):
            row[split] = _refusals([r for r in group if r.split == split])
        table[kind] = row
    return table


def _refusals(results: Iterable[Any]) -> dict[str, Any]:
    group = list(results)
    unanswerable = [r for r in group if not r.answerable]
    answerable = [r for r in group if r.answerable]

    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {
        "n_items": len(group),
        "refusal_accuracy": share([not r.supported for r in unanswerable]),
        "false_refusal_rate": share([not r.supported for r in answerable]),
    }
