"""Propose FAQ questions from document structure, without an LLM.

Each stored passage that a trainer might be asked about becomes a :class:`Seed`: a
decision's operative sub-paragraph ("What does decision XI/16 urge Parties to do
about identifying degraded ecosystems?"), a chapeau or preambular paragraph, a case
study's section (drivers, interventions, costs, outcomes, lessons) or a guidance
brief's heading. Wording comes from templates per language and audience, filled with
a key phrase taken from the passage itself, so every question points at text the
corpus contains. Each seed carries a few phrasings in order of preference: the
builder asks the pipeline with the first and falls back to the next when the answer
misses the passage the question came from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.faq.phrases import (
    action_phrase,
    chapeau_parts,
    lower_first,
    preamble_parts,
    zh_action_phrase,
    zh_chapeau_parts,
    zh_preamble_parts,
)
from assistant.faq.templates import AUDIENCES, TEMPLATES

__all__ = [
    "AUDIENCES",
    "Passage",
    "Seed",
    "TEMPLATE_LANGUAGES",
    "action_phrase",
    "propose_seeds",
    "zh_action_phrase",
]

TEMPLATE_LANGUAGES = tuple(TEMPLATES)

_PLAIN_ACTORS = {
    "Parties": "countries",
    "the Executive Secretary": "the CBD Secretariat",
    "缔约方": "各国",
    "执行秘书": "公约秘书处",
}
CASE_SECTIONS = (
    ("drivers", ("driver", "cause", "threat", "pressure")),
    ("outcomes", ("outcome", "result", "impact", "benefit")),
    ("interventions", ("intervention", "action", "approach", "what was done")),
    ("scale", ("scale", "timeline", "extent")),
    ("costs", ("cost", "financ", "funding", "budget")),
    ("communities", ("indigenous", "communit", "stakeholder", "participation")),
    ("lessons", ("lesson", "learn")),
    ("context", ("context", "background", "setting", "site")),
)
_SKIPPED_HEADINGS = re.compile(r"^(sources?|references?|bibliography|fuentes|références|参考|来源)\b", re.I)


@dataclass(frozen=True)
class Passage:
    """A stored chunk, as read back from the store."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]

    def meta(self, name: str) -> str:
        """Return a metadata value as text ('' when missing)."""
        value = self.metadata.get(name)
        return "" if value is None else str(value)

    @property
    def position(self) -> int:
        """Order of the passage in its document."""
        return int(self.metadata.get("position") or 0)


@dataclass(frozen=True)
class Seed:
    """Something a FAQ question can be asked about, with phrasings in order of preference."""

    key: str
    doc_id: str
    title: str
    kind: str
    language: str
    locator: str
    paragraph: str
    chunk_ids: tuple[str, ...]
    group: str
    priority: int
    position: int
    phrasings: tuple[str, ...]


# --- seeds --------------------------------------------------------------------------------


def _case_places(passages: list[Passage]) -> dict[str, str]:
    """Name each case study briefly: its country when that is unambiguous in the scope.

    Long titles share most of their words with every section of the case, so a
    question naming the whole title finds the overview rather than the section asked
    about; "in Niger" leaves the section words ("drivers of degradation") to decide.
    """
    countries: dict[str, str] = {}
    for passage in passages:
        if passage.meta("kind") == "case-study":
            countries[passage.meta("doc_id")] = passage.meta("country").strip()
    used = Counter(countries.values())
    places: dict[str, str] = {}
    for doc_id, country in countries.items():
        inner = re.search(r"\(([^()]+)\)$", country)
        name = inner.group(1) if inner else country
        if not name or "," in name or used[country] > 1:
            title = next(p.meta("title") for p in passages if p.meta("doc_id") == doc_id)
            short = re.sub(r"\s*\([^()]*\)", "", title.split(",")[0]).strip()
            places[doc_id] = f"the {short} case"
        else:
            places[doc_id] = f"the {name}" if name.startswith("United ") else name
    return places


def _case_slot(locator: str, title: str) -> str | None:
    if locator == title:
        return "case:overview"
    lowered = locator.lower()
    for slot, words in CASE_SECTIONS:
        if any(w in lowered for w in words):
            return f"case:{slot}"
    return None


