"""Read a PDF as a person reads it: body text in order, without what repeats on every page.

Library: **pdfplumber** (MIT, on pdfminer.six, MIT). It gives every word with its font
name, size and position and finds tables from the rules drawn on the page, which is what
telling a footnote (smaller type at the page foot) from body text, a heading (larger or
bold type) from a paragraph, and a table's cells from interleaved words needs. Weighed
against: pypdf's layout mode (BSD; fast, but plain text with no fonts, sizes or tables),
pypdfium2 (Apache/BSD; fast characters and boxes but no table finder), PyMuPDF (AGPL: not
usable here). On the two real documents it tried (32 and 45 pages) pdfplumber takes about
0.3 s a page on one core, small next to embedding the text.

What is done, and from what signal (no hand list of a publisher's strings):
- running headers and footers: lines in the top or bottom band of the page whose text,
  digits masked, recurs on a good share of the pages; page-number lines (``3``, ``2/32``);
- footnotes: the run of smaller-type lines at a page's foot that opens with a note number;
  kept as notes of their page (citable as ``p. 3, note 1``), raised markers dropped;
- headings: lines in larger type than the body, or in bold at body size;
- paragraphs: lines joined when the line pitch is the body's, hyphenation undone when the
  document itself spells the word whole;
- tables: :func:`ingest.formats.pdf_layout.read_page`, rendered as Markdown rows, a table
  carried over a page break joined to its start (:mod:`ingest.tables`);
- columns: a page with an empty gutter is read column by column.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ingest.formats.pdf_layout import Block, Line, PageLayout, Table, join_text, read_page
from ingest.limits import FileBudget
from ingest.tables import Rows, join_continued, markdown_rows

__all__ = ["Note", "PdfText", "join_text", "read_pdf"]

_BAND = 0.09  # the foot of a page, 9%, and a little more at the top, where mastheads are tall
_PAGE_NUMBER = re.compile(r"^(page\s+)?[#ivxlc]+(\s*(/|of)\s*#)?$", re.I)
_NOTE_START = re.compile(r"^([*†‡]|\d{1,3})\s+\S")
_MARKER_ONLY = re.compile(r"^[\W\d_]{1,4}$")  # "1.", "(3)": a number with no words
_LIST_START = re.compile(r"^(\d{1,2}\.|\([a-z]{1,4}\)|\([ivx]+\)|[•▪●◦■–])\s")
_SENTENCE_END = re.compile(r"[.:;!?。；：！？)\]]$")
_LEADER = re.compile(r"\s*(?:\.\s?){5,}\s*")  # dot leaders of a contents line
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True)
class Note:
    """A footnote, kept out of the body as a note of its page."""

    page: int
    label: str
    text: str


@dataclass
class PdfText:
    """A PDF's reading: blocks in order, notes, and counts of what was kept out."""

    pages: int
    title: str
    blocks: list[Block] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    running_removed: int = 0
    notes_removed: int = 0

    @property
    def tables(self) -> int:
        """How many tables were read as tables."""
        return sum(1 for b in self.blocks if b.kind == "table")


def read_pdf(data: bytes, budget: FileBudget) -> PdfText:
    """Read a PDF's bytes into blocks and notes; pdfminer/pdfplumber errors propagate."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        budget.check_pages(len(pdf.pages))  # before any page's text is read
        title = str((pdf.metadata or {}).get("Title") or "").strip()
        layouts = []
        for number, page in enumerate(pdf.pages, start=1):
            budget.tick()
            layouts.append(read_page(page, number))
            page.close()  # frees the page's parsed objects: a long PDF stays small
    return _reading(layouts, title)


def _reading(layouts: list[PageLayout], title: str) -> PdfText:
    running = _running_keys(layouts)
    text = PdfText(pages=len(layouts), title=title)
    kept: list[list[Line]] = []
    for layout in layouts:
        lines = [ln for ln in layout.lines if not _is_running(ln, layout, running)]
        text.running_removed += len(layout.lines) - len(lines)
        kept.append(lines)
    body_size = _body_size(kept)
    pitch = _body_pitch(kept, body_size)
    expected = 1
    for layout, lines in zip(layouts, kept, strict=True):
        body, notes = _split_notes(lines, body_size, layout.height, expected)
        numbers = [int(n.label) for n in notes if n.label.isdigit()]
        expected = numbers[-1] + 1 if numbers else expected
        text.notes += notes
        text.notes_removed += len(notes)
        kept[layout.number - 1] = body
    vocabulary = _vocabulary(kept)
    text.blocks = _blocks(layouts, kept, body_size, pitch, vocabulary)
    return text


def _key(text: str) -> str:
    """Mask digits and drop spaces and trailing marks, so a running line compares equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text.lower())).rstrip("*†.")


