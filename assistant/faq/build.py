"""Build a cited FAQ for trainers, keep it as a reviewable file, and notice when it goes stale.

:func:`build_faq` proposes questions from the structure of the documents in scope
(:mod:`assistant.faq.questions`, no LLM), answers each with the same pipeline the
chat uses, keeps only questions the pipeline supports with a citation from the
scope (by default: citing the very passage the question was drawn from), and merges
near-duplicates. The result is a :class:`FaqFile` — JSON on disk, the source of truth
for review: each entry keeps its generated text, the reviewer's status and edits,
and the chunk ids and content hashes it was built from, so :func:`check_faq` can
flag entries whose sources changed or disappeared and :func:`merge_review` can carry
a reviewer's work over to a rebuilt FAQ.

The parts live beside this module: the file format (``records``), the scope
(``scope``), the near-duplicate test (``duplicates``) and the stale check and review
carry-over (``review``); their public names are importable from here too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.records import Answer
from assistant.faq.duplicates import MIN_BACKGROUND, DuplicateFinder, near_duplicates
from assistant.faq.questions import Passage, Seed, propose_seeds
from assistant.faq.records import (
    FAQ_FORMAT,
    DroppedQuestion,
    FaqCitation,
    FaqEntry,
    FaqFile,
    FaqRequest,
    SourceRef,
    Status,
    content_hash,
    faq_path_for,
)
from assistant.faq.review import check_faq, merge_review
from assistant.faq.scope import read_passages, scope
from assistant.retrieval.hybrid import Filters

__all__ = [
    "FAQ_FORMAT",
    "MIN_BACKGROUND",
    "DroppedQuestion",
    "DuplicateFinder",
    "FaqCitation",
    "FaqEntry",
    "FaqFile",
    "FaqRequest",
    "ProgressFn",
    "SourceRef",
    "Status",
    "build_faq",
    "check_faq",
    "content_hash",
    "entry_id",
    "faq_path_for",
    "faq_settings",
    "merge_review",
    "near_duplicates",
    "read_passages",
]

ProgressFn = Callable[[int, int, str], None]


def entry_id(seed: Seed, audience: str) -> str:
    """Stable id of the entry a seed produces, so a rebuild finds the reviewed one."""
    key = f"{seed.key}|{seed.language}|{audience}"
    return "faq-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _verdict(answer: Answer, seed: Seed, scope_docs: set[str], require_source: bool) -> str:
    """'' when the answer may be kept, else the reason to drop it."""
    if not answer.supported or not answer.citations:
        return "the pipeline found no support"
    if not any(c.doc_id in scope_docs for c in answer.citations):
        return "no citation from the chosen scope"
    if require_source and not set(seed.chunk_ids) & {c.chunk_id for c in answer.citations}:
        return "the answer does not cite the passage the question came from"
    return ""


def _entry(
    seed: Seed, question: str, answer: Answer, audience: str, texts: dict[str, str]
) -> FaqEntry:
    citations = [
        FaqCitation(
            n=c.n,
            chunk_id=c.chunk_id,
            doc_id=c.doc_id,
            title=c.title,
            kind=c.kind,
            symbol=c.symbol,
            locator=c.locator,
            paragraph=c.paragraph,
            language=c.language,
            text=c.text,
        )
        for c in answer.citations
    ]
    refs: dict[str, SourceRef] = {}
    for chunk_id in seed.chunk_ids:
        refs[chunk_id] = SourceRef(
            chunk_id=chunk_id,
            doc_id=seed.doc_id,
            locator=seed.locator,
            paragraph=seed.paragraph,
            content_hash=content_hash(texts.get(chunk_id, "")),
        )
    for c in answer.citations:
        refs.setdefault(
            c.chunk_id,
            SourceRef(
                chunk_id=c.chunk_id,
                doc_id=c.doc_id,
                locator=c.locator,
                paragraph=c.paragraph,
                content_hash=content_hash(c.text),
            ),
        )
    return FaqEntry(
        id=entry_id(seed, audience),
        question=question,
        answer=answer.text,
        citations=citations,
        group=seed.group,
        language=seed.language,
        audience=audience,
        doc_id=seed.doc_id,
        locator=seed.locator,
        paragraph=seed.paragraph,
        position=seed.position,
        sources=list(refs.values()),
    )


def faq_settings(settings: Any) -> dict[str, Any]:
    """Return the settings that shaped a FAQ, to record in the file."""
    values = dict(settings.quality_fingerprint())
    for name in ("faq_duplicate_similarity", "faq_passages", "faq_require_source", "faq_phrasings"):
        values[name] = getattr(settings, name)
    return values


@dataclass
class _Found:
    """What a build keeps while it asks: entries, dropped questions and counts."""

    finder: DuplicateFinder
    entries: list[FaqEntry] = field(default_factory=list)
    dropped: list[DroppedQuestion] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)  # answer text -> entry index
    merged: int = 0
    asked: int = 0


def _ask_seed(
    assistant: Any,
    seed: Seed,
    audience: str,
    scope_docs: set[str],
    texts: dict[str, str],
    found: _Found,
) -> None:
    """Ask a seed's phrasings until one is kept (or merged); record it dropped otherwise."""
    settings = assistant.settings
    finder = found.finder
    phrasings = seed.phrasings[: settings.faq_phrasings]
    reason = ""
    for question, vector in zip(phrasings, finder.vectors(phrasings), strict=True):
        found.asked += 1
        # Each question is about one document's passage: answer it from that document,
        # so a question on one case study is not answered with another's text.
        answer = assistant.ask(
            question, filters=Filters.of(doc_id=seed.doc_id), k=settings.faq_passages
        )
        reason = _verdict(answer, seed, scope_docs, settings.faq_require_source)
        if reason:
            continue
        same = found.answers.get(answer.text, finder.match(vector))
        if (
            same is not None
            and found.entries[same].citations[0].chunk_id == answer.citations[0].chunk_id
        ):
            # Asked alike and answered from the same passage: one entry, two phrasings.
            found.entries[same].alternates.append(question)
            found.merged += 1
        else:
            found.answers[answer.text] = len(found.entries)
            found.entries.append(_entry(seed, question, answer, audience, texts))
            finder.kept.append(vector)
        break
    if reason:
        found.dropped.append(
            DroppedQuestion(
                question=phrasings[0], doc_id=seed.doc_id, locator=seed.locator, reason=reason
            )
        )


