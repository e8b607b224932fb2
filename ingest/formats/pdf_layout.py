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

__all__ = ["Block", "Line", "PageLayout", "read_page"]

_MARKER = re.compile(r"^[\d*†‡,]+$")  # footnote reference markers: 1  3,4  *  †
_SYMBOL_FONT = re.compile("[\uf020-\uf07e]")  # Symbol-font digits and letters, U+F0xx = xx
_UNMAPPED = re.compile(r"\(cid:\d+\)")
_LIGHT = 0.85  # a fill at least this light (grey level, 1 = white) is a background, not a rule


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
class PageLayout:
    """A page's lines in reading order, its tables (rows of cells) and their positions."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    tables: tuple[tuple[float, tuple[tuple[str, ...], ...]], ...]  # (top, rows)


def read_page(page: Any, number: int) -> PageLayout:
    """Read one pdfplumber page: lines outside tables in column order, and the tables."""
    ruled = page.filter(_not_background)
    tables = _tables(ruled)
    boxes = [bbox for bbox, _ in tables]
    words = [
        w for w in ruled.extract_words(extra_attrs=["size", "fontname"]) if not _inside(w, boxes)
    ]
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
        tables=tuple((bbox[1], rows) for bbox, rows in tables),
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


def _tables(page: Any) -> list[tuple[tuple[float, ...], tuple[tuple[str, ...], ...]]]:
    """Tables drawn with rules: at least two rows and two columns holding text."""
    found = []
    for table in page.find_tables():
        rows = _clean_rows(table.extract())
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            found.append((tuple(table.bbox), rows))
    return found


def _clean_rows(raw: list[list[str | None]]) -> tuple[tuple[str, ...], ...]:
    """Cells with their wrapped lines joined; empty columns and rows dropped."""
    cells = [[_plain(re.sub(r"\s*\n\s*", " ", c or "").strip()) for c in row] for row in raw]
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

    Glyphs with no character at all (pdfminer's ``(cid:12)``) are dropped.
    """
    text = _UNMAPPED.sub("", text)
    return _SYMBOL_FONT.sub(lambda m: chr(ord(m.group()) - 0xF000), text)