def _in_band(line: Line, layout: PageLayout) -> bool:
    """Whether ``line`` lies in the head band of its page or reaches into its foot band
    (a page number set just above the foot band's edge is still the page's foot)."""
    height = layout.height
    return line.bottom < height * _BAND * 4 / 3 or line.bottom > height * (1 - _BAND)


def _running_keys(layouts: list[PageLayout]) -> set[str]:
    """Key the lines that recur in the page bands of many pages (a third, at least two).

    A line in heading type (larger than the body, or bold) must recur on three pages at
    least: a heading that happens to open two pages is not a running head.
    """
    size = _body_size([list(layout.lines) for layout in layouts])
    counts: Counter[str] = Counter()
    headings: set[str] = set()
    for layout in layouts:
        if _has_body(layout):  # a page of one line has no head or foot, only that line
            band = [ln for ln in layout.lines if _in_band(ln, layout)]
            counts.update({_key(ln.text) for ln in band})
            headings.update(_key(ln.text) for ln in band if _is_heading(ln, size))
    least = max(2, len(layouts) // 3)
    return {k for k, n in counts.items() if n >= max(least, 3 if k in headings else 2)}


def _has_body(layout: PageLayout) -> bool:
    return any(not _in_band(ln, layout) for ln in layout.lines) or bool(layout.tables)


def _is_running(line: Line, layout: PageLayout, running: set[str]) -> bool:
    if not _in_band(line, layout):
        return False
    key = _key(line.text)
    return key in running or bool(_PAGE_NUMBER.match(key))


def _body_size(pages: list[list[Line]]) -> float:
    """Return the type size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _body_pitch(pages: list[list[Line]], size: float) -> float:
    """Return the usual distance from one body line to the next (paragraph gaps are larger)."""
    steps = [
        round(b.top - a.top, 1)
        for lines in pages
        for a, b in zip(lines, lines[1:], strict=False)
        if a.size == size == b.size and 0 < b.top - a.top < 3 * size
    ]
    return Counter(steps).most_common(1)[0][0] if steps else 1.2 * size


def _split_notes(
    lines: list[Line], body_size: float, height: float, expected: int
) -> tuple[list[Line], list[Note]]:
    """Separate the footnotes at the page's foot: smaller type, opened by a note number.

    Note numbers run in sequence through a document (or restart at 1 on each page), so
    smaller type at a page foot that opens with any other number (a date, a contents
    line) is body text, and inside the notes only the next number opens a new note.
    """
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].size >= body_size - 0.5 or lines[i].top < height * 0.4:
            break
        if _NOTE_START.match(lines[i].text):
            start = i
    if start == len(lines):
        return lines, []
    notes: list[Note] = []
    for line in lines[start:]:
        match = _NOTE_START.match(line.text)
        label = match.group(1) if match else ""
        if label and _next_note(label, notes[-1].label if notes else "", expected):
            notes.append(Note(line.page, label, line.text[len(label) :].strip()))
        elif notes:
            last = notes[-1]
            notes[-1] = Note(last.page, last.label, join_text([last.text, line.text], set()))
        else:
            return lines, []  # does not open with the note the document is due
    return lines[:start], notes


def _next_note(label: str, previous: str, expected: int) -> bool:
    """Whether ``label`` is the note number due after ``previous`` (or first on a page)."""
    if not label.isdigit():
        return not previous  # "*" or "†" opens a page's notes
    if previous.isdigit():
        return int(label) == int(previous) + 1
    return int(label) in (expected, 1)


def _vocabulary(pages: list[list[Line]]) -> set[str]:
    """Collect every word the document spells, lower-cased, to decide a line-end hyphen."""
    words: set[str] = set()
    for lines in pages:
        for line in lines:
            words.update(w.lower() for w in _WORD.findall(line.text))
    return words


def _is_heading(line: Line, body_size: float, page_size: float | None = None) -> bool:
    """Whether a line is set as a heading: larger than the body, or bold at its page's body size.

    ``page_size`` is the size of the regular text on the line's page, when smaller than the
    document's: a front page set a point smaller ("Acknowledgements" in bold over its
    paragraph) has its own bold headings.
    """
    words = len(line.text.split())
    if line.size >= body_size + 1.5:
        return words <= 30
    body = min(body_size, page_size) if page_size else body_size
    return line.bold and line.size >= body - 0.2 and words <= 20 and not line.text.endswith(",")


def _page_sizes(pages: list[list[Line]]) -> dict[int, float]:
    """The type size of each page's regular (not bold) text."""
    return {
        lines[0].page: _body_size([[ln for ln in lines if not ln.bold]]) for lines in pages if lines
    }


