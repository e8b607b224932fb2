"""Load files into documents with sections and locators; each format is a module of :mod:`ingest.formats`.

Every loader returns a :class:`LoadedDocument` or raises :class:`IngestError` with a
one-line reason a user can act on (empty, binary, encrypted, no text layer...).
Metadata a file does not state is read from the document or declared beside it
(:mod:`ingest.metadata`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.formats import LOADERS, SUPPORTED_SUFFIXES
from ingest.formats.common import DECLARED
from ingest.formats.text_codec import split_front_matter as _split_front_matter  # noqa: F401
from ingest.limits import ZIP_CONTAINERS, FileBudget, FileLimits, check_zip
from ingest.metadata import Declared, doc_id_from_name, read_sidecar, slugify, validate_fields

__all__ = ["SUPPORTED_SUFFIXES", "FileLimits", "load_document", "slugify"]

_doc_id_from_name = doc_id_from_name  # the name tests and older callers know


def load_document(
    path: Path, limits: FileLimits | None = None, overrides: Mapping[str, Any] | None = None
) -> LoadedDocument:
    """Load one file of a supported type into a document with sections.

    ``limits`` bound the work one file may cost (see :mod:`ingest.limits`); callers
    that pass none get the defaults, so no caller loads a file unbounded. ``overrides``
    are metadata fields declared for this file (``ingest FILE --kind K``): they win over
    its front matter, which wins over the folder's sidecar file and over inference.
    """
    limits = FileLimits() if limits is None else limits
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise IngestError(path, f"unsupported file type '{suffix or path.name}'")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(path, f"cannot read file ({e.strerror or e})") from e
    if not data.strip():
        raise IngestError(path, "empty file")
    if suffix in ZIP_CONTAINERS:
        check_zip(path, data, limits)  # before the loader inflates a single part
    budget = FileBudget(path, limits)
    declared = Declared(read_sidecar(path), validate_fields(path, overrides or {}, "command-line"))
    token = DECLARED.set(declared)
    try:
        document = loader(path, data, budget)
    finally:
        DECLARED.reset(token)
    # Decision parsing and one-call parsers (lxml, html.parser) are not interrupted
    # midway: their result is checked here, before any chunk is made or embedded.
    budget.tick()
    budget.check_sections(len(document.sections))
    return document
