"""Read reStructuredText with docutils: sections become headings, lists keep their markers.

Manuals written for Sphinx use directives and roles docutils does not know
(``.. youtube::``, ``:ref:``, ``:guilabel:``). Their markup must not leak into passages:
unknown directives are dropped with docutils' error messages, and an unknown role keeps
only the words a reader sees (``:ref:`label``` becomes the title of the section it names).
File inclusion and raw output are disabled, so a document cannot pull in other files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from ingest.formats.blocks import Block, list_marker, markdown_table

__all__ = ["RstError", "rst_blocks"]

_SETTINGS = {
    "report_level": 5,  # keep every message out of stderr
    "halt_level": 5,  # never stop on an error: a bad directive must not lose the document
    "file_insertion_enabled": False,  # no `.. include::` or `:file:` reading the disk
    "raw_enabled": False,
    "_disable_config": True,  # no docutils.conf from the working folder
    "smart_quotes": False,
    "syntax_highlight": "none",
    "traceback": True,  # raise instead of exiting the process
}
_ROLE = re.compile(r"\A:(?P<role>[\w.+:-]+):`(?P<text>.*)`\Z", re.DOTALL)
_TARGETED = re.compile(r"\A(?P<label>.*?)\s*<(?P<target>[^<>]+)>\Z", re.DOTALL)
_SILENT_ROLES = frozenset({"icon", "fa", "raw", "index"})  # markup with no words to read
_SKIP = frozenset(
    {
        "comment",
        "target",
        "substitution_definition",
        "image",
        "raw",
        "pending",
        "system_message",
        "transition",
        "meta",
        "title",
        "subtitle",
        "footnote_reference",
        "citation_reference",
        "decoration",
        "colspec",
    }
)


class RstError(ValueError):
    """The text could not be parsed as reStructuredText."""


def rst_blocks(text: str) -> tuple[str, list[Block]]:
    """Return the document title and its blocks (headings, paragraphs, lists, tables)."""
    from docutils.core import publish_doctree

    try:
        doctree = publish_doctree(
            text, settings_overrides={**_SETTINGS, "warning_stream": io.StringIO()}
        )
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - docutils raises its own and parser errors
        raise RstError(f"not valid reStructuredText ({type(e).__name__})") from e
    reader = _Reader(doctree)
    title = " ".join(str(doctree.get("title", "")).split())
    return title, list(reader.blocks(doctree, level=1))


class _Holder:
    """A stand-in container, so one node is read as a container's only child."""

    tagname = "holder"

    def __init__(self, children: list[object]) -> None:
        self.children = children


