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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from assistant.core.errors import AssistantError
from assistant.core.records import Answer
from assistant.faq.questions import TEMPLATE_LANGUAGES, Passage, Seed, propose_seeds
from assistant.retrieval.hybrid import Filters

__all__ = [
    "FAQ_FORMAT",
    "FaqCitation",
    "FaqEntry",
    "FaqFile",
    "FaqRequest",
    "build_faq",
    "check_faq",
    "content_hash",
    "merge_review",
    "near_duplicates",
]

FAQ_FORMAT = "restoration-assistant-faq/1"
Status = Literal["draft", "approved", "rejected"]
ProgressFn = Callable[[int, int, str], None]
# Below this many background questions, centring is unstable: plain cosine is used.
MIN_BACKGROUND = 8


def content_hash(text: str) -> str:
    """Hash of a chunk's text, to notice when a source passage changes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FaqRequest(BaseModel):
    """What a trainer asks for: the scope, audience, language and number of questions."""

    doc_ids: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    topic: str = ""
    audience: Literal["practitioners", "policymakers", "communities"] = "practitioners"
    language: str | None = None
    n: int = Field(20, ge=1, le=500)
    title: str = ""


class FaqCitation(BaseModel):
    """A numbered source of an answer (``[n]`` in its text)."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    kind: str = ""
    symbol: str = ""
    locator: str
    paragraph: str = ""
    language: str
    text: str = ""


class SourceRef(BaseModel):
    """A chunk an entry was built from, with the hash of its text at build time."""

    chunk_id: str
    doc_id: str
    locator: str
    paragraph: str = ""
    content_hash: str


class FaqEntry(BaseModel):
    """One question and its cited answer, with the reviewer's decisions kept apart."""

    id: str
    question: str
    answer: str
    citations: list[FaqCitation]
    group: str
    language: str
    audience: str
    doc_id: str
    locator: str
    paragraph: str = ""
    position: int = 0
    sources: list[SourceRef]
    alternates: list[str] = Field(default_factory=list)
    status: Status = "draft"
    edited_question: str | None = None
    edited_answer: str | None = None
    reviewer_note: str = ""
    stale: bool = False
    stale_reason: str = ""
    previous_answer: str | None = None

    @property
    def shown_question(self) -> str:
        """The question as a reader sees it: the reviewer's edit if any."""
        return self.edited_question or self.question

    @property
    def shown_answer(self) -> str:
        """The answer as a reader sees it: the reviewer's edit if any."""
        return self.edited_answer or self.answer


class DroppedQuestion(BaseModel):
    """A proposed question the pipeline could not support, and why."""

    question: str
    doc_id: str
    locator: str
    reason: str


class FaqFile(BaseModel):
    """The FAQ as saved: scope, settings used, entries, and what was dropped."""

    format: str = FAQ_FORMAT
    title: str = ""
    created: str = Field(default_factory=_now)
    updated: str = Field(default_factory=_now)
    request: FaqRequest
    language: str
    settings: dict[str, Any] = Field(default_factory=dict)
    entries: list[FaqEntry] = Field(default_factory=list)
    dropped: list[DroppedQuestion] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)

    def save(self, path: Path) -> Path:
        """Write the FAQ file as UTF-8 JSON (written to a temporary name, then moved)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        partial.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> FaqFile:
        """Read a FAQ file; raises :class:`AssistantError` when it is missing or not one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise AssistantError(f"FAQ file not found: {path}") from e
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise AssistantError(f"{path} is not a readable FAQ file: {e}") from e
        if not isinstance(data, dict) or data.get("format") != FAQ_FORMAT:
            raise AssistantError(
                f"{path} is not a FAQ file (expected \"format\": \"{FAQ_FORMAT}\"); pass the"
                " .faq.json file the faq command wrote"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise AssistantError(f"{path} is not a valid FAQ file: {e.errors()[0]['msg']}") from e

    def exported(self, approved_only: bool = False) -> list[FaqEntry]:
        """Entries to hand out: never rejected ones; only approved ones if asked."""
        wanted = ("approved",) if approved_only else ("approved", "draft")
        return [e for e in self.entries if e.status in wanted]


# --- reading the scope ------------------------------------------------------------------------


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
        p for p in candidates
        if p.meta("doc_id") in related or p.meta("translation_of") in related
    ]


