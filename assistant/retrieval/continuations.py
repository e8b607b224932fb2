"""The chunk that continues the best passage's section, brought in beside it.

A long section is cut into chunks of about a thousand characters, so a story is often
cut in two: "In Taiwan … the communities came together to develop integrated approaches"
ends one chunk, and "Ten years later there is progress, and young people have returned"
opens the next. A reader reads on; retrieval finds the first chunk, rarely the second
(its words are not the question's). So the chunk that follows the best passage in the
same section joins the sources, and the composer quotes its sentences when they score as
well as the others (they are cited to their own chunk). A decision's
numbered paragraph is a unit of its own and is left alone (its sub-paragraphs:
:mod:`assistant.retrieval.paragraphs`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from assistant.retrieval.hybrid import Retrieval

__all__ = ["join_continuations"]

# A locator's page suffix: the same section runs on over pages ("… processes (p. 26)").
_PAGE = re.compile(r"\s*\(p+\.\s*[\d–-]+\)\s*$")


def section(metadata: dict[str, Any]) -> str:
    """The section a chunk belongs to: its locator without the page."""
    return _PAGE.sub("", str(metadata.get("locator", "")))


def join_continuations(retrieval: Retrieval, lexical: Any | None) -> Retrieval:
    """Add the chunk that continues the best passage's section after the sources.

    It takes no other passage's place or rank (and one ranked already keeps its own): the
    composer reads it as the best passage read on (``Retrieval.continuations`` records it:
    the best passage's id -> its continuation's). Put right after the best passage, it
    pushed the fifth passage out of the answer and lowered every other passage's rank.
    """
    if lexical is None or not retrieval.sources:
        return retrieval
    lead = retrieval.sources[0]
    position = lexical.position(lead.chunk_id)
    if position is None or lead.metadata.get("paragraph") or not section(lead.metadata):
        return retrieval
    order = sorted(lexical.document_positions(lead.doc_id), key=lambda p: int(lexical.metadatas[p].get("position", 0)))
    at = order.index(position) + 1
    if at >= len(order):
        return retrieval
    metadata = dict(lexical.metadatas[order[at]])
    chunk_id = lexical.ids[order[at]]
    if section(metadata) != section(lead.metadata):
        return retrieval
    continuations = {lead.chunk_id: chunk_id}
    if any(s.chunk_id == chunk_id for s in retrieval.sources):  # ranked already: it keeps its rank
        return replace(retrieval, continuations=continuations)
    following = replace(lead, chunk_id=chunk_id, text=lexical.texts[order[at]], metadata=metadata)
    return replace(retrieval, sources=[*retrieval.sources, following], continuations=continuations)
