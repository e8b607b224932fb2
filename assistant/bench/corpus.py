"""Synthetic corpora for the benchmark, recombined from the real corpus's sentences.

A synthetic corpus of N chunks is a folder of Markdown documents, each section one
chunk-sized paragraph. Documents copy the metadata of a real document (kind, year,
region, language), so the language mix follows the real chunks; section lengths are
drawn from the real chunk lengths of that language, and their sentences come from the
same real document (most of the time) or from any document in that language. The same
corpus folder and seed always give the same documents.

:class:`SentenceMixEmbeddings` gives such texts realistic vectors without running the
model on every synthetic chunk: a text's vector is the length-weighted, normalised sum
of the real model's vectors of its sentences (computed once); fragments that are not a
known sentence get a fixed pseudo-random direction.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.language.scripts import HAN_CHAR

__all__ = [
    "SentenceMixEmbeddings",
    "SourceCorpus",
    "SyntheticDocument",
    "generate",
    "language_mix",
    "load_source",
    "write_corpus",
]

# Share of a section's sentences taken from its own source document (the rest from any
# document in the same language), so sections read like one topic but still vary.
SAME_DOCUMENT_SHARE = 0.7
SECTIONS_PER_DOCUMENT = (8, 40)
_CJK = HAN_CHAR


@dataclass(frozen=True)
class _SourceDoc:
    meta: dict[str, Any]
    sentences: tuple[str, ...]
    chunk_lengths: tuple[int, ...]


@dataclass(frozen=True)
class SourceCorpus:
    """The real corpus as the generator sees it: documents, sentences, chunk lengths."""

    documents: tuple[_SourceDoc, ...]
    chunk_languages: tuple[str, ...]

    @property
    def sentences(self) -> list[str]:
        """Every distinct sentence, in a stable order."""
        return sorted({s for d in self.documents for s in d.sentences})


@dataclass(frozen=True)
class SyntheticDocument:
    """One generated Markdown document: front matter fields and sections (chunks)."""

    doc_id: str
    meta: dict[str, Any]
    sections: tuple[str, ...]

    def markdown(self) -> str:
        """Render the document as a Markdown file with front matter."""
        lines = ["---"]
        for key, value in self.meta.items():
            text = str(value).replace('"', "'")
            lines.append(f'{key}: "{text}"' if key != "year" else f"{key}: {value}")
        lines += ["---", f"# {self.meta['title']}", ""]
        for n, text in enumerate(self.sections, start=1):
            lines += [f"## Section {n}", "", text, ""]
        return "\n".join(lines)


def load_source(corpus_dir: Path, chunk_size: int = 1000, chunk_overlap: int = 100) -> SourceCorpus:
    """Read the real corpus with the project's own loaders, chunker and sentence splitter."""
    from assistant.language.sentences import split_sentences
    from ingest.chunking import chunk_document
    from ingest.indexing import collect_files
    from ingest.loaders import load_document

    files, _ = collect_files([corpus_dir])
    documents: list[_SourceDoc] = []
    languages: list[str] = []
    for path in files:
        document = load_document(path)
        chunks = chunk_document(document, chunk_size, chunk_overlap)
        if not chunks:
            continue
        sentences: list[str] = []
        for chunk in chunks:
            sentences.extend(s for s in split_sentences(chunk.text) if len(s) >= 6)
        meta = document.meta
        documents.append(
            _SourceDoc(
                meta={
                    "title": meta.title,
                    "kind": meta.kind,
                    "language": meta.language,
                    "year": meta.year,
                    "region": meta.region,
                    "ecosystem": meta.ecosystem,
                },
                sentences=tuple(dict.fromkeys(sentences)),
                chunk_lengths=tuple(len(c.text) for c in chunks),
            )
        )
        languages.extend(meta.language for _ in chunks)
    return SourceCorpus(tuple(documents), tuple(languages))


