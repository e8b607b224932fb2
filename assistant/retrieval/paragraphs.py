"""A paragraph the question names, joined with its sub-paragraphs.

A decision's operative paragraph is often a chapeau and a list: "5. Requests the Executive
Secretary …:" then items (a) to (j), each indexed as a chunk of its own so it can be
found and cited alone. Asked "what does paragraph 5 ask of the Executive Secretary?", the
chapeau alone says nothing; the answer is the list. So when the question names a
paragraph and retrieval found its chapeau, its items follow it in the sources, and
``Retrieval.items`` records that they are to be quoted with it.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.core.records import Source
from assistant.retrieval.hybrid import Retrieval
from assistant.retrieval.signals import Context, names_paragraph
from assistant.retrieval.versions import Versions

__all__ = ["join_named_paragraphs"]


def join_named_paragraphs(retrieval: Retrieval, versions: Versions) -> Retrieval:
    """Put each named paragraph's sub-paragraphs right after it, in the paragraph's language."""
    question = retrieval.question
    if question is None or not question.paragraphs:
        return retrieval
    context = Context()  # the paragraph of the decision named, as fusion's signal reads it
    named = {
        s.chunk_id: versions.items(s)
        for s in retrieval.sources
        if s.metadata.get("kind") == "decision" and names_paragraph(s.metadata, question, context)
    }
    named = {chunk_id: parts for chunk_id, parts in named.items() if parts}
    if not named:
        return retrieval
    # An item ranked on its own moves under its chapeau.
    under = {p.chunk_id for parts in named.values() for p in parts} - set(named)
    joined: list[Source] = []
    for source in retrieval.sources:
        if source.chunk_id not in under:
            joined.append(source)
            joined.extend(named.get(source.chunk_id, ()))
    items = {chunk_id: tuple(p.chunk_id for p in parts) for chunk_id, parts in named.items()}
    return replace(retrieval, sources=joined, items=items)
