"""Turn a PDF's reading (:mod:`ingest.formats.pdf_text`) into sections with page-bearing locators.

A decision is cut by its paragraphs (``para. 27 (p. 8)``) and annexes (``annex I,
table 1 (p. 6)``); any other document by its headings (``2.1.1 Structure (p. 5)``, or
``p. 5`` under no heading). Footnotes become sections of their own (``p. 3, note 1``),
so they can be cited but never run into the body text. A table of contents is skipped,
as a reader skips it: its entries ("2.1 Structure … 4") say where text is, not what.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant.core.records import Section
from ingest.decisions import (
    DecisionInfo,
    annex_start,
    decision_info,
    looks_like_decision,
    parse_annexes,
    parse_decision,
)
from ingest.formats.pdf_layout import Block
from ingest.formats.pdf_text import PdfText
from ingest.limits import FileBudget
from ingest.metadata import is_meaningful_title
from ingest.tables import Tables

__all__ = ["PdfSections", "pdf_sections"]

# An entry of a table of contents: a title, a leader (an ellipsis, dots, underscores or
# a wide gap) and a page number at the line's end.
_CONTENTS_ENTRY = re.compile(r"^\S.{0,250}?(?:…|\.{3,}|(?:\. ?){3,}|_{3,}|\s{3,})\s*\d{1,4}$")
# A page holds a table of contents when this many of its blocks are such entries.
_CONTENTS_ENTRIES = 3
# A cover's date line ("15-16 November 2019", "Online, 17-21 May 2021") ends its title.
_DATED = re.compile(r"\b(?:1[89]|20)\d\d\b")
# Longer than this, a run of headings is no title.
_MAX_TITLE = 200
# A cover's date line is short ("Online, 17-21 May 2021").
_DATE_LINE = 80


@dataclass(frozen=True)
class PdfSections:
    """Sections of a PDF, its body text and, for a decision, what its first page says."""

    sections: list[Section]
    body: str
    title: str
    decision: DecisionInfo | None
    year: int | None = None  # the year of the cover's date line ("15-16 November 2019")


def _cover_title(blocks: list[Block]) -> str:
    """The headings a document opens with on its first page, joined: a cover's title.

    A cover sets its title over several headings in its largest types ("Report" / "First
    Indigenous and local knowledge dialogue workshop" / "on the" / "IPBES second global
    assessment"); the first alone is a word that names no document. The title ends at the
    first text, at a date ("15-16 November 2019"), past the first page, at a label that
    introduces the text below it ("Definition:"), or before a subtitle that would make it
    longer than a title.
    """
    parts: list[str] = []
    for block in blocks:
        if block.kind != "heading" or block.page != blocks[0].page or _DATED.search(block.text):
            break
        if _without_colon(block.text) != block.text.strip():  # a label ("Definition:")
            break
        if parts and sum(len(p) + 1 for p in parts) + len(block.text) > _MAX_TITLE:
            break
        parts.append(block.text)
    return " ".join(parts)


def _cover_year(blocks: list[Block]) -> int | None:
    """The year of the date line a cover sets under its title ("18 – 22 August 2025, Bardiya").

    Only the short line right after the first page's opening headings counts: a year in
    the text is what the text is about ("decision 15/5 of 19 December 2022"), not when
    the document was issued.
    """
    for block in blocks:
        if block.page != blocks[0].page:
            return None
        match = _DATED.search(block.text) if len(block.text) <= _DATE_LINE else None
        if match:  # set as text or, on some covers, in heading type
            return int(match.group(0))
        if block.kind != "heading":
            return None
    return None


def pdf_sections(reading: PdfText, budget: FileBudget) -> PdfSections:
    """Cut a PDF's reading into sections: decision paragraphs, or heading-led text."""
    blocks = _without_contents(reading.blocks)
    texts = [b.text if b.kind != "table" else "" for b in blocks]
    body = "\n".join(t for t in texts if t)
    info = decision_info(body) if looks_like_decision(body) else None
    if info is not None:
        sections = _decision_sections(blocks, texts)
        title = ""
    else:
        sections = _heading_sections(blocks)
        # An authoring tool's title ("Microsoft Word - manual.docx") names no document: the cover does.
        title = reading.title if is_meaningful_title(reading.title) else _cover_title(blocks)
    sections += [
        Section(
            f"{n.label} {n.text}".strip(),
            f"p. {n.page}, note {n.label}",
            page=n.page,
            heading="notes",
        )
        for n in reading.notes
    ]
    for _ in sections:
        budget.add_section()
    year = _cover_year(blocks) if info is None else None
    return PdfSections(sections=sections, body=body, title=title, decision=info, year=year)


def _decision_sections(blocks: list[Block], texts: list[str]) -> list[Section]:
    """Title block, preambular and operative paragraphs, then the annexes."""
    cut = annex_start(texts)
    end = len(blocks) if cut is None else cut
    pages = [b.page for b in blocks]
    sections = parse_decision("\n".join(texts[:end]), pages=pages[:end])
    first = next(
        (
            i
            for i, t in enumerate(texts)
            if t.strip().startswith(("The Conference", "THE CONFERENCE"))
        ),
        0,
    )
    opening = [b for b in blocks[:first] if b.kind != "table"]
    if opening:
        page = opening[0].page
        sections.insert(0, Section("\n".join(b.text for b in opening), f"p. {page}", page=page))
    if cut is not None:
        sections += parse_annexes(blocks[cut:])
    return sections


def _without_contents(blocks: list[Block]) -> list[Block]:
    """The blocks but for the entries of a table of contents (a page with several of them)."""
    entries: dict[int, int] = {}
    for block in blocks:
        if block.kind != "table" and _CONTENTS_ENTRY.match(block.text.strip()):
            entries[block.page] = entries.get(block.page, 0) + 1
    pages = {page for page, n in entries.items() if n >= _CONTENTS_ENTRIES}
    headings = {" ".join(b.text.split()) for b in blocks if b.kind == "heading"}
    return [
        b
        for b in blocks
        if not (b.page in pages and b.kind != "table" and _CONTENTS_ENTRY.match(b.text.strip()))
        and not (b.kind == "text" and _only_headings(b.text, headings))
    ]


def _only_headings(text: str, headings: set[str]) -> bool:
    """Whether a paragraph is nothing but several of the document's headings: contents
    without page numbers (a document exported with linked contents), read as one paragraph.
    """
    rest, found = " ".join(text.split()), 0
    while rest:
        match = max((h for h in headings if rest.startswith(h)), key=len, default="")
        if not match:
            return False
        rest, found = rest[len(match) :].lstrip(), found + 1
    return found >= _CONTENTS_ENTRIES


def _heading_sections(blocks: list[Block]) -> list[Section]:
    """Text under its innermost heading; the locator names the heading and the page.

    A heading the document repeats under several others ("Definition:" under each
    indicator) names no one place: it is cited with the heading it stands under
    ("INDICATOR OF AIR QUALITY, Definition (p. 1)").
    """
    sections: list[Section] = []
    path: list[Block] = []
    tables = Tables()
    repeated = Counter(_heading_key(b.text) for b in blocks if b.kind == "heading")
    for block in blocks:
        if block.kind == "heading":
            path = [b for b in path if b.level < block.level] + [block]
            continue
        heading = _label(path, repeated)
        where = f"{heading} (p. {block.page})" if heading else f"p. {block.page}"
        if block.kind == "table":
            prefix = f"{heading}, " if heading else ""
            sections += [
                Section(
                    p.text, tables.locator(prefix, p, block.page), page=block.page, heading=heading
                )
                for p in tables.pieces(block.text)
            ]
        else:
            tables.interrupt()
            sections.append(Section(block.text, where, page=block.page, heading=heading))
    return sections


def _without_colon(heading: str) -> str:
    """A heading without the colon of a label ("Definition:" → "Definition")."""
    return heading.strip().rstrip(":：").rstrip()


def _heading_key(text: str) -> str:
    return _without_colon(text).casefold()


def _label(path: list[Block], repeated: Counter[str]) -> str:
    """The innermost heading, led by the one above it when the document repeats it."""
    if not path:
        return ""
    own = path[-1].text
    if repeated[_heading_key(own)] > 1 and len(path) > 1 and _heading_key(path[-2].text) != _heading_key(own):
        return f"{path[-2].text}, {_without_colon(own)}"
    return own
