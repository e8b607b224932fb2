"""Load files into documents with sections and locators, one function per format.

Every loader returns a :class:`LoadedDocument` or raises :class:`IngestError` with a
one-line reason a user can act on (empty, binary, encrypted, no text layer...).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import IngestError
from assistant.language import detect_language
from assistant.records import KINDS, DocumentMeta, LoadedDocument, Section
from ingest.decisions import find_decision_heading, looks_like_decision, parse_decision

__all__ = ["SUPPORTED_SUFFIXES", "load_document", "slugify"]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_LANG_CODE = re.compile(r"^[a-z]{2}$")
_META_FIELDS = set(DocumentMeta.__dataclass_fields__)
_HTML_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_HTML_BLOCKS = [*_HTML_HEADINGS, "p", "li", "td", "th", "pre", "blockquote", "div", "dd", "dt",
                "figcaption", "section", "article", "main", "caption", "address"]


def slugify(text: str) -> str:
    """Turn a file name or title into a stable lowercase id."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "document"


def load_document(path: Path) -> LoadedDocument:
    """Load one file of a supported type into a document with sections."""
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
    return loader(path, data)


# --- text formats ------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "binary content, not text (wrong extension?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Legacy encodings: GB18030 decodes many Latin-1 byte pairs too, so it wins only
    # when most letters come out Chinese; otherwise Windows-1252, then Latin-1.
    try:
        chinese = data.decode("gb18030")
        letters = [c for c in chinese if c.isalpha()]
        cjk = sum(1 for c in letters if "\u3400" <= c <= "\u9fff")
        if letters and cjk / len(letters) > 0.5:
            return chinese
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as e:
        reason = str(e).splitlines()[0]
        raise IngestError(path, f"front matter is not valid YAML ({reason})") from e
    if not isinstance(data, dict):
        raise IngestError(path, "front matter must be a YAML mapping of field: value")
    return data, text[match.end() :]