def generate(source: SourceCorpus, n_chunks: int, seed: int = 0, chunk_size: int = 1000) -> list[SyntheticDocument]:
    """Generate documents holding about ``n_chunks`` sections in the real language mix.

    Each document takes the language furthest below its share of the real chunks, then a
    real document of that language (weighted by its chunks); sections never exceed
    ``chunk_size`` characters.
    """
    rng = random.Random(seed)
    by_language: dict[str, list[str]] = {}
    for doc in source.documents:
        by_language.setdefault(doc.meta["language"], []).extend(doc.sentences)
    share = {lang: n / len(source.chunk_languages) for lang, n in Counter(source.chunk_languages).items()}
    made_in: Counter[str] = Counter()
    documents: list[SyntheticDocument] = []
    made = 0
    while made < n_chunks:
        count = min(rng.randint(*SECTIONS_PER_DOCUMENT), n_chunks - made)
        # The language furthest behind its real share goes next, so small corpora keep the mix.
        language = max(sorted(share), key=lambda lang: share[lang] * (made + count) - made_in[lang])
        candidates = [d for d in source.documents if d.meta["language"] == language]
        origin = rng.choices(candidates, weights=[len(d.chunk_lengths) for d in candidates])[0]
        pool = by_language[origin.meta["language"]]
        sections = tuple(
            _section(rng, origin, pool, rng.choice(origin.chunk_lengths), chunk_size)
            for _ in range(count)
        )
        number = len(documents) + 1
        kind = "guidance" if origin.meta["kind"] == "decision" else origin.meta["kind"]
        meta = {
            "doc_id": f"synthetic-{seed}-{number:05d}",
            "title": f"{origin.meta['title']} (synthetic {number})",
            "kind": kind,
            "language": origin.meta["language"],
        }
        meta |= {k: origin.meta[k] for k in ("year", "region", "ecosystem") if origin.meta[k]}
        documents.append(SyntheticDocument(meta["doc_id"], meta, sections))
        made += count
        made_in[language] += count
    return documents


def _section(
    rng: random.Random, origin: _SourceDoc, pool: Sequence[str], target: int, chunk_size: int
) -> str:
    joiner = "" if _CJK.search(origin.sentences[0]) else " "
    target = max(40, min(target, chunk_size - 50))
    parts: list[str] = []
    length = 0
    while length < target:
        own = rng.random() < SAME_DOCUMENT_SHARE
        sentence = rng.choice(origin.sentences if own else pool)
        if parts and (length + len(sentence) // 2 > target or length + len(sentence) > chunk_size - 50):
            break
        parts.append(sentence[: chunk_size - 50])
        length += len(parts[-1]) + len(joiner)
    return joiner.join(parts)


def write_corpus(documents: Sequence[SyntheticDocument], folder: Path) -> list[Path]:
    """Write the documents as Markdown files (replacing the folder's Markdown files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    paths = []
    for doc in documents:
        path = folder / f"{doc.doc_id}.md"
        path.write_text(doc.markdown(), encoding="utf-8")
        paths.append(path)
    return paths


def language_mix(documents: Sequence[SyntheticDocument]) -> dict[str, float]:
    """Share of sections per language, largest first."""
    counts = Counter(d.meta["language"] for d in documents for _ in d.sections)
    total = sum(counts.values()) or 1
    return {lang: round(n / total, 4) for lang, n in counts.most_common()}


class SentenceMixEmbeddings:
    """Vectors for recombined text from precomputed sentence vectors (no model run).

    Only for building benchmark stores: a passage's vector is the normalised,
    length-weighted sum of its sentences' real vectors. Queries must use the real model.
    """

    def __init__(self, sentences: Sequence[str], vectors: np.ndarray, model_id: str) -> None:
        self._index = {s: i for i, s in enumerate(sentences)}
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self.model_id = model_id
        self.dim = int(self._vectors.shape[1])

    def _unknown(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def _vector(self, text: str) -> np.ndarray:
        from assistant.language.sentences import split_sentences

        total = np.zeros(self.dim, dtype=np.float32)
        for sentence in split_sentences(text):
            i = self._index.get(sentence)
            if i is not None:  # headings and cut-off fragments carry little meaning
                total += len(sentence) * self._vectors[i]
        norm = float(np.linalg.norm(total))
        return total / norm if norm else self._unknown(text)

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain ``Embeddings`` method, for the baseline recipe."""
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain ``Embeddings`` method (not used for measured queries)."""
        return self.encode([text])[0].tolist()
