"""Typed records passed between stages: documents, chunks, sources, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "DocumentMeta",
    "LoadedDocument",
    "Section",
    "Source",
    "Turn",
    "search_text",
]

KINDS = ("decision", "guidance", "case-study", "report", "other")


@dataclass(frozen=True)
class DocumentMeta:
    """Document metadata per the design's contract (front matter or derived)."""

    doc_id: str
    title: str
    kind: str = "other"
    language: str = "en"
    symbol: str = ""
    year: int | None = None
    source: str = ""
    translation_of: str = ""
    region: str = ""
    country: str = ""
    ecosystem: str = ""

    def as_metadata(self) -> dict[str, str | int]:
        """Flatten to Chroma-compatible scalar metadata (no ``None`` values)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Section:
    """A unit of text with the locator a citation shows.

    ``paragraph`` is set for decisions (``pp1``, ``1``, ``1(b)``); ``context`` carries
    text a reader needs to understand the section alone (a sub-paragraph's chapeau).
    """

    text: str
    locator: str
    paragraph: str = ""
    page: int | None = None
    heading: str = ""
    context: str = ""


@dataclass(frozen=True)
class LoadedDocument:
    """A parsed file: its metadata, sections in order, and the hash of its bytes."""

    meta: DocumentMeta
    sections: tuple[Section, ...]
    content_hash: str
    path: str


@dataclass(frozen=True)
class Chunk:
    """A stored passage with a stable id (hash of document, locator and text)."""

    chunk_id: str
    text: str
    meta: DocumentMeta
    locator: str
    position: int
    paragraph: str = ""
    page: int | None = None
    context: str = ""

    def as_metadata(self) -> dict[str, str | int]:
        """Flatten for Chroma: document fields plus chunk fields, scalars only."""
        data: dict[str, str | int] = dict(self.meta.as_metadata())
        data.update(
            chunk_id=self.chunk_id,
            locator=self.locator,
            paragraph=self.paragraph,
            position=self.position,
            context=self.context,
        )
        if self.page is not None:
            data["page"] = self.page
        return data


@dataclass(frozen=True)
class Source:
    """A retrieved passage with scores named by direction (higher ``relevance`` is better).

    ``relevance`` is the fused score used for ranking; ``similarity`` the cosine of the
    question and passage embeddings (the support signal); ``lexical`` the BM25 score.
    """

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    relevance: float
    similarity: float = 0.0
    lexical: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        """Document id of the passage."""
        return str(self.metadata.get("doc_id", ""))

    @property
    def language(self) -> str:
        """ISO 639-1 language of the passage."""
        return str(self.metadata.get("language", ""))


@dataclass(frozen=True)
class Citation:
    """A numbered reference from answer text (``[n]``) to a retrieved passage."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    kind: str
    symbol: str
    locator: str
    paragraph: str
    language: str
    text: str
    relevance: float
    context: str = ""
    supporting: tuple[str, ...] = ()
    origin: str = ""
    flag: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict; an uploaded passage says so (``uploaded``: true)."""
        data = asdict(self)
        data["supporting"] = list(self.supporting)
        data["uploaded"] = self.origin == "upload"
        return data


@dataclass(frozen=True)
class Answer:
    """A composed answer: text with ``[n]`` markers, its citations and a replayable trace."""

    text: str
    supported: bool
    language: str
    citations: tuple[Citation, ...]
    sentences: tuple[dict[str, Any], ...] = ()
    related: tuple[Citation, ...] = ()
    notices: tuple[str, ...] = ()
    trace: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of ``ask --json``."""
        return {
            "answer": self.text,
            "supported": self.supported,
            "language": self.language,
            "citations": [c.to_dict() for c in self.citations],
            "related": [c.to_dict() for c in self.related],
            "sentences": list(self.sentences),
            "notices": list(self.notices),
            "trace": self.trace,
        }


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, as follow-up condensation needs it."""

    question: str
    doc_ids: tuple[str, ...] = ()
    condensed: str = ""

    @classmethod
    def of(cls, question: str, answer: Answer) -> Turn:
        """Remember a question with the documents its answer cited and its condensed query."""
        cited = answer.citations or answer.related
        return cls(
            question=question,
            doc_ids=tuple(dict.fromkeys(c.doc_id for c in cited)),
            condensed=str(answer.trace.get("condensed_query", "")),
        )


def search_text(text: str, metadata: dict[str, Any]) -> str:
    """Text that is embedded and searched: the passage with its title and locator.

    A case study's "Costs" section rarely names the case; the title makes it findable.
    """
    return f"{metadata.get('title', '')} — {metadata.get('locator', '')}\n{text}"
