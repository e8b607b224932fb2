"""One PDF page as a reader sees it: lines in column order, with their font, and tables.

Works on the words pdfplumber reads from the page (see :mod:`ingest.formats.pdf_text` for the choice
of library). Words are grouped into lines by vertical overlap, so a raised footnote
marker stays on its line and can be told apart by its size; a page with an empty gutter
down its middle is read column by column; tables are found from the page's drawn rules
once white background boxes (which Word draws behind every table line) are ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from assistant.language.scripts import CJK_TEXT

__all__ = ["Block", "Line", "PageLayout", "Table", "join_text", "read_page"]

_MARKER = re.compile(r"^[\d*†‡,]+$")  # footnote reference markers: 1  3,4  *  †
_SYMBOL_FONT = re.compile("[\uf020-\uf07e]")  # Symbol-font digits and letters, U+F0xx = xx
_UNMAPPED = re.compile(r"\(cid:\d+\)")
_LIGHT = 0.85  # a fill at least this light (grey level, 1 = white) is a background, not a rule
# One visible hyphen written as several glyphs ("-", a soft hyphen U+00AD and "‐" U+2010, as
# Word for Mac writes "land-use"), or as U+2010/U+2011 alone: "-", as it is typed and searched.
_HYPHEN = re.compile(r"-\u00ad*[\u2010\u2011]|-\u00ad+|[\u2010\u2011]")
_SOFT_HYPHEN = re.compile(r"\u00ad(?!$)")  # invisible inside a line; at its end it joins the next
_CJK = CJK_TEXT


@dataclass(frozen=True)
class Line:
    """A line of text on a page, with what its look says about its role."""

    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass(frozen=True)
class Table:
    """A ruled table: its top, its rows of cells, and the x of its column rules.

    The rules tell a table carried over a page break (the same columns) from another.
    """

    top: float
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[float, ...]


@dataclass(frozen=True)
class PageLayout:
    """A page's lines in reading order and its tables."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    tables: tuple[Table, ...]


def read_page(page: Any, number: int) -> PageLayout:
    """Read one pdfplumber page: lines outside tables in column order, and the tables."""
    ruled = page.filter(_not_background)
    every = ruled.extract_words(extra_attrs=["size", "fontname"])
    tables = _tables(ruled, every, number)
    boxes = [bbox for bbox, _ in tables]
    words = [w for w in every if not _inside(w, boxes)]
    gutter = _gutter(words)
    if gutter is None:
        lines = _lines(words, number)
    else:
        lines = _column_order(words, number, gutter)
    return PageLayout(
        number=number,
        width=float(page.width),
        height=float(page.height),
        lines=tuple(lines),
        tables=tuple(table for _, table in tables),
    )


def _not_background(obj: dict[str, Any]) -> bool:
    """Keep everything but filled boxes of a light colour (cell shading, white backgrounds)."""
    if obj.get("object_type") != "rect" or not obj.get("fill"):
        return True
    colour = obj.get("non_stroking_color")
    if isinstance(colour, int | float):
        values: tuple[float, ...] = (float(colour),)
    elif (
        isinstance(colour, list | tuple)
        and colour
        and all(isinstance(c, int | float) for c in colour)
    ):
        values = tuple(float(c) for c in colour)
        if len(values) == 4:  # CMYK: light when little ink
            return not all(v <= 1 - _LIGHT for v in values)
    else:
        return True
    return not all(v >= _LIGHT for v in values)


def _tables(page: Any, words: list[dict[str, Any]], number: int) -> list[tuple[tuple[float, ...], Table]]:
    """Tables drawn with rules, with their boxes: at least two rows and two columns holding text.

    A cell's text is its words set in lines as body text is (:func:`_lines`), so a subscript
    stays in its word ("CO₂" is "CO2"; pdfplumber's own cell text put a character more
    than 3 pt lower on a line of its own: "CO emission per unit of value added 2").
    """
    found = []
    for table in page.find_tables():
        inside = [w for w in words if _inside(w, [table.bbox])]
        raw = [[_cell_text(cell, inside, number) for cell in row.cells] for row in table.rows]
        rows = _clean_rows(raw)
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            columns = sorted({round(float(x), 1) for cell in table.cells for x in (cell[0], cell[2])})
            found.append((tuple(table.bbox), Table(float(table.bbox[1]), rows, tuple(columns))))
    return found