def _metadata(path: Path, fields: dict[str, Any], body: str, title: str = "") -> DocumentMeta:
    """Validate front matter fields and fill what is missing from the file itself."""
    known = {k: v for k, v in fields.items() if k in _META_FIELDS and v is not None}
    heading = find_decision_heading(body) if looks_like_decision(body) or known.get("kind") == "decision" else None
    kind = str(known.get("kind") or ("decision" if heading else "other"))
    if kind not in KINDS:
        raise IngestError(path, f"unknown kind '{kind}' (expected one of {', '.join(KINDS)})")
    language = str(known.get("language") or detect_language(body[:5000]))
    if not _LANG_CODE.match(language):
        raise IngestError(path, f"language '{language}' is not an ISO 639-1 code such as 'en'")
    symbol = str(known.get("symbol") or (heading.symbol if heading else ""))
    if "doc_id" in known:
        doc_id = str(known["doc_id"])
    elif heading and kind == "decision":
        doc_id = f"cbd-dec-{slugify(heading.symbol)}-{language}"
    else:
        doc_id = slugify(path.stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", doc_id):
        raise IngestError(path, f"doc_id '{doc_id}' must be lowercase letters, digits, '-', '.'")
    year = known.get("year")
    if year is not None:
        try:
            year = int(year)
        except (TypeError, ValueError) as e:
            raise IngestError(path, f"year '{year}' is not a number") from e
    doc_title = str(
        known.get("title") or title or (heading.title if heading else "") or path.stem
    )
    return DocumentMeta(
        doc_id=doc_id,
        title=doc_title,
        kind=kind,
        language=language,
        symbol=symbol,
        year=year,
        source=str(known.get("source", "")),
        translation_of=str(known.get("translation_of", "")),
        region=str(known.get("region", "")),
        country=str(known.get("country", "")),
        ecosystem=str(known.get("ecosystem", "")),
    )


def _paragraph_sections(text: str, locator: str) -> list[Section]:
    """Sections of plain text: blank-line separated paragraphs under one locator."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [Section(text=p, locator=locator, heading=locator) for p in paragraphs]


def _markdown_sections(body: str, title: str) -> tuple[str, list[Section]]:
    """Split Markdown by headings; the innermost heading is the locator."""
    sections: list[Section] = []
    doc_title = ""
    locator = title
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        buffer.clear()
        if text:
            for part in re.split(r"\n\s*\n", text):
                if part.strip():
                    sections.append(Section(text=part.strip(), locator=locator, heading=locator))

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


def _load_text(path: Path, data: bytes) -> LoadedDocument:
    text = _decode(path, data)
    fields, body = _split_front_matter(path, text)
    if not body.strip():
        raise IngestError(path, "no text after the front matter")
    is_markdown = path.suffix.lower() in {".md", ".markdown"}
    if fields.get("kind") == "decision" or (not fields.get("kind") and looks_like_decision(body)):
        meta = _metadata(path, fields, body)
        sections = parse_decision(body)
        if not sections:
            raise IngestError(
                path, "marked as a decision but no paragraphs were found (see corpus/README.md)"
            )
    elif is_markdown:
        md_title, sections = _markdown_sections(body, fields.get("title") or path.stem)
        meta = _metadata(path, fields, body, title=md_title)
        sections = [s if s.locator else Section(s.text, meta.title) for s in sections]
    else:
        meta = _metadata(path, fields, body)
        sections = _paragraph_sections(body, meta.title)
    return _document(path, data, meta, sections)


# --- rich formats ------------------------------------------------------------------------


def _load_html(path: Path, data: bytes) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(path, data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "object"]):
        tag.decompose()
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    sections: list[Section] = []
    locator = title or path.stem
    root = soup.body or soup
    for element in root.find_all(_HTML_BLOCKS):
        if element.find(_HTML_BLOCKS):
            continue  # only leaf blocks, so no text is read twice or skipped
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name in _HTML_HEADINGS:
            locator = text
            title = title or text
        else:
            sections.append(Section(text=text, locator=locator, heading=locator))
    if not sections:
        raise IngestError(path, "no readable text in the HTML (only markup or scripts)")
    meta = _metadata(path, {}, "\n".join(s.text for s in sections), title=title)
    return _document(path, data, meta, sections)


def _load_pdf(path: Path, data: bytes) -> LoadedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "encrypted PDF: remove the password and ingest again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise IngestError(path, f"not a readable PDF ({type(e).__name__}: {e})") from e
    except Exception as e:  # noqa: BLE001 - pypdf raises bare errors on hostile files
        if type(e).__module__.startswith("pypdf") or "crypt" in str(e).lower():
            raise IngestError(path, f"not a readable PDF ({e})") from e
        raise
    if not any(p.strip() for p in pages):
        raise IngestError(path, "PDF has no text layer (scanned?); run OCR first")
    info_title = ""
    try:
        info_title = (reader.metadata.title or "") if reader.metadata else ""
    except (PdfReadError, ValueError, KeyError, TypeError):
        info_title = ""
    full = "\n".join(pages)
    if looks_like_decision(full):
        meta = _metadata(path, {}, full, title=info_title)
        sections = parse_decision(full)
    else:
        meta = _metadata(path, {}, full, title=info_title)
        sections = []
        for number, text in enumerate(pages, start=1):
            for part in _paragraph_sections(text, f"p. {number}"):
                sections.append(Section(part.text, part.locator, page=number))
    return _document(path, data, meta, sections)


def _load_docx(path: Path, data: bytes) -> LoadedDocument:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise IngestError(path, "not a valid DOCX (corrupt, or not a Word file)") from e
    except Exception as e:  # noqa: BLE001 - lxml raises its own errors on junk XML
        if type(e).__module__.startswith(("lxml", "docx")):
            raise IngestError(path, f"not a valid DOCX ({type(e).__name__})") from e
        raise
    title = (document.core_properties.title or "").strip()
    paragraphs = [(p.style.name if p.style is not None else "", p.text.strip()) for p in document.paragraphs]
    full = "\n".join(text for _, text in paragraphs)
    if not full.strip():
        raise IngestError(path, "DOCX has no text")
    if looks_like_decision(full):
        meta = _metadata(path, {}, full, title=title)
        return _document(path, data, meta, parse_decision(full))
    sections: list[Section] = []
    locator = title or path.stem
    for style, text in paragraphs:
        if not text:
            continue
        if style.lower().startswith(("heading", "title")):
            locator = text
            title = title or text
        else:
            sections.append(Section(text=text, locator=locator, heading=locator))
    meta = _metadata(path, {}, full, title=title)
    return _document(path, data, meta, sections)


def _document(
    path: Path, data: bytes, meta: DocumentMeta, sections: list[Section]
) -> LoadedDocument:
    if not sections:
        raise IngestError(path, "no text to index")
    return LoadedDocument(
        meta=meta,
        sections=tuple(sections),
        content_hash=hashlib.sha256(data).hexdigest(),
        path=str(path),
    )


_LOADERS: dict[str, Callable[[Path, bytes], LoadedDocument]] = {
    ".md": _load_text,
    ".markdown": _load_text,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
}
SUPPORTED_SUFFIXES = frozenset(_LOADERS)