def build_faq(
    assistant: Any,
    request: FaqRequest,
    *,
    previous: FaqFile | None = None,
    on_progress: ProgressFn | None = None,
) -> FaqFile:
    """Propose, answer, filter and de-duplicate questions; merge a previous review if given.

    Args:
        assistant: the pipeline (:func:`assistant.pipeline.build_assistant`).
        request: scope, audience, language and number of questions.
        previous: an earlier FAQ file for the same scope; its review is carried over.
        on_progress: called as ``(done, total, message)`` after each proposed question.

    """
    settings = assistant.settings
    passages, language = scope(assistant, request)
    texts = {p.chunk_id: p.text for p in passages}
    seeds = propose_seeds(passages, audience=request.audience, language=language)
    if not seeds:
        raise AssistantError("the documents in scope have no sections to ask about")
    scope_docs = {p.meta("doc_id") for p in passages}
    background = [q for s in seeds for q in s.phrasings]
    found = _Found(
        DuplicateFinder(assistant.embeddings, background, settings.faq_duplicate_similarity)
    )
    total = len(seeds)
    for done, seed in enumerate(seeds, start=1):
        if len(found.entries) >= request.n:
            break
        _ask_seed(assistant, seed, request.audience, scope_docs, texts, found)
        if on_progress:
            on_progress(done, total, f"kept {len(found.entries)}/{request.n}")
    if on_progress:
        on_progress(total, total, f"kept {len(found.entries)}/{request.n}")
    # Questions were proposed round-robin for coverage; readers get them in document order.
    found.entries.sort(key=lambda e: (e.doc_id, e.position))
    faq = FaqFile(
        title=request.title or _default_title(passages, language, request),
        request=request,
        language=language,
        settings=faq_settings(settings),
        entries=found.entries,
        dropped=found.dropped,
        summary={
            "proposed": len(seeds),
            "asked": found.asked,
            "kept": len(found.entries),
            "dropped": len(found.dropped),
            "merged": found.merged,
        },
    )
    return merge_review(faq, previous, assistant.store) if previous is not None else faq


def _default_title(passages: list[Passage], language: str, request: FaqRequest) -> str:
    titles = sorted({p.meta("title") for p in passages})
    subject = titles[0] if len(titles) == 1 else None
    if language == "zh":
        return f"常见问题：{subject}" if subject else "常见问题：生态系统恢复"
    if request.topic:
        return f"Frequently asked questions: {request.topic}"
    return (
        f"Frequently asked questions: {subject}"
        if subject
        else "Frequently asked questions on ecosystem restoration"
    )