_NO_ARTICLE = frozenset(
    "the a an what how why when who which where whether our their its this these those".split()
)


def _heading_key(locator: str, language: str) -> str:
    """Turn a heading into the object of 'say about …' ('the origin of the concept')."""
    key = locator.strip()
    if language != "en":
        return key
    if ":" in key:
        head, _, tail = key.partition(":")
        key = f"{head.strip()} ({tail.strip()})"
    words = key.split()
    if words[0].lower() in _NO_ARTICLE:
        return words[0].lower() + key[len(words[0]):]
    proper = len(words) > 1 and (words[1][:1].isupper() or words[1][:1].isdigit())
    if proper or not words[0].isalpha() or words[0].isupper():
        return key
    key = lower_first(key)
    first = key.split()[0]
    if first in _NO_ARTICLE or first.endswith("ing") or "(" in key:
        return key
    return f"the {key}"


def _render(language: str, audience: str, slot: str, fields: dict[str, str]) -> tuple[str, ...]:
    by_audience = TEMPLATES.get(language, {})
    ordered = [audience, *(a for a in AUDIENCES if a != audience)]
    out: list[str] = []
    for who in ordered:
        for template in by_audience.get(who, {}).get(slot, ()):
            text = re.sub(r"\s+", " ", template.format(**fields)).strip()
            if text not in out:
                out.append(text)
    return tuple(out)


def _group(passage: Passage, language: str) -> str:
    symbol, paragraph = passage.meta("symbol"), passage.meta("paragraph")
    kind = passage.meta("kind")
    if kind == "decision" and symbol:
        number = paragraph.split("(")[0]
        if language == "zh":
            return f"第{symbol}号决定 — 序言" if paragraph.startswith("pp") else f"第{symbol}号决定 — 第{number}段"
        return f"Decision {symbol} — preamble" if paragraph.startswith("pp") else f"Decision {symbol} — paragraph {number}"
    return passage.meta("title") or passage.meta("doc_id")


def _decision_seed(passage: Passage, audience: str, language: str) -> tuple[str, dict[str, str], int] | None:
    symbol = passage.meta("symbol") or passage.meta("doc_id")
    paragraph = passage.meta("paragraph")
    context = passage.meta("context")
    fields = {"symbol": symbol, "paragraph": paragraph, "title": passage.meta("title")}
    if language == "zh":
        if context:
            parts = zh_chapeau_parts(context)
            key = zh_action_phrase(passage.text)
            if not parts or not key:
                return None
            verb, actor, _ = parts
            return "action", {**fields, "verb": verb, "actor": actor, "actor_plain": _PLAIN_ACTORS.get(actor, actor), "key": key}, 0
        if not paragraph.startswith("pp"):
            parts = zh_chapeau_parts(passage.text)
        else:
            parts = None
        if parts:
            verb, actor, action = parts
            plain = _PLAIN_ACTORS.get(actor, actor)
            if action:
                return "actors", {**fields, "verb": verb, "actor": actor, "actor_plain": plain, "key": action}, 1
            return "chapeau", {**fields, "verb": verb, "actor": actor, "actor_plain": plain}, 1
        recital = zh_preamble_parts(passage.text)
        if recital is None:
            return None
        return recital[1], {**fields, "verb": recital[0], "key": recital[2]}, 2
    if context:
        parts = chapeau_parts(context)
        key = action_phrase(passage.text)
        if not parts or not key:
            return None
        verb, participle, actor, _ = parts
        plain = _PLAIN_ACTORS.get(actor, actor)
        return "action", {**fields, "verb": verb, "verb_pp": participle, "actor": actor, "actor_plain": plain, "key": key}, 0
    if not paragraph.startswith("pp"):
        parts = chapeau_parts(passage.text)
        if parts:
            verb, participle, actor, action = parts
            plain = _PLAIN_ACTORS.get(actor, actor)
            common = {**fields, "verb": verb, "verb_pp": participle, "actor": actor, "actor_plain": plain}
            if action:
                return "actors", {**common, "key": action}, 1
            return "chapeau", common, 1
    recital = preamble_parts(passage.text)
    if recital:
        verb, slot, key = recital
        return slot, {**fields, "verb": verb, "key": key}, 2
    return None


