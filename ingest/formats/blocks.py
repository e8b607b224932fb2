"""Blocks shared by the structured-format readers (reStructuredText, OpenDocument, HTML).

A reader turns its format into an ordered list of :class:`Block`: headings, and text
blocks (a paragraph, a whole list with its markers, a table as Markdown rows). The loader
then turns blocks into sections whose locator is the innermost heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.tables import split_table as split_table_rows

__all__ = ["TABLE_PIECE_CHARS", "Block", "list_marker", "markdown_table", "split_table"]

# A table longer than this is cut into pieces of whole rows, each under its header row, so
# every chunk of a table can be read alone (below the default chunk size).
TABLE_PIECE_CHARS = 900


@dataclass(frozen=True)
class Block:
    """A heading (``level`` 1 = top) or a text block (``level`` 0)."""

    text: str
    level: int = 0

    @property
    def is_heading(self) -> bool:
        """Whether the block is a heading."""
        return self.level > 0


_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def _roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _alpha(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def list_marker(number: int, style: str, prefix: str = "", suffix: str = ".") -> str:
    """Render an ordered-list marker as printed: ``1.``, ``(a)``, ``iv)``, ``B.``.

    ``style`` is one of ``1 a A i I`` (HTML and OpenDocument) or docutils' enumtype names.
    """
    style = {
        "arabic": "1",
        "loweralpha": "a",
        "upperalpha": "A",
        "lowerroman": "i",
        "upperroman": "I",
    }.get(style, style)
    number = max(number, 1)
    if style == "a":
        label = _alpha(number)
    elif style == "A":
        label = _alpha(number).upper()
    elif style == "i":
        label = _roman(number)
    elif style == "I":
        label = _roman(number).upper()
    else:
        label = str(number)
    return f"{prefix}{label}{suffix}"


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().replace("|", "\\|")


def markdown_table(rows: Sequence[Sequence[str]], header_rows: int = 1) -> str:
    """Render rows of cells as Markdown table rows (header, separator, body).

    A table without a header row gets its first row as header, as Markdown needs one.
    """
    rows = [list(r) for r in rows if any(c.strip() for c in r)]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [[_cell(c) for c in r] + [""] * (width - len(r)) for r in rows]
    head = max(1, min(header_rows, len(rows)))
    lines = ["| " + " | ".join(r) + " |" for r in rows[:head]]
    lines.append("|" + "|".join([" --- "] * width) + "|")
    lines.extend("| " + " | ".join(r) + " |" for r in rows[head:])
    return "\n".join(lines)


def split_table(markdown: str, limit: int = TABLE_PIECE_CHARS) -> list[str]:
    """Cut a Markdown table into pieces of whole rows, each repeating the header rows."""
    lines = markdown.split("\n")
    if len(markdown) <= limit or len(lines) < 4 or not lines[1].startswith("| ---"):
        return [markdown]
    return split_table_rows(markdown, limit)
