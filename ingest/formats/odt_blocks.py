"""Read OpenDocument text (``.odt``): headings, paragraphs, numbered lists and tables.

An ODT file is a zip of XML parts; the caller checks the zip's directory against the
limits first (:func:`ingest.limits.check_zip`). The XML is parsed with defusedxml, so
entity expansion and external references in a crafted file are refused. Footnote bodies
are kept out of the text they annotate; list numbers are rendered as the list style
prints them (``1.``, ``(a)``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from ingest.formats.blocks import Block, list_marker, markdown_table

__all__ = ["OdtError", "odt_blocks"]

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


class OdtError(ValueError):
    """The file is not a readable OpenDocument text."""


def odt_blocks(data: bytes) -> tuple[str, list[Block]]:
    """Return the embedded title (``dc:title``, may be empty) and the document's blocks."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and not archive.read("mimetype").startswith(_MIMETYPE):
                kind = archive.read("mimetype")[:80].decode("ascii", "replace")
                raise OdtError(f"an OpenDocument file of another type ({kind}), not text")
            if "content.xml" not in names:
                raise OdtError("not an OpenDocument text (no content.xml)")
            content = fromstring(archive.read("content.xml"))
            styles = fromstring(archive.read("styles.xml")) if "styles.xml" in names else None
            meta = fromstring(archive.read("meta.xml")) if "meta.xml" in names else None
    except OdtError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ParseError, DefusedXmlException) as e:
        raise OdtError(f"not a valid OpenDocument text ({type(e).__name__})") from e
    except (KeyError, ValueError, OSError, EOFError, NotImplementedError) as e:
        raise OdtError(f"not a valid OpenDocument text ({type(e).__name__})") from e
    title = ""
    if meta is not None:
        node = meta.find(f".//{_q('dc:title')}")
        title = " ".join((node.text or "").split()) if node is not None else ""
    body = content.find(f"{_q('office:body')}/{_q('office:text')}")
    if body is None:
        raise OdtError("not an OpenDocument text (no text body)")
    reader = _Reader(_list_styles(content, styles))
    return title, list(reader.blocks(body))


def _list_styles(*roots: Any) -> dict[str, dict[int, tuple[str, str, str]]]:
    """Numbered list styles: name → level → (format, prefix, suffix)."""
    found: dict[str, dict[int, tuple[str, str, str]]] = {}
    for root in roots:
        if root is None:
            continue
        for style in root.iter(_q("text:list-style")):
            levels: dict[int, tuple[str, str, str]] = {}
            for level in style.findall(_q("text:list-level-style-number")):
                fmt = level.get(_q("style:num-format"), "1") or ""
                if fmt:
                    prefix = level.get(_q("style:num-prefix"), "")
                    suffix = level.get(_q("style:num-suffix"), ".")
                    levels[int(level.get(_q("text:level"), "1"))] = (fmt, prefix, suffix)
            found[style.get(_q("style:name"), "")] = levels
    return found


class _Reader:
    """Walk ``office:text`` into blocks."""

    def __init__(self, list_styles: dict[str, dict[int, tuple[str, str, str]]]) -> None:
        self.list_styles = list_styles

    def blocks(self, node: Any) -> Iterator[Block]:
        """Blocks of a container (the body, a section, a table cell)."""
        for child in node:
            tag = child.tag
            if tag == _q("text:h"):
                text = self.inline(child)
                if text:
                    level = int(child.get(_q("text:outline-level"), "1") or 1)
                    yield Block(text, max(1, level))
            elif tag == _q("text:p"):
                text = self.inline(child)
                if text:
                    yield Block(text)
            elif tag == _q("text:list"):
                text = "\n".join(self.list_lines(child, child.get(_q("text:style-name"), ""), 1))
                if text.strip():
                    yield Block(text)
            elif tag == _q("table:table"):
                text = self.table(child)
                if text:
                    yield Block(text)
            elif tag in (_q("text:section"), _q("text:index-body")):
                yield from self.blocks(child)

    def inline(self, node: Any) -> str:
        """Return the words of a paragraph: spans, links, spaces and breaks; no footnote bodies."""
        parts: list[str] = [node.text or ""]
        for child in node:
            tag = child.tag
            if tag == _q("text:s"):
                parts.append(" " * int(child.get(_q("text:c"), "1") or 1))
            elif tag in (_q("text:tab"), _q("text:line-break")):
                parts.append(" ")
            elif tag not in (_q("text:note"), _q("office:annotation")):
                parts.append(self.inline(child))
            parts.append(child.tail or "")
        return " ".join("".join(parts).split())

    def list_lines(self, node: Any, style: str, depth: int) -> Iterator[str]:
        """Lines of a list, numbered as its style numbers them, nested items indented."""
        numbering = self.list_styles.get(style, {}).get(depth)
        number = 0
        for item in node.findall(_q("text:list-item")):
            number = int(item.get(_q("text:start-value"), number + 1) or number + 1)
            marker = list_marker(number, *numbering) if numbering else "-"
            words: list[str] = []
            nested: list[str] = []
            for part in item:
                if part.tag == _q("text:list"):
                    nested.extend(
                        self.list_lines(part, part.get(_q("text:style-name"), style), depth + 1)
                    )
                elif part.tag in (_q("text:p"), _q("text:h")):
                    words.append(self.inline(part))
            yield "  " * (depth - 1) + f"{marker} {' '.join(w for w in words if w)}".rstrip()
            yield from nested

    def table(self, node: Any) -> str:
        """Render a table as Markdown rows (header rows first)."""
        rows: list[list[str]] = []
        header = 0
        for part in node:
            in_header = part.tag == _q("table:table-header-rows")
            row_nodes = (
                part.findall(_q("table:table-row")) if part.tag != _q("table:table-row") else [part]
            )
            if part.tag not in (
                _q("table:table-header-rows"),
                _q("table:table-rows"),
                _q("table:table-row"),
            ):
                continue
            for row in row_nodes:
                cells = [
                    " ".join(b.text for b in self.blocks(cell))
                    for cell in row
                    if cell.tag == _q("table:table-cell")
                ]
                rows.append(cells)
                header += in_header
        return markdown_table(rows, header_rows=header or 1)
