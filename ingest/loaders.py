"""Load files into documents with sections and locators, one function per format.

Every loader returns a :class:`LoadedDocument` or raises :class:`IngestError` with a
one-line reason a user can act on (empty, binary, encrypted, no text layer...).
Metadata a file does not state is read from the document or declared beside it
(:mod:`ingest.metadata`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.records import DocumentMeta, LoadedDocument, Section
from ingest.decisions import looks_like_decision, parse_decision
from ingest.formats_blocks import Block, split_table
from ingest.limits import ZIP_CONTAINERS, FileBudget, FileLimits, check_zip
from ingest.loaders_text import CONTROL_CHARS as _CONTROL_CHARS
from ingest.loaders_text import clean as _clean
from ingest.loaders_text import decode as _decode
from ingest.loaders_text import split_front_matter as _split_front_matter
from ingest.metadata import (
    Declared,
    build_meta,
    doc_id_from_name,
    is_meaningful_title,
    read_sidecar,
    slugify,
    validate_fields,
)

__all__ = ["SUPPORTED_SUFFIXES", "FileLimits", "load_document", "slugify"]

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_doc_id_from_name = doc_id_from_name  # the name tests and older callers know
# Fields declared outside the file (sidecar YAML, command line) for the load in progress.
# Every loader builds its metadata through _metadata(), the PDF loader included, so one
# context value reaches them all without changing each loader's signature.
_DECLARED: ContextVar[Declared | None] = ContextVar("declared", default=None)


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
    loader = _LOADERS.get(suffix)
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
    token = _DECLARED.set(declared)
    try:
        document = loader(path, data, budget)
    finally:
        _DECLARED.reset(token)
    # Decision parsing and one-call parsers (lxml, html.parser) are not interrupted
    # midway: their result is checked here, before any chunk is made or embedded.
    budget.tick()
    budget.check_sections(len(document.sections))
    return document


# --- text formats ------------------------------------------------------------------------


def _metadata(
    path: Path, fields: dict[str, Any], body: str, title: str = "", headings: Iterable[str] = ()
) -> DocumentMeta:
    """Metadata from front matter ``fields``, fields declared beside the file, and the text."""
    return build_meta(path, _declared(fields), body, title=title, headings=headings)


def _declared(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the fields that win for the file being loaded (see :class:`Declared`)."""
    declared = _DECLARED.get()
    return declared.merge(fields) if declared is not None else dict(fields)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _paragraphs(text: str) -> Iterator[str]:
    """Blank-line separated paragraphs, stripped, one at a time (a huge file is not split whole)."""
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        part = text[start : match.start()].strip()
        if part:
            yield part
        start = match.end()
    part = text[start:].strip()
    if part:
        yield part


def _paragraph_sections(text: str, locator: str, budget: FileBudget) -> list[Section]:
    """Sections of plain text: blank-line separated paragraphs under one locator."""
    sections: list[Section] = []
    for paragraph in _paragraphs(text):
        budget.add_section()
        sections.append(Section(text=paragraph, locator=locator, heading=locator))
    return sections


def _markdown_sections(body: str, title: str, budget: FileBudget) -> tuple[str, list[Section]]:
    """Split Markdown by headings; the innermost heading is the locator."""
    sections: list[Section] = []
    doc_title = ""
    locator = title
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        buffer.clear()
        if text:
            for part in _paragraphs(text):
                budget.add_section()
                sections.append(Section(text=part, locator=locator, heading=locator))

    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _MD_HEADING.match(line)
        if match:
            flush()
            heading = match.group(2).strip()
            if len(match.group(1)) == 1 and not doc_title:
                doc_title = heading
            locator = heading
        else:
            buffer.append(line)
    flush()
    return doc_title, sections


