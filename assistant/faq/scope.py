"""The passages a FAQ is drawn from: the documents asked for, in one language, on topic.

Apart from the builder because choosing the scope is its own question (which language,
following translations, what retrieval finds on the topic) with its own errors.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from assistant.core.errors import AssistantError
from assistant.faq.questions import TEMPLATE_LANGUAGES, Passage
from assistant.faq.records import FaqRequest
from assistant.retrieval.hybrid import Filters

__all__ = ["read_passages", "scope"]


def read_passages(store: Any, filters: Filters) -> list[Passage]:
    """Read every stored chunk that passes ``filters``, in document order."""
    passages = [
        Passage(record.id, record.text or "", record.metadata)
        for page in store.pages(where=filters.chroma_where())
        for record in page
    ]
    return sorted(passages, key=lambda p: (p.meta("doc_id"), p.position))


def _in_language(store: Any, passages: list[Passage], language: str) -> list[Passage]:
    """Keep the scope's passages in ``language``, following translations when needed."""
    chosen = [p for p in passages if p.meta("language") == language]
    if chosen:
        return chosen
    docs = {p.meta("doc_id") for p in passages}
    related = docs | {p.meta("translation_of") for p in passages if p.meta("translation_of")}
    candidates = read_passages(store, Filters.of(language=language))
    return [
        p for p in candidates if p.meta("doc_id") in related or p.meta("translation_of") in related
    ]


def _topical(assistant: Any, topic: str, passages: list[Passage], n: int) -> list[Passage]:
    """Keep the scope's passages that retrieval finds for ``topic``, most relevant first."""
    doc_ids = sorted({p.meta("doc_id") for p in passages})
    language = passages[0].meta("language")
    retrieval = assistant.retriever.search(
        topic,
        filters=Filters.of(doc_id=doc_ids, language=language),
        k=max(3 * n, 20),
        language=language,
    )
    # On topic: supported, and close to the best match (a passage that merely names the
    # topic in passing, "the Peatland and Mangrove Restoration Agency", falls behind).
    best = max((s.similarity for s in retrieval.sources), default=0.0)
    settings = assistant.settings
    floor = max(settings.effective_support_threshold, best - settings.faq_topic_margin)
    rank = {s.chunk_id: i for i, s in enumerate(retrieval.sources) if s.similarity >= floor}
    return sorted((p for p in passages if p.chunk_id in rank), key=lambda p: rank[p.chunk_id])


def scope(assistant: Any, request: FaqRequest) -> tuple[list[Passage], str]:
    """Return the request's passages and language; raise when the scope has nothing to ask."""
    filters = Filters.of(doc_id=request.doc_ids, kind=request.kinds)
    passages = read_passages(assistant.store, filters)
    if not passages:
        what = ", ".join(request.doc_ids + request.kinds) or "the store"
        raise AssistantError(f"nothing to build a FAQ from: no passages in {what} (see `info`)")
    counts = Counter(p.meta("language") for p in passages)
    language = request.language or counts.most_common(1)[0][0]
    if language not in TEMPLATE_LANGUAGES:
        raise AssistantError(
            f"no FAQ question wording for language '{language}'; available: {', '.join(TEMPLATE_LANGUAGES)}"
        )
    passages = _in_language(assistant.store, passages, language)
    if not passages:
        raise AssistantError(
            f"the scope has no text in '{language}' (it has: {', '.join(sorted(counts))});"
            " choose another --lang or a document in that language"
        )
    if request.topic.strip():
        passages = _topical(assistant, request.topic.strip(), passages, request.n)
        if not passages:
            raise AssistantError(f"no passage in scope is about '{request.topic}'")
    return passages, language
