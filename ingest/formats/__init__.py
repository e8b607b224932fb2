"""One module per file format, and the registry that maps a file's suffix to its loader.

Each format module has ``SUFFIXES`` and ``load(path, data, budget) -> LoadedDocument``,
raising :class:`~assistant.core.errors.IngestError` with a reason a user can act on. Heavy
parsers (pdfplumber, python-docx, docutils, lxml) are imported when a file needs them.
To add a format: write its module here and add it to :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.core.records import LoadedDocument
from ingest.formats import docx, html, odt, pdf, rst, text
from ingest.limits import FileBudget

__all__ = ["FORMATS", "LOADERS", "SUPPORTED_SUFFIXES"]

FORMATS = (text, html, pdf, docx, rst, odt)

LOADERS: dict[str, Callable[[Path, bytes, FileBudget], LoadedDocument]] = {
    suffix: module.load for module in FORMATS for suffix in module.SUFFIXES
}
SUPPORTED_SUFFIXES = frozenset(LOADERS)