def propose_seeds(passages: Iterable[Passage], *, audience: str, language: str) -> list[Seed]:
    """Turn in-scope passages (all in ``language``) into seeds, best coverage first.

    Sections split over several chunks make one seed; reference lists make none.
    The order interleaves documents and puts what a document *asks* of its readers
    (operative sub-paragraphs, case-study drivers and interventions) before recitals.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
    by_section: dict[tuple[str, str], list[Passage]] = {}
    for passage in sorted(passages, key=lambda p: (p.meta("doc_id"), p.position)):
        key = (passage.meta("doc_id"), passage.meta("paragraph") or passage.meta("locator"))
        by_section.setdefault(key, []).append(passage)
    places = _case_places([parts[0] for parts in by_section.values()])
    seeds: list[Seed] = []
    for (doc_id, _), parts in by_section.items():
        first = parts[0]
        kind, title, locator = first.meta("kind"), first.meta("title"), first.meta("locator")
        if _SKIPPED_HEADINGS.match(locator.strip()):
            continue
        slot: str | None
        fields: dict[str, str] = {"title": title}
        priority = 1
        if kind == "decision" and first.meta("paragraph"):
            made = _decision_seed(first, audience, language)
            if made is None:
                continue
            slot, fields, priority = made
        elif kind == "case-study":
            slot = _case_slot(locator, title)
            fields["place"] = places.get(doc_id, title)
            priority = {"case:drivers": 0, "case:interventions": 0, "case:outcomes": 0, "case:lessons": 0,
                        "case:costs": 1, "case:communities": 1}.get(slot or "", 2)
        elif locator == title:
            slot, priority = "overview", 2
        else:
            slot, fields = "heading", {"title": title, "key": _heading_key(locator, language)}
        if slot is None:
            continue
        phrasings = _render(language, audience, slot, fields)
        if not phrasings:
            continue
        seeds.append(
            Seed(
                key=f"{doc_id}|{first.meta('paragraph') or locator}",
                doc_id=doc_id,
                title=title,
                kind=kind,
                language=language,
                locator=locator,
                paragraph=first.meta("paragraph"),
                chunk_ids=tuple(p.chunk_id for p in parts),
                group=_group(first, language),
                priority=priority,
                position=first.position,
                phrasings=phrasings,
            )
        )
    return _interleave(seeds)


def _round_robin(queues: list[list[Seed]]) -> list[Seed]:
    ordered: list[Seed] = []
    queues = [list(q) for q in queues if q]
    while queues:
        for queue in queues:
            ordered.append(queue.pop(0))
        queues = [q for q in queues if q]
    return ordered


def _interleave(seeds: list[Seed]) -> list[Seed]:
    """Round-robin over documents and, within each, over its groups (paragraphs, preamble).

    A short FAQ then touches every document and every part of a decision; within a
    group, higher-priority seeds come first, then document order.
    """
    documents: dict[str, dict[str, list[Seed]]] = {}
    for seed in sorted(seeds, key=lambda s: (s.doc_id, s.priority, s.position)):
        documents.setdefault(seed.doc_id, {}).setdefault(seed.group, []).append(seed)
    per_document = [
        _rotate(_round_robin(sorted(groups.values(), key=lambda q: (q[0].priority, q[0].position))), i)
        for i, groups in enumerate(documents.values())
    ]
    return _round_robin(per_document)


def _rotate(queue: list[Seed], offset: int) -> list[Seed]:
    """Start document ``offset`` at a later top-priority seed, so documents vary in what is asked.

    Sixteen case studies then open with drivers, interventions, outcomes and lessons in
    turn rather than sixteen questions about drivers.
    """
    top: list[Seed] = []
    for seed in queue:
        if seed.priority != queue[0].priority:
            break
        top.append(seed)
    if len(top) < 2:
        return queue
    shift = offset % len(top)
    return top[shift:] + top[:shift] + queue[len(top):]
