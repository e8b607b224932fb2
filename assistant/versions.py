"""Language versions of the same passage: quote the asker's language, else the original.

A decision exists in its original language (XI/16: Chinese) and in translations that
share its paragraph numbers (the English text's para. 1(g) is the Chinese 1(g)).
Summaries and briefs that carry a decision's symbol are read against that decision. The
rule an answer follows: quote the version in the question's language when the corpus has
one, otherwise the original; never a third language when the original or the asker's
language answers. The catalogue is built from the chunks' metadata, once per store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.records import Source

__all__ = ["Versions", "original_languages"]


def original_languages(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Language of each document's original text, from one metadata record per document.

    A translation's original is the document it translates. A summary or brief that
    carries the symbol of a decision in the store (the Spanish summary of XI/16) is read
    against that decision, so its original is the decision's original; any other
    document is its own original.
    """
    languages = {d: str(m.get("language", "")) for d, m in docs.items()}
    decisions = {
        str(m.get("symbol")): d
        for d, m in docs.items()
        if m.get("kind") == "decision" and m.get("symbol") and not m.get("translation_of")
    }
    result: dict[str, str] = {}
    for doc_id, meta in docs.items():
        root = str(meta.get("translation_of") or "")
        if not root and meta.get("symbol") and meta.get("kind") != "decision":
            root = decisions.get(str(meta["symbol"]), "")
        result[doc_id] = languages.get(root) or languages.get(doc_id, "")
    return result


@dataclass
class Versions:
    """Which chunks say the same paragraph in other languages, and each document's original."""

    # (root doc id, paragraph, language) -> (chunk id, text, metadata)
    aligned: dict[tuple[str, str, str], tuple[str, str, dict[str, Any]]] = field(default_factory=dict)
    original_language: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, records: Iterable[tuple[str, str, dict[str, Any]]]) -> Versions:
        """Index ``(chunk id, text, metadata)`` records (the lexical index holds them all)."""
        docs: dict[str, dict[str, Any]] = {}
        aligned: dict[tuple[str, str, str], tuple[str, str, dict[str, Any]]] = {}
        for chunk_id, text, meta in records:
            doc_id = str(meta.get("doc_id", ""))
            docs.setdefault(doc_id, meta)
            paragraph = str(meta.get("paragraph", ""))
            if paragraph:
                root = str(meta.get("translation_of") or doc_id)
                aligned.setdefault((root, paragraph, str(meta.get("language", ""))), (chunk_id, text, meta))
        return cls(aligned, original_languages(docs))

    def allowed(self, source: Source, language: str) -> bool:
        """Whether quoting ``source`` keeps to the asker's or the original language."""
        return source.language in (language, self.original_language.get(source.doc_id, source.language))

    def version(self, source: Source, language: str) -> Source | None:
        """Return the same paragraph in ``language``, scored as ``source`` was, or ``None``."""
        paragraph = str(source.metadata.get("paragraph", ""))
        if not paragraph or source.language == language:
            return None
        root = str(source.metadata.get("translation_of") or source.doc_id)
        found = self.aligned.get((root, paragraph, language))
        if found is None or found[0] == source.chunk_id:
            return None
        chunk_id, text, meta = found
        return replace(source, chunk_id=chunk_id, text=text, metadata=dict(meta))

    def prefer(self, sources: list[Source], language: str) -> list[Source]:
        """Return the sources in the asker's language where a version exists, else in the original.

        A passage in a third language is replaced by its original's version of the same
        paragraph; one that has none (a summary in another language) is dropped, unless
        nothing else is left. Rank order is kept and duplicates are removed.
        """
        chosen: list[Source] = []
        seen: set[str] = set()
        for source in sources:
            swapped = self.version(source, language)
            if swapped is None and not self.allowed(source, language):
                original = self.original_language.get(source.doc_id, "")
                swapped = self.version(source, original) if original else None
                if swapped is None:
                    continue
            pick = swapped or source
            if pick.chunk_id not in seen:
                seen.add(pick.chunk_id)
                chosen.append(pick)
        return chosen or sources
