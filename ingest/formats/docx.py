"""Word documents: paragraph styles give the headings; a decision is parsed into paragraphs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.decisions import looks_like_decision, parse_decision
from ingest.formats.blocks import Block
from ingest.formats.common import first_line, metadata, structured
from ingest.formats.text_codec import clean
from ingest.limits import FileBudget
from ingest.metadata import is_meaningful_title

__all__ = ["SUFFIXES", "load"]

SUFFIXES = (".docx",)


def load(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Load a Word document (its zip was checked before this is called)."""
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
        raise IngestError(path, f"not a valid DOCX ({type(e).__name__}: {first_line(e)})") from e
    full = "\n".join(text for _, text in paragraphs)
    if not full.strip():
        raise IngestError(path, "DOCX has no text")
    if looks_like_decision(full):
        meta = metadata(path, {}, full, title=title)
        return document(path, data, meta, parse_decision(full))
    blocks = [
        Block(text, 1 if style.lower().startswith(("heading", "title")) else 0)
        for style, text in paragraphs
        if text
    ]
    return structured(path, data, budget, title, blocks)


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
        paragraphs.append((names[style_id], clean(paragraph.text).strip()))
    return paragraphs
