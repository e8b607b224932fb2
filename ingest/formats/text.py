"""Markdown (MyST too) and plain text: front matter, headings as locators, blank-line paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument, Section
from ingest.decisions import looks_like_decision, parse_decision
from ingest.formats.common import declared, document, metadata, paragraphs
from ingest.formats.myst import from_myst, is_myst
from ingest.formats.text_codec import decode, split_front_matter
from ingest.limits import FileBudget

__all__ = ["SUFFIXES", "load"]

SUFFIXES = (".md", ".markdown", ".txt")

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
# A footnote ("…indicator 15.5.1[^1].") and its text ("[^1]: IUCN 2021. The Red List…").
_FOOTNOTE_MARK = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_TEXT = re.compile(r"^\[\^([^\]\s]+)\]:\s*")


def _paragraph_sections(text: str, locator: str, budget: FileBudget) -> list[Section]:
    """Sections of plain text: blank-line separated paragraphs under one locator."""
    sections: list[Section] = []
    for paragraph in paragraphs(text):
        budget.add_section()
        sections.append(Section(text=paragraph, locator=locator, heading=locator))
    return sections


def _notes(part: str, locator: str) -> list[Section]:
    """The footnotes a paragraph of "[^1]: …" lines defines, each a section ("Step 2, note 1")."""
    notes: list[tuple[str, list[str]]] = []
    for line in part.splitlines():
        start = _FOOTNOTE_TEXT.match(line)
        if start:
            notes.append((start.group(1), [line[start.end():]]))
        elif notes:
            notes[-1][1].append(line.strip())
    return [
        Section(
            f"{label} {' '.join(lines).strip()}",
            f"{locator}, note {label}" if locator else f"note {label}",
            heading="notes",
        )
        for label, lines in notes
    ]


def _markdown_sections(body: str, title: str, budget: FileBudget) -> tuple[str, list[Section]]:
    """Split Markdown by headings; the innermost heading is the locator.

    Footnotes are read as a PDF's are: the text of "[^1]: …" is a note of its section
    ("Step 2, note 1"), and the mark "[^1]" leaves the sentence that carried it.
    """
    sections: list[Section] = []
    doc_title = ""
    locator = title
    buffer: list[str] = []

    def flush() -> None:
        text = "\n".join(buffer).strip()
        buffer.clear()
        if text:
            for part in paragraphs(text):
                budget.add_section()
                if _FOOTNOTE_TEXT.match(part):  # notes of the section, citable, not body text
                    sections.extend(_notes(part, locator))
                else:
                    plain = _FOOTNOTE_MARK.sub("", part)
                    sections.append(Section(text=plain, locator=locator, heading=locator))

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


def load(path: Path, data: bytes, budget: FileBudget) -> LoadedDocument:
    """Load Markdown or plain text; a text that reads as a decision is parsed into paragraphs."""
    text = decode(path, data)
    fields, body = split_front_matter(path, text)
    if not body.strip():
        raise IngestError(path, "no text after the front matter")
    is_markdown = path.suffix.lower() in {".md", ".markdown"}
    if is_markdown and is_myst(body):
        body = from_myst(body)
    kind = declared(fields).get("kind")
    if kind == "decision" or (not kind and looks_like_decision(body)):
        meta = metadata(path, fields, body)
        sections = parse_decision(body)
        if not sections:
            raise IngestError(
                path, "marked as a decision but no paragraphs were found (see corpus/README.md)"
            )
    elif is_markdown:
        md_title, sections = _markdown_sections(body, "", budget)
        headings = dict.fromkeys(s.locator for s in sections if s.locator)
        meta = metadata(path, fields, body, title=md_title, headings=headings)
        sections = [s if s.locator else Section(s.text, meta.title, heading=meta.title) for s in sections]
    else:
        meta = metadata(path, fields, body)
        sections = _paragraph_sections(body, meta.title, budget)
    return document(path, data, meta, sections)