def _topical(assistant: Any, topic: str, passages: list[Passage], n: int) -> list[Passage]:
    """Keep the scope's passages that retrieval finds for ``topic``, most relevant first."""
    doc_ids = sorted({p.meta("doc_id") for p in passages})
    language = passages[0].meta("language")
    retrieval = assistant.retriever.search(
        topic, filters=Filters.of(doc_id=doc_ids, language=language), k=max(3 * n, 20), language=language
    )
    # On topic: supported, and close to the best match (a passage that merely names the
    # topic in passing, "the Peatland and Mangrove Restoration Agency", falls behind).
    best = max((s.similarity for s in retrieval.sources), default=0.0)
    settings = assistant.settings
    floor = max(settings.effective_support_threshold, best - settings.faq_topic_margin)
    rank = {s.chunk_id: i for i, s in enumerate(retrieval.sources) if s.similarity >= floor}
    return sorted((p for p in passages if p.chunk_id in rank), key=lambda p: rank[p.chunk_id])


def _scope(assistant: Any, request: FaqRequest) -> tuple[list[Passage], str]:
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


# --- near-duplicates --------------------------------------------------------------------------


class DuplicateFinder:
    """Near-duplicate test for questions: cosine after removing what all candidates share.

    Template questions share most of their words ("What does decision XI/16 urge
    Parties to do about …"), so raw embedding similarity is high for any two of them.
    Subtracting the mean vector of all candidate questions leaves what is specific
    to each; two questions count as duplicates above ``threshold`` on that. The
    builder also requires both answers to lead with the same passage, so questions
    that differ only in a number or a place ("Target 14" / "Target 15") stay apart.
    """

    def __init__(self, embeddings: Any, background: Sequence[str], threshold: float) -> None:
        self.embeddings = embeddings
        self.threshold = threshold
        self.mean: np.ndarray | None = None
        if len(background) >= MIN_BACKGROUND:
            self.mean = np.asarray(embeddings.encode(list(background), query=True), dtype=np.float32).mean(axis=0)
        self.kept: list[np.ndarray] = []

    def vectors(self, questions: Sequence[str]) -> np.ndarray:
        """Centred unit vectors of ``questions``."""
        vectors = np.asarray(self.embeddings.encode(list(questions), query=True), dtype=np.float32)
        if self.mean is not None:
            vectors = vectors - self.mean
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def match(self, vector: np.ndarray) -> int | None:
        """Index of the kept question ``vector`` duplicates, if any."""
        if not self.kept:
            return None
        similarity = np.vstack(self.kept) @ vector
        best = int(np.argmax(similarity))
        return best if float(similarity[best]) >= self.threshold else None


