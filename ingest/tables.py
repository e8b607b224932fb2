"""Tables as a reader reads them.

A header only when the first row labels columns, rows carried over a page break joined
again, and long tables cut into pieces that each say where they stand.

Used by every format that finds tables (PDF, HTML, OpenDocument, reStructuredText);
pure functions over rows of cells and their Markdown rendering.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.language.references import LOCATOR_WORDS, table_cells

__all__ = [
    "Rows",
    "TablePiece",
    "Tables",
    "is_header",
    "is_markdown_table",
    "join_continued",
    "markdown_rows",
    "split_table",
    "table_pieces",
]

Rows = tuple[tuple[str, ...], ...]

# A column label is short ("Goal/target", "Optional disaggregations"); a first row with
# a long or empty cell is data, and the table has no header row.
_LABEL_CHARS = 60
# A row that opens a group of rows: only its first cell filled, led by a numbered name
# ("Target 22: Ensure …", "Goal A: …", "Section 3. …"). Pieces cut after it carry the name.
_GROUP = re.compile(r"^([A-Z][\w-]{1,20}\s+(?:\d{1,3}(?:\.\d{1,3})?|[A-Z]))\s*[:.–—-]\s")
_RULE = re.compile(r"^\|\s*:?-{3}")
# A first column headed by a locator word ("Goal/target") numbers the rows' groups: a row
# whose first cell is "22" opens Target 22.
_LOCATOR_WORD = re.compile(rf"\b(?:{LOCATOR_WORDS})\b", re.IGNORECASE)
_ROW_NUMBER = re.compile(r"\d{1,3}")


def is_header(row: Sequence[str]) -> bool:
    """Whether a first row labels the columns: every cell filled, none longer than a label."""
    return len(row) >= 2 and all(c.strip() and len(c) <= _LABEL_CHARS for c in row)


def is_markdown_table(text: str) -> bool:
    """Whether ``text`` is a Markdown table: a row, the rule row, and at least one more."""
    lines = text.split("\n", 3)
    return len(lines) >= 3 and lines[0].startswith("|") and bool(_RULE.match(lines[1]))


def markdown_rows(rows: Rows) -> str:
    """Render rows as a Markdown table; without a header row, an empty one (Markdown needs it)."""
    width = max(len(r) for r in rows)
    header, body = (rows[0], rows[1:]) if is_header(rows[0]) else (("",) * width, rows)

    def render(row: Sequence[str]) -> str:
        cells = [c.replace("|", "\\|") for c in row] + [""] * (width - len(row))
        return "| " + " | ".join(cells) + " |"

    return "\n".join([render(header), "|" + "---|" * width, *(render(r) for r in body)])


def join_continued(previous: Rows, following: Rows, *, same_columns: bool = False) -> tuple[Rows, Rows]:
    """Join a table carried over a page break to its start; return both parts mended.

    The part on the next page may repeat the header row (kept: each part is read alone)
    and then open with the rest of the row the page break cut: a row whose first cell is
    empty, which is put back into the last row before the break. A part that does not
    repeat the header is given it, as a reader carries the column labels over the page. A
    part left with no row but its header is returned empty. Tables of different widths are
    left alone, and so is a part whose first row reads as a header of its own (labels
    only), unless it is ruled in the very same columns (``same_columns``): then it is a row
    of short cells of the same table.
    """
    if not previous or not following or len(previous[0]) != len(following[0]):
        return previous, following
    if is_header(following[0]) and following[0] != previous[0] and not same_columns:
        return previous, following
    labelled = is_header(previous[0])
    head = following[:1] if following[0] == previous[0] and labelled else ()
    body = following[len(head) :]
    if body and len(previous) > 1 and not body[0][0].strip() and any(body[0]):
        cells = zip(previous[-1], body[0], strict=True)
        merged = tuple(" ".join(c for c in pair if c.strip()) for pair in cells)
        previous, body = (*previous[:-1], merged), body[1:]
    if body and labelled and not head:
        head = previous[:1]
    return previous, (*head, *body) if body else ()


@dataclass(frozen=True)
class TablePiece:
    """A piece of a table: Markdown rows under the header, and the groups around it.

    ``group`` is the group it starts in; ``ends_in`` the one in force at its end (where
    the next part of the table, on the next page, starts).
    """

    text: str
    group: str = ""
    ends_in: str = ""


def table_pieces(markdown: str, limit: int = 900, group: str = "") -> list[TablePiece]:
    """Cut a Markdown table into pieces of whole rows under ``limit`` characters.

    Each piece repeats the header row, so every chunk of a table can be read alone, and
    names the group of rows it starts in ("Target 22") when the table has group rows, so
    a piece that starts mid-group still says what it belongs to; ``group`` is the one in
    force where this part of a table starts. A row longer than ``limit`` is a piece alone.
    """
    lines = markdown.split("\n")
    if len(lines) < 3 or not _RULE.match(lines[1]):
        return [TablePiece(markdown, group, group)]
    head, rows = lines[:2], lines[2:]
    if len(head[0]) > 200:  # a first row of long text is data, not a header worth repeating
        rows = [head[0], *rows]
        head = ["|" + "  |" * head[1].count("---"), head[1]]
    pieces: list[TablePiece] = []
    current: list[str] = []
    start = group
    numbered = _numbered_by(head[0])
    for row in rows:
        if current and len("\n".join(head + current + [row])) > limit:
            pieces.append(TablePiece("\n".join(head + current), start, group))
            current = []
        group = _group_of(row, numbered) or group
        if not current:
            start = group
        current.append(row)
    if current or not pieces:
        pieces.append(TablePiece("\n".join(head + current), start, group))
    return pieces


@dataclass
class Tables:
    """Number a document's tables as a reader counts them.

    A table carried over a page break (the same header row, nothing in between) keeps
    its number and its group.
    """

    number: int = 0
    header: str | None = None
    group: str = ""

    def pieces(self, markdown: str, limit: int = 900) -> list[TablePiece]:
        """Return the pieces of the next table block; :attr:`number` is then its table's."""
        first = markdown.split("\n", 1)[0]
        if first != self.header:
            self.number += 1
            self.group = ""
        self.header = first
        found = table_pieces(markdown, limit, group=self.group)
        self.group = found[-1].ends_in
        return found

    def interrupt(self) -> None:
        """Text came between: the next table block starts a new table."""
        self.header = None

    def locator(self, prefix: str, piece: TablePiece, page: int | None) -> str:
        """``annex III, table 1, Target 22 (p. 31)``: where a piece stands, as cited."""
        group = f", {piece.group}" if piece.group else ""
        where = f" (p. {page})" if page is not None else ""
        return f"{prefix}table {self.number}{group}{where}"


def split_table(markdown: str, limit: int = 900) -> list[str]:
    """Return the pieces of :func:`table_pieces` as text."""
    return [piece.text for piece in table_pieces(markdown, limit)]


def _numbered_by(header: str) -> str:
    """The name a header's first column gives the numbers in it ("Goal/target" → "Target"), else ""."""
    cells = table_cells(header)
    words = _LOCATOR_WORD.findall(cells[0]) if cells else []
    return words[-1].capitalize() if words else ""


def _group_of(row: str, numbered: str = "") -> str:
    """Return the name a group row opens ("Target 22"), or "" for any other row.

    A group row fills only its first cell with a numbered name; under a first column
    ``numbered`` ("Goal/target"), a row whose first cell is a number opens that group.
    """
    cells = table_cells(row)
    if numbered and cells and _ROW_NUMBER.fullmatch(cells[0]):
        return f"{numbered} {cells[0]}"
    if len(cells) < 2 or not cells[0] or any(cells[1:]):
        return ""
    match = _GROUP.match(cells[0])
    return match.group(1) if match else ""
