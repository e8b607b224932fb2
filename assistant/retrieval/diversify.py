"""Choose the passages to show from the fused ranking: varied, one version per paragraph.

Reference lists are left out unless the question asks about sources; each translated
paragraph keeps one version (the question's language wins); near-identical text and more
than ``max_per_document`` passages of one document are skipped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.core.settings import Settings
from assistant.retrieval.candidates import Candidate
from assistant.retrieval.question import Question
from assistant.retrieval.rerank import Reranker, rerank

__all__ = ["choose", "diversify", "near_duplicate"]


def near_duplicate(a: str, b: str, threshold: float) -> bool:
    """Whether two texts share at least ``threshold`` of their character trigrams (Jaccard)."""
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / max(1, len(ga | gb)) >= threshold


@lru_cache(maxsize=4096)
def _grams(text: str) -> frozenset[str]:
    """A text's character trigrams; kept, as the same passages come back question after question."""
    text = re.sub(r"\s+", " ", text.lower())
    return frozenset(text[i : i + 3] for i in range(max(1, len(text) - 2)))


def choose(
    fused: dict[str, float],
    by_id: dict[str, Candidate],
    question: Question,
    settings: Settings,
    k: int,
    reranker: Reranker | None = None,
) -> list[str]:
    """Pick the ``k`` best passages by fused score (or the reranker's order).

    Reference lists are left out unless the question asks about sources.
    """
    ordered = rerank(reranker, question, sorted(fused, key=lambda c: fused[c], reverse=True), by_id)
    if not question.wants_sources:
        headings = {h.casefold() for h in settings.reference_headings}
        ordered = [c for c in ordered if _heading(by_id[c].metadata).casefold() not in headings]
    return diversify(ordered, by_id, question.language, settings, k)


def _heading(metadata: dict[str, Any]) -> str:
    """A passage's section heading: its locator without the page ("Acknowledgements (p. 2)")."""
    return _PAGE.sub("", str(metadata.get("locator", ""))).strip()


_PAGE = re.compile(r"\s*\(p\. \d+\)\s*$")


def diversify(
    ordered: list[str], by_id: dict[str, Candidate], language: str, settings: Settings, k: int
) -> list[str]:
    """Keep one version of each translated paragraph and drop near-identical text."""
    chosen: list[str] = []
    groups: dict[tuple[str, str], int] = {}
    per_document: dict[str, int] = {}
    for cid in ordered:
        meta = by_id[cid].metadata
        doc_id = str(meta.get("doc_id"))
        if per_document.get(doc_id, 0) >= settings.max_per_document:
            continue
        group = (str(meta.get("translation_of") or meta.get("doc_id")), str(meta.get("paragraph") or ""))
        if group[1] and group in groups:
            slot = groups[group]
            if by_id[chosen[slot]].metadata.get("language") != language and meta.get("language") == language:
                chosen[slot] = cid  # the question's language wins within a pair
            continue
        text = by_id[cid].text
        if any(near_duplicate(text, by_id[c].text, settings.duplicate_similarity) for c in chosen):
            continue
        if group[1]:
            groups[group] = len(chosen)
        per_document[doc_id] = per_document.get(doc_id, 0) + 1
        chosen.append(cid)
        if len(chosen) >= k:
            break
    return chosen
