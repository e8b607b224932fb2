"""The only code that speaks Chroma.

`Store` is the narrow interface the rest of the
project uses (query, get, write, delete, count); embedding backends (the `Embeddings`
protocol of LangChain), sentence vectors computed at ingest and the on-disk vector cache
live beside it.
"""

__all__ = [
    "chroma",
    "embeddings",
    "guard",
    "langchain_recipe",
    "records",
    "sentence_vectors",
    "vector_cache",
]
