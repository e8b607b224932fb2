"""Load files into documents with sections and locators, one function per format.

Every loader returns a :class:`LoadedDocument` or raises :class:`IngestError` with a
one-line reason a user can act on (empty, binary, encrypted, no text layer...).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import IngestError
from assistant.language import detect_language
from assistant.records import KINDS, DocumentMeta, LoadedDocument, Section
from ingest.decisions import find_decision_heading, looks_like_decision, parse_decision
from ingest.limits import ZIP_CONTAINERS, FileBudget, FileLimits, check_zip

__all__ = ["SUPPORTED_SUFFIXES", "FileLimits", "load_document", "slugify"]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?", re.DOTALL)
# "---" then "field: value" lines with no closing "---": a front matter block cut short.
_UNCLOSED_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n[A-Za-z_][\w-]*[ \t]*:")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_LANG_CODE = re.compile(r"^[a-z]{2}$")
_META_FIELDS = set(DocumentMeta.__dataclass_fields__)
_HTML_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_HTML_BLOCKS = [*_HTML_HEADINGS, "p", "li", "td", "th", "pre", "blockquote", "div", "dd", "dt",
                "figcaption", "section", "article", "main", "caption", "address"]


def slugify(text: str) -> str:
    """Turn a file name or title into a stable lowercase id (accents folded: é → e)."""
    slug = re.sub(r"[^a-z0-9]+", "-", _fold(text).lower()).strip("-")
    return slug or "document"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _doc_id_from_name(stem: str) -> str:
    """Derive a doc_id from a file name; names in scripts a slug cannot spell stay distinct.

    ``恢复指南.md`` and ``退化原因.md`` would both slug to nothing, so a short hash of the
    name is added whenever letters were dropped.
    """
    slug = slugify(stem)
    if not any(ord(c) > 0x7F and c.isalnum() for c in _fold(stem)):
        return slug
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    return f"doc-{digest}" if slug == "document" else f"{slug}-{digest}"


def load_document(path: Path, limits: FileLimits | None = None) -> LoadedDocument:
    """Load one file of a supported type into a document with sections.

    ``limits`` bound the work one file may cost (see :mod:`ingest.limits`); callers
    that pass none get the defaults, so no caller loads a file unbounded.
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
    document = loader(path, data, budget)
    # Decision parsing and one-call parsers (lxml, html.parser) are not interrupted
    # midway: their result is checked here, before any chunk is made or embedded.
    budget.tick()
    budget.check_sections(len(document.sections))
    return document


# --- text formats ------------------------------------------------------------------------


_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# C0 controls other than tab, newline, vertical tab, form feed and carriage return, and DEL:
# text in any encoding read here has (almost) none of these bytes, binary data has many.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_RATIO = 0.01
_BINARY_MIN = 8  # a short note with a stray NUL or two is still text
_BAD_UTF8_RATIO = 0.1