def _levels(pages: list[list[Line]], heading: Callable[[Line], bool]) -> dict[tuple[float, bool], int]:
    """Rank heading looks into levels: larger type first, bold at body size last."""
    looks = {(ln.size, ln.bold) for lines in pages for ln in lines if heading(ln)}
    return {look: i + 1 for i, look in enumerate(sorted(looks, reverse=True))}


def _blocks(
    layouts: list[PageLayout],
    pages: list[list[Line]],
    body_size: float,
    pitch: float,
    vocabulary: set[str],
) -> list[Block]:
    """Group lines into headings and paragraphs, tables in place, in reading order."""
    page_sizes = _page_sizes(pages)

    def heading_line(line: Line) -> bool:
        return _is_heading(line, body_size, page_sizes.get(line.page))

    levels = _levels(pages, heading_line)
    blocks: list[Block] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            first = current[0]
            heading = all(heading_line(ln) for ln in current)
            kind = "heading" if heading else "text"
            level = levels.get((first.size, first.bold), 0) if heading else 0
            text = _LEADER.sub(" … ", join_text([ln.text for ln in current], vocabulary))
            blocks.append(Block(kind, text, first.page, level))
            current.clear()

    rows: dict[int, Rows] = {}  # block index -> the table's rows, rendered once joined
    columns: dict[int, tuple[float, ...]] = {}  # block index -> the x of its column rules

    def table(found: Table, page: int) -> None:
        flush()
        last = len(blocks) - 1
        if (
            last - 1 in rows
            and blocks[last].kind == "text"
            and _MARKER_ONLY.match(blocks[last].text)
        ):
            blocks.pop()  # a row's number printed in the margin between two parts of a table
            last -= 1
        part = found.rows
        if last in rows and blocks[last].page < page:  # the same table, over a page break
            ruled_alike = columns[last] == found.columns
            rows[last], part = join_continued(rows[last], part, same_columns=ruled_alike)
        if part:
            rows[len(blocks)] = part
            columns[len(blocks)] = found.columns
            blocks.append(Block("table", "", page))

    for layout, lines in zip(layouts, pages, strict=True):
        tables = list(layout.tables)
        for line in lines:
            while tables and tables[0].top < line.top:
                table(tables.pop(0), layout.number)
            if current and _breaks(current[-1], line, body_size, pitch, heading_line):
                flush()
            current.append(line)
        for found in tables:
            table(found, layout.number)
    flush()
    return [
        replace(b, text=markdown_rows(rows[i])) if i in rows else b for i, b in enumerate(blocks)
    ]


def _breaks(
    previous: Line, line: Line, body_size: float, pitch: float, heading: Callable[[Line], bool]
) -> bool:
    """Whether ``line`` starts a new block after ``previous`` (``heading``: whether a line is one)."""
    step = line.top - previous.top
    if heading(previous) != heading(line):
        # A bold sentence run on in regular type at the body's pitch is emphasis, not a heading.
        return not (
            previous.size == line.size
            and line.page == previous.page
            and 0 < step <= 1.25 * pitch
            and not _SENTENCE_END.search(previous.text)
            and line.text[:1].islower()
        )
    if (previous.size, previous.bold) != (line.size, line.bold) and heading(line):
        return True
    if _LIST_START.match(line.text):
        return True
    if line.page != previous.page:
        # A paragraph runs on over the page break only when its sentence does.
        return bool(_SENTENCE_END.search(previous.text)) or not (
            line.text[:1].islower() or previous.text.endswith("-")
        )
    scale = max(line.size, previous.size) / body_size if body_size else 1.0
    return step < 0 or step > 1.25 * pitch * scale or abs(line.size - previous.size) > 1.0
