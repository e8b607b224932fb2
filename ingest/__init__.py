"""From files to the store: load each format, parse decisions, chunk, embed and write.

``loaders`` (one entry point, :func:`~ingest.loaders.load_document`) dispatches to
``formats`` (one module per file format, and the suffix registry); ``decisions`` parses UN
decisions of every numbering style into paragraphs; ``metadata`` infers title, kind and
language; ``limits`` bounds the work one file may cost; ``chunking`` cuts sections into
chunks; ``indexing`` embeds and writes them, resumably, after ``files`` has listed and
vetted the files and ``stored`` has read what the store holds; ``report`` is what a run
returns. This package depends only on ``assistant.core``, ``assistant.language`` and
``assistant.store``.
"""

__all__ = [
    "chunking",
    "decisions",
    "files",
    "formats",
    "indexing",
    "limits",
    "loaders",
    "metadata",
    "report",
    "stored",
]