def _decode(path: Path, data: bytes) -> str:
    """Decode text in any encoding seen in practice, with Unix newlines.

    Stray control characters (a few NUL bytes in an otherwise good file) are dropped;
    a file with many of them is binary and refused.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _clean(data.decode(encoding))
            except UnicodeDecodeError as e:
                raise IngestError(path, f"starts with a {encoding} mark but is not {encoding} text") from e
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(_BINARY_MIN, _BINARY_RATIO * len(sample)):
        raise IngestError(path, "binary content, not text (wrong extension?)")
    return _clean(_decode_legacy(data))


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    return _CONTROL_CHARS.sub("", text)


def _decode_legacy(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken bytes (a truncated copy, one bad edit): keep the
    # text and drop the broken bytes rather than misreading every character as Latin-1.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    wide = sum(1 for c in lenient if c > "\x7f") - broken
    if wide > 0 and broken <= _BAD_UTF8_RATIO * wide:
        return lenient.replace("\ufffd", "")
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
        if _UNCLOSED_FRONT_MATTER.match(text):
            raise IngestError(path, "front matter opened with '---' is never closed by a '---' line")
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
    for name, value in known.items():
        if isinstance(value, list | dict | set | bool) and name != "year":
            kind_of = "true/false" if isinstance(value, bool) else f"a {type(value).__name__}"
            raise IngestError(path, f"front matter field '{name}' must be text, not {kind_of}")
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
        doc_id = _doc_id_from_name(path.stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", doc_id):
        raise IngestError(path, f"doc_id '{doc_id}' must be lowercase letters, digits, '-', '.'")
    year = known.get("year")
    if year is not None:
        year = _year(path, year)
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


def _year(path: Path, value: Any) -> int:
    """Read a four-digit year from front matter (``2012`` or ``"2012"``)."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{4}", text):
        raise IngestError(path, f"year '{value}' is not a four-digit year such as 2012")
    return int(text)


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
    if fields.get("kind") == "decision" or (not fields.get("kind") and looks_like_decision(body)):
        meta = _metadata(path, fields, body)
        sections = parse_decision(body)
        if not sections:
            raise IngestError(
                path, "marked as a decision but no paragraphs were found (see corpus/README.md)"
            )
    elif is_markdown:
        md_title, sections = _markdown_sections(body, fields.get("title") or path.stem, budget)
        meta = _metadata(path, fields, body, title=md_title)
        sections = [s if s.locator else Section(s.text, meta.title) for s in sections]
    else:
        meta = _metadata(path, fields, body)
        sections = _paragraph_sections(body, meta.title, budget)
    return _document(path, data, meta, sections)


# --- rich formats ------------------------------------------------------------------------


def _load_html(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(path, data), "html.parser")
    budget.tick()
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
            budget.tick()
        else:
            budget.add_section()
            sections.append(Section(text=text, locator=locator, heading=locator))
    if not sections:
        raise IngestError(path, "no readable text in the HTML (only markup or scripts)")
    meta = _metadata(path, {}, "\n".join(s.text for s in sections), title=title)
    return _document(path, data, meta, sections)


def _load_pdf(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    # pypdf logs every repair it makes to a damaged file; the one-line reason is enough.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    if b"%PDF-" not in data[:1024]:
        raise IngestError(path, "not a PDF file (no %PDF header; wrong extension?)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "encrypted PDF: remove the password and ingest again")
        budget.check_pages(len(reader.pages))  # before any page's text is extracted
        pages = []
        for page in reader.pages:
            budget.tick()
            pages.append(_clean(page.extract_text() or ""))
    except IngestError:
        raise
    except DependencyError as e:  # AES encryption without the optional crypto package
        raise IngestError(
            path, "encrypted PDF (AES) that cannot be opened here: remove the password and ingest again"
        ) from e
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise IngestError(path, f"not a readable PDF ({type(e).__name__}: {_first_line(e)})") from e
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - a damaged PDF makes pypdf raise anything
        # (IndexError, RecursionError, its own errors...): it is a fact about the file,
        # reported with its type and message, and must not stop the rest of the batch.
        raise IngestError(path, f"not a readable PDF ({type(e).__name__}: {_first_line(e)})") from e
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
            for part in _paragraph_sections(text, f"p. {number}", budget):
                sections.append(Section(part.text, part.locator, page=number))
    return _document(path, data, meta, sections)


def _load_docx(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))  # load_document checked the zip first
        title = (document.core_properties.title or "").strip()
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
    sections: list[Section] = []
    locator = title or path.stem
    for style, text in paragraphs:
        if not text:
            continue
        if style.lower().startswith(("heading", "title")):
            locator = text
            title = title or text
        else:
            budget.add_section()
            sections.append(Section(text=text, locator=locator, heading=locator))
    meta = _metadata(path, {}, full, title=title)
    return _document(path, data, meta, sections)


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
}
SUPPORTED_SUFFIXES = frozenset(_LOADERS)
