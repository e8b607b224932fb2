"""The composers, by answer mode: the one place a new way of writing answers is registered.

A composer turns retrieved passages into an :class:`~assistant.core.records.Answer`. The
extractive one needs no model and is always there; others are built only when configured
(the LLM composer needs an endpoint or a model file, and falls back to the extractive one).
To add a mode: write the composer in this package, add its factory to :data:`FACTORIES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from assistant.answering.extractive import ExtractiveComposer
from assistant.core.records import Answer
from assistant.core.settings import Settings
from assistant.retrieval.hybrid import Retrieval

__all__ = ["FACTORIES", "Composer", "build_composers"]


class Composer(Protocol):
    """Turns retrieved passages into an answer (extractive, or an LLM with fallback)."""

    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        """Answer ``question`` from ``retrieval``."""
        ...

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield text as it is produced, then the finished :class:`Answer` last."""
        ...


def _llm(settings: Settings, embeddings: Any, extractive: ExtractiveComposer) -> Composer | None:
    if not settings.llm_configured:
        return None
    from assistant.answering.llm import build_llm_composer  # optional: needs the 'llm' extra

    return build_llm_composer(settings, embeddings, fallback=extractive)


# mode -> factory(settings, embeddings, extractive composer) -> composer, or None when the
# mode is not configured. The extractive composer is built first: the others fall back to it.
FACTORIES: dict[str, Callable[[Settings, Any, ExtractiveComposer], Composer | None]] = {
    "llm": _llm,
}


def build_composers(settings: Settings, embeddings: Any) -> dict[str, Composer]:
    """Build the extractive composer and every configured one, keyed by answer mode."""
    extractive = ExtractiveComposer(embeddings, settings)
    composers: dict[str, Composer] = {"extractive": extractive}
    for mode, factory in FACTORIES.items():
        composer = factory(settings, embeddings, extractive)
        if composer is not None:
            composers[mode] = composer
    return composers
