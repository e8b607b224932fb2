"""Passages that address an AI assistant (planted instructions): never evidence, always shown.

They are taken out of the passages a composer reads, and listed under the answer, flagged,
so a reader sees what was withheld and why.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.answering.extractive import citation_for
from assistant.core.records import Answer, Source
from assistant.language.injection import PLANTED_FLAG, WITHHELD_NOTICE, addressed_to_assistant
from assistant.retrieval.hybrid import Retrieval

__all__ = ["list_withheld", "withhold_planted"]


def withhold_planted(retrieval: Retrieval, k: int) -> tuple[Retrieval, list[Source]]:
    """Keep the best ``k`` passages that do not address an AI assistant (never evidence).

    The planted ones that ranked within the top ``k`` are returned to be listed, flagged;
    the next passages down take their places.
    """
    top = {s.chunk_id: s for s in (*retrieval.sources[:k], *retrieval.topical[:k])}
    withheld = [s for s in top.values() if addressed_to_assistant(s.text)]
    planted = {s.chunk_id for s in withheld}
    return (
        replace(
            retrieval,
            sources=[s for s in retrieval.sources if s.chunk_id not in planted][:k],
            topical=[s for s in retrieval.topical if s.chunk_id not in planted][:k],
        ),
        withheld,
    )


def list_withheld(answer: Answer, withheld: list[Source], language: str) -> Answer:
    """Show withheld passages for what they are: listed, flagged, never quoted."""
    if not withheld:
        return answer
    start = max((c.n for c in (*answer.citations, *answer.related)), default=0) + 1
    flagged = tuple(
        replace(citation_for(n, s), flag=PLANTED_FLAG)
        for n, s in enumerate(withheld, start=start)
    )
    notice = WITHHELD_NOTICE.get(language, WITHHELD_NOTICE["en"])
    return replace(answer, related=answer.related + flagged, notices=(*answer.notices, notice))
