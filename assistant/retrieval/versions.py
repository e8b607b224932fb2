"""Language versions of the same passage: quote the asker's language, else the original.

A decision exists in its original language (XI/16: Chinese) and in translations that
share its paragraph numbers (the English text's para. 1(g) is the Chinese 1(g)).
Summaries and briefs that carry a decision's symbol are read against that decision. The
rule an answer follows: quote the version in the question's language when the corpus has
one, otherwise the original; never a third language when the original or the asker's
language answers. The catalogue is built from the chunks' metadata, once per store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.core.records import Source

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

    # (root doc id, paragraph) -> every chunk of that paragraph, in any language, in index order
    aligned: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)
    original_language: dict[str, str] = field(default_factory=dict)
    # (doc id, paragraph) -> its sub-paragraphs in that document ("5" -> "5(a)", "5(b)", …)
    children: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)

    @classmethod
    def build(cls, records: Iterable[tuple[str, str, dict[str, Any]]]) -> Versions:
        """Index ``(chunk id, text, metadata)`` records (the lexical index holds them all)."""
        docs: dict[str, dict[str, Any]] = {}
        aligned: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = {}
        children: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = {}
        for chunk_id, text, meta in records:
            doc_id = str(meta.get("doc_id", ""))
            docs.setdefault(doc_id, meta)
            key = _paragraph_key(meta)
            if key is not None:
                aligned.setdefault(key, []).append((chunk_id, text, meta))
                parent = _PARENT.match(key[1])
                if parent:
                    children.setdefault((doc_id, parent.group(1)), []).append((chunk_id, text, meta))
        for items in children.values():
            items.sort(key=lambda c: int(c[2].get("position", 0)))
        return cls(aligned, original_languages(docs), children)

    @classmethod
    def of(cls, lexical: Any) -> Versions:
        """Return the catalogue of a lexical index, built once per index (a refresh replaces it)."""
        cached = _CATALOGUE.get("current")
        if cached is None or cached[0] is not lexical:
            records = zip(lexical.ids, lexical.texts, lexical.metadatas, strict=True) if lexical else ()
            cached = (lexical, cls.build(records))
            _CATALOGUE["current"] = cached
        return cached[1]

    def others(self, source: Source) -> list[tuple[str, str, dict[str, Any]]]:
        """Return the other chunks of ``source``'s paragraph (its translations), any language."""
        key = _paragraph_key(source.metadata)
        return [c for c in self.aligned.get(key, ()) if c[0] != source.chunk_id] if key else []

    def items(self, source: Source) -> list[Source]:
        """Return the sub-paragraphs of ``source``'s paragraph in its document, in order.

        They are scored as ``source`` was: they are read as part of it.
        """
        paragraph = str(source.metadata.get("paragraph") or "")
        found = self.children.get((source.doc_id, paragraph), []) if paragraph else []
        return [replace(source, chunk_id=c, text=t, metadata=dict(m)) for c, t, m in found]

    def allowed(self, source: Source, language: str) -> bool:
        """Whether quoting ``source`` keeps to the asker's or the original language."""
        return source.language in (language, self.original_language.get(source.doc_id, source.language))

    def version(self, source: Source, language: str) -> Source | None:
        """Return the same paragraph in ``language``, scored as ``source`` was, or ``None``."""
        if source.language == language:
            return None
        found = next((c for c in self.others(source) if c[2].get("language") == language), None)
        if found is None:
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


def _paragraph_key(meta: Mapping[str, Any]) -> tuple[str, str] | None:
    """Return a paragraph's identity across languages: its original document and number."""
    paragraph = str(meta.get("paragraph") or "")
    return (str(meta.get("translation_of") or meta.get("doc_id")), paragraph) if paragraph else None


# A sub-paragraph's number and its parent's: "5(a)" of "5", "1(b)(ii)" of "1(b)".
_PARENT = re.compile(r"^(.+?)\([^()]+\)$")
_CATALOGUE: dict[str, tuple[Any, Versions]] = {}