def _cell_text(cell: tuple[float, ...] | None, words: list[dict[str, Any]], number: int) -> str:
    """The text of one cell (``None``: covered by a merged cell), its lines joined."""
    if cell is None:
        return ""
    return join_text([line.text for line in _lines([w for w in words if _inside(w, [cell])], number)], set())


def _clean_rows(raw: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Cells stripped; empty columns and rows dropped."""
    cells = [[c.strip() for c in row] for row in raw]
    if not cells:
        return ()
    width = max(len(r) for r in cells)
    cells = [r + [""] * (width - len(r)) for r in cells]
    keep = [i for i in range(width) if any(r[i] for r in cells)]
    rows = [tuple(r[i] for i in keep) for r in cells]
    return tuple(r for r in rows if any(r))


def _inside(word: dict[str, Any], boxes: list[tuple[float, ...]]) -> bool:
    cx = (word["x0"] + word["x1"]) / 2
    cy = (word["top"] + word["bottom"]) / 2
    return any(b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1 for b in boxes)


def _gutter(words: list[dict[str, Any]]) -> float | None:
    """Find the x of an empty vertical strip between two columns of text, if any.

    Both sides must hold many words, and (almost) no word may cross the strip. Columns of
    text share the text's width about evenly, so the strip lies in the middle fifth of it;
    a strip nearer one side parts the columns of a table without rules (names beside
    affiliations), whose rows read across.
    """
    if len(words) < 40:
        return None
    left_edge = min(w["x0"] for w in words)
    extent = max(w["x1"] for w in words) - left_edge
    best: tuple[int, float] | None = None
    for step in range(40, 61, 2):
        x = left_edge + extent * step / 100
        crossing = sum(1 for w in words if w["x0"] < x < w["x1"])
        if best is None or crossing < best[0]:
            best = (crossing, x)
    assert best is not None
    crossing, x = best
    left = sum(1 for w in words if w["x1"] <= x)
    right = sum(1 for w in words if w["x0"] >= x)
    if crossing > 0.02 * len(words) or min(left, right) < 0.25 * len(words):
        return None
    # A real gutter is empty over the height both columns share, not just at one x.
    left_lines = {round(w["top"]) for w in words if w["x1"] <= x}
    right_lines = {round(w["top"]) for w in words if w["x0"] >= x}
    if len(left_lines & right_lines) < 5:
        return None
    # And the right column's lines start at its edge: one column of text cut at a strip
    # that happens to fall between words (a page of a few lines) starts them anywhere.
    starts: dict[int, float] = {}
    for w in words:
        if w["x0"] >= x:
            line = round(w["top"])
            starts[line] = min(w["x0"], starts.get(line, w["x0"]))
    edges = Counter(round(start / 2) for start in starts.values())
    return x if edges.most_common(1)[0][1] >= 0.6 * len(starts) else None


def _column_order(words: list[dict[str, Any]], number: int, gutter: float) -> list[Line]:
    """Left column then right column, with full-width lines (titles) kept in place."""
    spanning = _lines([w for w in words if w["x0"] < gutter < w["x1"]], number)
    left = _lines([w for w in words if w["x1"] <= gutter], number)
    right = _lines([w for w in words if w["x0"] >= gutter], number)
    ordered: list[Line] = []
    cuts = [line.top for line in spanning] + [float("inf")]
    previous = float("-inf")
    for cut, span in zip(cuts, [*spanning, None], strict=True):
        ordered += [ln for ln in left if previous <= ln.top < cut]
        ordered += [ln for ln in right if previous <= ln.top < cut]
        if span is not None:
            ordered.append(span)
        previous = cut
    return ordered


def _lines(words: list[dict[str, Any]], number: int) -> list[Line]:
    """Group words into lines by vertical overlap, top to bottom, left to right."""
    groups: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        height = max(word["bottom"] - word["top"], 0.1)
        for group in reversed(groups[-3:]):
            top = min(w["top"] for w in group)
            bottom = max(w["bottom"] for w in group)
            overlap = min(bottom, word["bottom"]) - max(top, word["top"])
            if overlap >= 0.5 * min(height, bottom - top):
                group.append(word)
                break
        else:
            groups.append([word])
    lines = [_line(group, number) for group in groups]
    return [line for line in lines if line.text]


def _line(words: list[dict[str, Any]], number: int) -> Line:
    """Build one line's text, dropping raised footnote markers (smaller, above the baseline)."""
    sizes: Counter[float] = Counter()
    bold: Counter[bool] = Counter()
    for w in words:
        sizes[round(float(w["size"]), 1)] += len(w["text"])
        bold["Bold" in w["fontname"] or "Black" in w["fontname"]] += len(w["text"])
    size = sizes.most_common(1)[0][0]
    baseline = max(w["bottom"] for w in words if round(float(w["size"]), 1) == size)
    ordered = sorted(words, key=lambda w: w["x0"])
    kept = ordered[:1] + [
        w
        for w in ordered[1:]
        if not (
            float(w["size"]) < 0.85 * size
            and w["bottom"] < baseline - 1
            and _MARKER.match(w["text"])
        )
    ]
    text = ""
    for previous, word in zip([None, *kept], kept, strict=False):
        # Words split only by a change of font ("Parties" + italic ",") touch: no space.
        touching = previous is not None and word["x0"] - previous["x1"] < 0.1 * size
        text += word["text"] if touching or previous is None else " " + word["text"]
    text = _plain(text.strip())
    return Line(
        text=text,
        page=number,
        x0=min((w["x0"] for w in kept), default=0.0),
        x1=max((w["x1"] for w in kept), default=0.0),
        top=min((w["top"] for w in kept), default=0.0),
        bottom=max((w["bottom"] for w in kept), default=0.0),
        size=size,
        bold=bold[True] > bold[False],
    )


@dataclass(frozen=True)
class Block:
    """A unit of a PDF's reading order: a heading, a paragraph of text or a Markdown table."""

    kind: str  # "heading" | "text" | "table"
    text: str
    page: int
    level: int = 0  # headings: 1 is the largest type


def _plain(text: str) -> str:
    """Map Symbol-font code points (U+F032 for "2") to the characters they show.

    Glyphs with no character at all (pdfminer's ``(cid:12)``) are dropped; a hyphen written
    as several glyphs is one, and a soft hyphen inside a line is dropped (it shows only
    where a line breaks).
    """
    text = _SOFT_HYPHEN.sub("", _HYPHEN.sub("-", _UNMAPPED.sub("", text)))
    return _SYMBOL_FONT.sub(lambda m: chr(ord(m.group()) - 0xF000), text)


def join_text(lines: list[str], vocabulary: set[str]) -> str:
    """Join a paragraph's lines: a space between words, none between CJK characters.

    A line-end hyphen is removed when the document spells the joined word whole
    (``restor-`` + ``ation``) but kept in a compound it spells with one (``benefit-sharing``).
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("\u00ad"):
            out = out[:-1] + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[0].isalpha():
            head = re.findall(r"[^\W\d_]+$", out[:-1])
            tail = re.findall(r"^[^\W\d_]+", line)
            whole = (head[0] + tail[0]).lower() if head and tail else ""
            hyphened = f"{head[0]}-{tail[0]}".lower() if head and tail else ""
            joined = whole in vocabulary and hyphened not in vocabulary
            out = (out[:-1] if joined else out) + line
        elif _CJK.match(out[-1]) or _CJK.match(line[0]):
            out += line
        else:
            out += " " + line
    return out