def near_duplicates(
    embeddings: Any, questions: Sequence[str], threshold: float, background: Sequence[str] = ()
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of questions at or above ``threshold`` (i < j).

    ``background`` (default: the questions themselves) sets what counts as shared wording.
    """
    finder = DuplicateFinder(embeddings, list(background) or list(questions), threshold)
    vectors = finder.vectors(questions)
    similarity = vectors @ vectors.T
    return [
        (i, j, float(similarity[i, j]))
        for i in range(len(questions))
        for j in range(i + 1, len(questions))
        if similarity[i, j] >= threshold
    ]


# --- building ---------------------------------------------------------------------------------


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


def _entry(seed: Seed, question: str, answer: Answer, audience: str, texts: dict[str, str]) -> FaqEntry:
    citations = [
        FaqCitation(
            n=c.n, chunk_id=c.chunk_id, doc_id=c.doc_id, title=c.title, kind=c.kind, symbol=c.symbol,
            locator=c.locator, paragraph=c.paragraph, language=c.language, text=c.text,
        )
        for c in answer.citations
    ]
    refs: dict[str, SourceRef] = {}
    for chunk_id in seed.chunk_ids:
        refs[chunk_id] = SourceRef(
            chunk_id=chunk_id, doc_id=seed.doc_id, locator=seed.locator, paragraph=seed.paragraph,
            content_hash=content_hash(texts.get(chunk_id, "")),
        )
    for c in answer.citations:
        refs.setdefault(
            c.chunk_id,
            SourceRef(chunk_id=c.chunk_id, doc_id=c.doc_id, locator=c.locator, paragraph=c.paragraph,
                      content_hash=content_hash(c.text)),
        )
    return FaqEntry(
        id=entry_id(seed, audience), question=question, answer=answer.text, citations=citations,
        group=seed.group, language=seed.language, audience=audience, doc_id=seed.doc_id,
        locator=seed.locator, paragraph=seed.paragraph, position=seed.position, sources=list(refs.values()),
    )


def faq_settings(settings: Any) -> dict[str, Any]:
    """Return the settings that shaped a FAQ, to record in the file."""
    values = dict(settings.quality_fingerprint())
    for name in ("faq_duplicate_similarity", "faq_passages", "faq_require_source", "faq_phrasings"):
        values[name] = getattr(settings, name)
    return values


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
    passages, language = _scope(assistant, request)
    texts = {p.chunk_id: p.text for p in passages}
    seeds = propose_seeds(passages, audience=request.audience, language=language)
    if not seeds:
        raise AssistantError("the documents in scope have no sections to ask about")
    scope_docs = {p.meta("doc_id") for p in passages}
    background = [q for s in seeds for q in s.phrasings]
    finder = DuplicateFinder(assistant.embeddings, background, settings.faq_duplicate_similarity)
    entries: list[FaqEntry] = []
    dropped: list[DroppedQuestion] = []
    merged = asked = 0
    answers: dict[str, int] = {}  # answer text -> entry index
    total = len(seeds)
    for done, seed in enumerate(seeds, start=1):
        if len(entries) >= request.n:
            break
        phrasings = seed.phrasings[: settings.faq_phrasings]
        reason = ""
        for question, vector in zip(phrasings, finder.vectors(phrasings), strict=True):
            asked += 1
            # Each question is about one document's passage: answer it from that document,
            # so a question on one case study is not answered with another's text.
            answer = assistant.ask(question, filters=Filters.of(doc_id=seed.doc_id), k=settings.faq_passages)
            reason = _verdict(answer, seed, scope_docs, settings.faq_require_source)
            if reason:
                continue
            same = answers.get(answer.text, finder.match(vector))
            if same is not None and entries[same].citations[0].chunk_id == answer.citations[0].chunk_id:
                # Asked alike and answered from the same passage: one entry, two phrasings.
                entries[same].alternates.append(question)
                merged += 1
            else:
                answers[answer.text] = len(entries)
                entries.append(_entry(seed, question, answer, request.audience, texts))
                finder.kept.append(vector)
            break
        if reason:
            dropped.append(DroppedQuestion(question=phrasings[0], doc_id=seed.doc_id, locator=seed.locator, reason=reason))
        if on_progress:
            on_progress(done, total, f"kept {len(entries)}/{request.n}")
    if on_progress:
        on_progress(total, total, f"kept {len(entries)}/{request.n}")
    # Questions were proposed round-robin for coverage; readers get them in document order.
    entries.sort(key=lambda e: (e.doc_id, e.position))
    faq = FaqFile(
        title=request.title or _default_title(passages, language, request),
        request=request,
        language=language,
        settings=faq_settings(settings),
        entries=entries,
        dropped=dropped,
        summary={"proposed": len(seeds), "asked": asked, "kept": len(entries), "dropped": len(dropped), "merged": merged},
    )
    return merge_review(faq, previous, assistant.store) if previous is not None else faq


def _default_title(passages: list[Passage], language: str, request: FaqRequest) -> str:
    titles = sorted({p.meta("title") for p in passages})
    subject = titles[0] if len(titles) == 1 else None
    if language == "zh":
        return f"常见问题：{subject}" if subject else "常见问题：生态系统恢复"
    if request.topic:
        return f"Frequently asked questions: {request.topic}"
    return f"Frequently asked questions: {subject}" if subject else "Frequently asked questions on ecosystem restoration"


# --- stale check and review carry-over -------------------------------------------------------


def _source_problems(entry: FaqEntry, store: Any) -> list[str]:
    """Why an entry's sources no longer match the store (empty when they all do)."""
    ids = [s.chunk_id for s in entry.sources]
    current = {record.id: record.text for record in store.get(ids, metadata=False)}
    problems: list[str] = []
    for source in entry.sources:
        text = current.get(source.chunk_id)
        if text is not None and content_hash(text) == source.content_hash:
            continue
        where = f"{source.doc_id} {source.locator}".strip()
        if text is not None:
            problems.append(f"source changed: {where}")
            continue
        same_place = store.get(
            where={"$and": [{"doc_id": source.doc_id}, {"locator": source.locator}]},
            text=False,
            metadata=False,
            limit=1,
        )
        problems.append(f"source {'changed' if same_place else 'removed'}: {where}")
    return list(dict.fromkeys(problems))


def check_faq(faq: FaqFile, store: Any) -> list[FaqEntry]:
    """Flag entries whose source chunks changed or disappeared; return the newly stale ones.

    Status and edits are left alone: a stale approved entry stays approved, with
    ``stale`` set and the reason, until a reviewer looks at it again.
    """
    newly: list[FaqEntry] = []
    for entry in faq.entries:
        problems = _source_problems(entry, store)
        if problems:
            was_stale = entry.stale
            entry.stale = True
            entry.stale_reason = "; ".join(problems)
            if not was_stale:
                newly.append(entry)
    faq.updated = _now()
    return newly


def merge_review(new: FaqFile, old: FaqFile, store: Any) -> FaqFile:
    """Carry a reviewer's work from ``old`` into the freshly built ``new``.

    Entries whose sources are unchanged are kept exactly as reviewed. Entries whose
    sources changed keep their status and edits, take the new generated text (the
    old answer kept as ``previous_answer``) and are flagged stale. Old entries the
    new build no longer produces are kept too, flagged stale when their sources
    changed: nothing a reviewer did is lost. New entries are added as drafts.
    """
    fresh = {e.id: e for e in new.entries}
    merged: list[FaqEntry] = []
    for entry in old.entries:
        problems = _source_problems(entry, store)
        rebuilt = fresh.pop(entry.id, None)
        if not problems:
            merged.append(entry)
            continue
        if rebuilt is None:
            entry.stale, entry.stale_reason = True, "; ".join(problems)
            merged.append(entry)
            continue
        rebuilt = rebuilt.model_copy(
            update={
                "status": entry.status,
                "edited_question": entry.edited_question,
                "edited_answer": entry.edited_answer,
                "reviewer_note": entry.reviewer_note,
                "previous_answer": entry.answer if entry.answer != rebuilt.answer else None,
                "stale": True,
                "stale_reason": "; ".join(problems),
            }
        )
        merged.append(rebuilt)
    room = max(new.request.n, len(merged)) - len(merged)
    merged.extend(list(fresh.values())[:room])
    merged.sort(key=lambda e: (e.doc_id, e.position))
    return new.model_copy(update={"entries": merged, "created": old.created, "updated": _now()})


def faq_path_for(out: Path) -> Path:
    """Return the FAQ file that goes with an export path: ``guide.md`` -> ``guide.faq.json``."""
    if out.name.endswith(".faq.json"):
        return out
    return out.with_name(re.sub(r"\.[^.]+$", "", out.name) + ".faq.json")