def _load_text(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    text = _decode(path, data)
    fields, body = _split_front_matter(path, text)
    if not body.strip():
        raise IngestError(path, "no text after the front matter")
    is_markdown = path.suffix.lower() in {".md", ".markdown"}
    kind = _declared(fields).get("kind")
    if kind == "decision" or (not kind and looks_like_decision(body)):
        meta = _metadata(path, fields, body)
        sections = parse_decision(body)
        if not sections:
            raise IngestError(
                path, "marked as a decision but no paragraphs were found (see corpus/README.md)"
            )
    elif is_markdown:
        md_title, sections = _markdown_sections(body, "", budget)
        headings = dict.fromkeys(s.locator for s in sections if s.locator)
        meta = _metadata(path, fields, body, title=md_title, headings=headings)
        sections = [s if s.locator else Section(s.text, meta.title, heading=meta.title) for s in sections]
    else:
        meta = _metadata(path, fields, body)
        sections = _paragraph_sections(body, meta.title, budget)
    return _document(path, data, meta, sections)


# --- rich formats ------------------------------------------------------------------------


def _load_html(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    from ingest.formats_html import html_blocks

    title, blocks = html_blocks(_decode(path, data), budget.tick)
    if not any(not b.is_heading for b in blocks):
        raise IngestError(path, "no readable text in the HTML (only markup or scripts)")
    return _structured(path, data, budget, title, blocks)


def _load_rst(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    from ingest.formats_rst import RstError, rst_blocks

    text = _decode(path, data)
    try:  # a title overlined with '---' is not front matter: only a YAML mapping is
        fields, body = _split_front_matter(path, text)
    except IngestError:
        fields, body = {}, text
    try:
        title, blocks = rst_blocks(body)
    except RstError as e:
        raise IngestError(path, str(e)) from e
    budget.tick()
    if not any(not b.is_heading for b in blocks):
        raise IngestError(path, "no readable text in the reStructuredText (only markup)")
    return _structured(path, data, budget, title, blocks, fields)


def _load_odt(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    from ingest.formats_odt import OdtError, odt_blocks

    try:
        title, blocks = odt_blocks(data)  # load_document checked the zip first
    except OdtError as e:
        raise IngestError(path, str(e)) from e
    budget.tick()
    if not any(not b.is_heading for b in blocks):
        raise IngestError(path, "OpenDocument file has no text")
    return _structured(path, data, budget, title, blocks)


def _structured(
    path: Path,
    data: bytes,
    budget: FileBudget,
    title: str,
    blocks: list[Block],
    fields: dict[str, Any] | None = None,
) -> LoadedDocument:
    """Sections of a format read into blocks: the innermost heading is each one's locator.

    A document that reads as a decision (numbered paragraphs under a decision heading)
    is parsed into its paragraphs instead, as in every other format.
    """
    fields = fields or {}
    full = "\n".join(b.text for b in blocks)
    headings = [b.text for b in blocks if b.is_heading]
    kind = _declared(fields).get("kind")
    if kind == "decision" or (not kind and looks_like_decision(full)):
        decision = parse_decision(full)
        if decision:
            return _document(path, data, _metadata(path, fields, full, title=title), decision)
    meta = _metadata(path, fields, full, title=title, headings=headings)
    sections: list[Section] = []
    locator = meta.title
    for block in blocks:
        if block.is_heading:
            locator = block.text
            continue
        for piece in split_table(block.text) if block.text.startswith("| ") else [block.text]:
            budget.add_section()
            sections.append(Section(text=piece, locator=locator, heading=locator))
    return _document(path, data, meta, sections)


def _load_pdf(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Read a PDF as a person reads it (see :mod:`ingest.pdf`), cut by paragraphs or headings."""
    from ingest.pdf import read_pdf
    from ingest.pdf_sections import pdf_sections

    # pdfminer logs every repair it makes to a damaged file; the one-line reason is enough.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    if b"%PDF-" not in data[:1024]:
        raise IngestError(path, "not a PDF file (no %PDF header; wrong extension?)")
    try:
        reading = read_pdf(data, budget)
    except (IngestError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - a damaged PDF makes pdfminer raise anything
        # (its own errors, IndexError, RecursionError...): it is a fact about the file,
        # reported with its type and message, and must not stop the rest of the batch.
        raise IngestError(path, _pdf_error(e)) from e
    if not any(b.text.strip() for b in reading.blocks):
        if b"/Encrypt" in data:  # opened, but its text did not decrypt to anything readable
            aes = " (AES)" if re.search(rb"/AESV[23]", data) else ""
            raise IngestError(
                path, f"encrypted PDF{aes} that cannot be read here: remove the password and ingest again"
            )
        raise IngestError(path, "PDF has no text layer (scanned?); run OCR first")
    cut = pdf_sections(reading, budget)
    # A PDF keeps the id its file name gives it, decision or not, so a citation or an
    # eval item names the file a user has.
    fields: dict[str, Any] = {"doc_id": _doc_id_from_name(path.stem)}
    if cut.decision is not None:
        fields["kind"] = "decision"
    meta = _metadata(path, fields, cut.body, title=cut.title)
    if cut.decision is not None and cut.decision.year is not None and meta.year is None:
        meta = replace(meta, year=cut.decision.year)
    return _document(path, data, meta, cut.sections)


def _pdf_error(error: BaseException) -> str:
    """Say in one line why a PDF cannot be read: encrypted, or damaged (with the error)."""
    detail = f"{type(error).__name__}: {_first_line(error)}"
    causes = [error, error.__cause__, error.__context__, *error.args]
    names = " ".join(f"{type(c).__name__} {c}" for c in causes if isinstance(c, BaseException))
    if "password" in names.lower() or "encrypt" in names.lower():
        return "encrypted PDF: remove the password and ingest again"
    return f"not a readable PDF ({detail})"


def _load_docx(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))  # load_document checked the zip first
        title = " ".join((document.core_properties.title or "").split())
        title = title if is_meaningful_title(title, path) else ""
        paragraphs = _docx_paragraphs(document, budget)
    except IngestError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise IngestError(path, "not a valid DOCX (corrupt, or not a Word file)") from e
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - junk XML or zip parts raise lxml/zipfile/docx errors
        raise IngestError(path, f"not a valid DOCX ({type(e).__name__}: {_first_line(e)})") from e
    full = "\n".join(text for _, text in paragraphs)
    if not full.strip():
        raise IngestError(path, "DOCX has no text")
    if looks_like_decision(full):
        meta = _metadata(path, {}, full, title=title)
        return _document(path, data, meta, parse_decision(full))
    blocks = [
        Block(text, 1 if style.lower().startswith(("heading", "title")) else 0)
        for style, text in paragraphs
        if text
    ]
    return _structured(path, data, budget, title, blocks)


def _docx_paragraphs(document: Any, budget: FileBudget) -> list[tuple[str, str]]:
    """Return (style name, text) of each paragraph, checking the clock between them.

    Style names are cached by style id: python-docx looks a paragraph's style up in
    styles.xml each time (~2 ms), which made a 20,000-paragraph file take a minute.
    """
    names: dict[str | None, str] = {}
    paragraphs: list[tuple[str, str]] = []
    for paragraph in document.paragraphs:
        budget.tick()
        style_id = paragraph._p.style  # the id p.style resolves; same id, same style
        if style_id not in names:
            style = paragraph.style
            names[style_id] = style.name if style is not None else ""
        paragraphs.append((names[style_id], _clean(paragraph.text).strip()))
    return paragraphs


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "no details"


def _document(
    path: Path, data: bytes, meta: DocumentMeta, sections: list[Section]
) -> LoadedDocument:
    # Last line of defence for every format: a damaged PDF or crafted markup can still
    # smuggle control characters (NUL...) into extracted text or the title.
    sections = [
        replace(s, text=_clean(s.text).strip()) for s in sections if _clean(s.text).strip()
    ]
    if not sections:
        raise IngestError(path, "no text to index")
    if _CONTROL_CHARS.search(meta.title):
        meta = replace(meta, title=_clean(meta.title).strip() or path.stem)
    return LoadedDocument(
        meta=meta,
        sections=tuple(sections),
        content_hash=hashlib.sha256(data).hexdigest(),
        path=str(path),
    )


_LOADERS: dict[str, Callable[[Path, bytes, FileBudget], LoadedDocument]] = {
    ".md": _load_text,
    ".markdown": _load_text,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".rst": _load_rst,
    ".rest": _load_rst,
    ".odt": _load_odt,
}
SUPPORTED_SUFFIXES = frozenset(_LOADERS)