class _Reader:
    """Walk a doctree into blocks; knows the document's section titles to resolve ``:ref:``."""

    def __init__(self, doctree: object) -> None:
        self.titles: dict[str, str] = {}
        for name, node_id in getattr(doctree, "nameids", {}).items():
            node = getattr(doctree, "ids", {}).get(node_id) if node_id else None
            if node is not None and node.tagname == "section" and node.children:
                self.titles[name] = node.children[0].astext()

    def blocks(self, node: object, level: int) -> Iterator[Block]:
        """Yield the blocks of a container node (document, section, admonition...)."""
        for child in getattr(node, "children", ()):
            tag = child.tagname
            if tag in _SKIP:
                continue
            if tag == "section":
                heading = self.inline(child.children[0]) if child.children else ""
                if heading:
                    yield Block(heading, level)
                yield from self.blocks(child, level + 1)
            elif tag in ("paragraph", "line", "rubric", "attribution", "caption", "legend"):
                text = self.inline(child)
                if text:
                    yield Block(text)
            elif tag in ("bullet_list", "enumerated_list"):
                text = "\n".join(self.list_lines(child, 0))
                if text.strip():
                    yield Block(text)
            elif tag == "table":
                text = self.table(child)
                if text:
                    yield Block(text)
            elif tag in ("literal_block", "math_block", "doctest_block"):
                if child.astext().strip():
                    yield Block(child.astext())
            elif tag in ("definition_list", "field_list", "option_list"):
                text = "\n".join(self.pairs(child))
                if text:
                    yield Block(text)
            else:  # block_quote, admonitions, topic, container, figure, line_block, footnote...
                yield from self.framed(child, level)

    def framed(self, node: object, level: int) -> Iterator[Block]:
        """Read a container: its title (an admonition's kind) leads its first block."""
        label = ""
        first = node.children[0] if getattr(node, "children", None) else None
        if first is not None and first.tagname == "title":
            label = self.inline(first)
        elif node.tagname in (
            "note",
            "tip",
            "attention",
            "important",
            "warning",
            "caution",
            "danger",
            "error",
            "hint",
            "seealso",
        ):
            label = node.tagname.replace("seealso", "see also").capitalize()
        if (
            node.tagname in ("footnote", "citation")
            and first is not None
            and first.tagname == "label"
        ):
            label = f"[{first.astext()}]"
        inner = list(self.blocks(node, level))
        if label and inner and not inner[0].is_heading:
            sep = " " if label.startswith("[") else ": "
            inner[0] = Block(f"{label}{sep}{inner[0].text}")
        yield from inner

    def inline(self, node: object) -> str:
        """Return the words of an inline container, roles resolved, markup and images dropped."""
        parts: list[str] = []
        for child in getattr(node, "children", ()):
            tag = child.tagname
            if tag == "#text":
                parts.append(str(child))
            elif tag == "problematic":
                parts.append(self.role_text(child.astext()))
            elif tag in _SKIP or tag in ("system_message", "label"):
                continue
            else:
                parts.append(self.inline(child))
        return " ".join("".join(parts).split())

    def role_text(self, raw: str) -> str:
        """``:ref:`label``` → the section title it names; ``:guilabel:`Run``` → ``Run``."""
        match = _ROLE.match(raw.strip())
        if not match:
            return raw
        role, text = match.group("role"), match.group("text")
        if role.split(":")[-1] in _SILENT_ROLES:
            return ""
        targeted = _TARGETED.match(text)
        if targeted and targeted.group("label"):
            return targeted.group("label")
        target = targeted.group("target") if targeted else text
        return self.titles.get(target.lower(), self.titles.get(target, target.lstrip("~!")))

    def list_lines(self, node: object, depth: int) -> Iterator[str]:
        """Lines of a list: each item with its marker as written (``1.``, ``(a)``, ``-``)."""
        ordered = node.tagname == "enumerated_list"
        start = int(node.get("start", 1))
        style = node.get("enumtype", "arabic")
        prefix, suffix = node.get("prefix", ""), node.get("suffix", ".")
        for index, item in enumerate(c for c in node.children if c.tagname == "list_item"):
            marker = list_marker(start + index, style, prefix, suffix) if ordered else "-"
            words: list[str] = []
            nested: list[str] = []
            for part in item.children:
                if part.tagname in ("bullet_list", "enumerated_list"):
                    nested.extend(self.list_lines(part, depth + 1))
                elif part.tagname not in _SKIP:
                    words.append(" ".join(b.text for b in self.blocks_of(part)))
            text = " ".join(w for w in words if w)
            yield "  " * depth + f"{marker} {text}".rstrip()
            yield from nested

    def blocks_of(self, node: object) -> list[Block]:
        """Blocks of one node as if it were a container's only child."""
        return list(self.blocks(_Holder([node]), level=9))

    def pairs(self, node: object) -> Iterator[str]:
        """``term: definition`` lines of definition, field and option lists."""
        for item in node.children:
            if len(item.children) < 2:
                continue
            term = self.inline(item.children[0])
            body = " ".join(b.text for p in item.children[1:] for b in self.blocks_of(p))
            yield f"{term}: {body}".strip()

    def table(self, node: object) -> str:
        """Render a table as Markdown rows; header rows first."""
        rows: list[list[str]] = []
        header = 0
        for group in (c for c in node.children if c.tagname == "tgroup"):
            for part in group.children:
                if part.tagname not in ("thead", "tbody"):
                    continue
                for row in part.children:
                    cells = [
                        " ".join(b.text for c in e.children for b in self.blocks_of(c))
                        for e in row.children
                        if e.tagname == "entry"
                    ]
                    rows.append(cells)
                    header += part.tagname == "thead"
        return markdown_table(rows, header_rows=header or 1)
