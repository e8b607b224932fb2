"""Export a FAQ file to hand out: Markdown, CSV, JSON and DOCX.

Rejected entries are never exported; drafts are, marked as drafts, unless only
approved entries are asked for. Stale entries carry a "review" warning. Sources are
numbered once for the whole document (the same passage cited by two answers keeps
one number) and listed at the end: Markdown footnotes ``[^n]``, superscript numbers
with a numbered source list in DOCX, and ``[n]`` markers with a sources column in CSV.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.faq.records import FaqCitation, FaqEntry, FaqFile

__all__ = ["EXPORT_FORMATS", "export_faq", "to_markdown"]

EXPORT_FORMATS = ("md", "csv", "json", "docx")
_MARKER = re.compile(r"\[(\d+)\]")
_LABELS = {
    "en": {
        "draft": "draft", "draft_mark": " _(draft)_", "stale": "Stale — review", "sources": "Sources", "audience": "Audience",
        "language": "Language", "questions": "questions", "built": "built",
        "drafts_note": "Entries marked “draft” have not been reviewed yet.",
        "audiences": {"practitioners": "practitioners", "policymakers": "policymakers", "communities": "communities"},
    },
    "zh": {
        "draft": "草稿", "draft_mark": " _（草稿）_", "stale": "来源已变化，请复核", "sources": "来源", "audience": "读者",
        "language": "语言", "questions": "个问题", "built": "生成于",
        "drafts_note": "标为“草稿”的条目尚未经过审核。",
        "audiences": {"practitioners": "从业人员", "policymakers": "决策者", "communities": "社区"},
    },
}


def _labels(language: str) -> dict[str, Any]:
    return _LABELS.get(language, _LABELS["en"])


class _Sources:
    """Document-wide numbering of cited passages, in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.citations: list[FaqCitation] = []

    def number(self, citation: FaqCitation) -> int:
        if citation.chunk_id not in self.numbers:
            self.numbers[citation.chunk_id] = len(self.numbers) + 1
            self.citations.append(citation)
        return self.numbers[citation.chunk_id]

    def renumber(self, entry: FaqEntry) -> list[tuple[str, int | None]]:
        """Split the shown answer into (text, global source number) pieces."""
        by_n = {c.n: c for c in entry.citations}
        pieces: list[tuple[str, int | None]] = []
        last = 0
        text = entry.shown_answer
        for match in _MARKER.finditer(text):
            citation = by_n.get(int(match.group(1)))
            if citation is None:
                continue
            pieces.append((text[last : match.start()], None))
            pieces.append(("", self.number(citation)))
            last = match.end()
        pieces.append((text[last:], None))
        if entry.edited_answer and not any(n for _, n in pieces):
            # An edited answer without markers still credits the passages it came from.
            for citation in entry.citations:
                pieces.append(("", self.number(citation)))
        return pieces


def source_label(citation: FaqCitation) -> str:
    """How a source reads in a list: 'Title, para. 1(c)'."""
    where = citation.locator if citation.locator and citation.locator != citation.title else ""
    return ", ".join(x for x in (citation.title, where) if x)


def _grouped(entries: list[FaqEntry]) -> dict[str, list[FaqEntry]]:
    groups: dict[str, list[FaqEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group or "", []).append(entry)
    return groups


def _heading_line(faq: FaqFile, count: int) -> str:
    labels = _labels(faq.language)
    audience = labels["audiences"].get(faq.request.audience, faq.request.audience)
    return (
        f"{labels['audience']}: {audience} · {labels['language']}: {faq.language} · "
        f"{count} {labels['questions']} · {labels['built']} {faq.updated[:10]}"
    )


def _md(text: str, *, block: bool = True) -> str:
    """Escape document text for Markdown: no raw HTML, no accidental headings or lists.

    ``block`` also escapes what would start a heading, quote or list at a line start
    ("1. Urges Parties" would otherwise become a numbered list).
    """
    text = html.escape(text, quote=False).replace("[^", "[\\^")
    return _md_block_start(text) if block else text


def _md_block_start(text: str) -> str:
    text = re.sub(r"(?m)^(\s*)(\d+)\.(\s)", r"\1\2\\.\3", text)
    return re.sub(r"(?m)^(\s*)([#>*+-])(\s)", r"\1\\\2\3", text)


def to_markdown(faq: FaqFile, approved_only: bool = False) -> str:
    """Render the FAQ as Markdown grouped by topic, sources as footnotes."""
    labels = _labels(faq.language)
    entries = faq.exported(approved_only)
    sources = _Sources()
    lines = [f"# {_md(faq.title)}", "", f"_{_heading_line(faq, len(entries))}_", ""]
    if any(e.status == "draft" for e in entries):
        lines += [f"_{labels['drafts_note']}_", ""]
    for group, members in _grouped(entries).items():
        if group:
            lines += [f"## {_md(group)}", ""]
        for entry in members:
            mark = labels["draft_mark"] if entry.status == "draft" else ""
            lines += [f"### {_md(entry.shown_question)}{mark}", ""]
            pieces = sources.renumber(entry)
            answer = "".join(_md(text, block=False) if n is None else f"[^{n}]" for text, n in pieces)
            lines += [_md_block_start(answer.strip()), ""]
            if entry.stale:
                lines += [f"> **{labels['stale']}:** {_md(entry.stale_reason)}", ""]
    if sources.citations:
        lines += [f"## {labels['sources']}", ""]
        lines += [f"[^{i}]: {_md(source_label(c))}." for i, c in enumerate(sources.citations, start=1)]
        lines.append("")
    return "\n".join(lines)


def _csv(faq: FaqFile, path: Path, approved_only: bool) -> None:
    columns = ["id", "group", "question", "answer", "sources", "status", "stale", "stale_reason",
               "language", "audience", "source_chunk_ids"]
    # utf-8-sig: spreadsheet programs then read Chinese text correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for entry in faq.exported(approved_only):
            writer.writerow([
                entry.id, entry.group, entry.shown_question, entry.shown_answer,
                "; ".join(f"[{c.n}] {source_label(c)}" for c in entry.citations),
                entry.status, "yes" if entry.stale else "", entry.stale_reason,
                entry.language, entry.audience, " ".join(s.chunk_id for s in entry.sources),
            ])


def to_json(faq: FaqFile, approved_only: bool = False) -> dict[str, Any]:
    """Return the FAQ as handed out: shown text, status and citations; no review bookkeeping."""
    return {
        "title": faq.title,
        "language": faq.language,
        "audience": faq.request.audience,
        "updated": faq.updated,
        "entries": [
            {
                "id": e.id, "group": e.group, "question": e.shown_question, "answer": e.shown_answer,
                "status": e.status, "stale": e.stale, "stale_reason": e.stale_reason,
                "citations": [
                    {k: getattr(c, k) for k in ("n", "doc_id", "title", "locator", "paragraph", "language", "chunk_id")}
                    for c in e.citations
                ],
            }
            for e in faq.exported(approved_only)
        ],
    }


def _docx(faq: FaqFile, path: Path, approved_only: bool) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    labels = _labels(faq.language)
    entries = faq.exported(approved_only)
    sources = _Sources()
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    if faq.language == "zh":
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    document.core_properties.title = faq.title
    document.add_heading(faq.title, level=0)
    meta = document.add_paragraph(_heading_line(faq, len(entries)))
    meta.runs[0].italic = True
    if any(e.status == "draft" for e in entries):
        document.add_paragraph(labels["drafts_note"]).runs[0].italic = True
    for group, members in _grouped(entries).items():
        if group:
            document.add_heading(group, level=1)
        for entry in members:
            heading = document.add_heading(entry.shown_question, level=2)
            if entry.status == "draft":
                heading.add_run(labels["draft_mark"].replace("_", "")).italic = True
            paragraph = document.add_paragraph()
            for text, n in sources.renumber(entry):
                if n is None:
                    paragraph.add_run(text)
                else:
                    paragraph.add_run(str(n)).font.superscript = True
            if entry.stale:
                warning = document.add_paragraph().add_run(f"{labels['stale']}: {entry.stale_reason}")
                warning.italic = True
                warning.font.color.rgb = RGBColor(0xB0, 0x40, 0x00)
    if sources.citations:
        document.add_heading(labels["sources"], level=1)
        for i, citation in enumerate(sources.citations, start=1):
            document.add_paragraph(f"{i}. {source_label(citation)}.")
    document.save(str(path))


def export_faq(faq: FaqFile, path: Path, *, approved_only: bool = False) -> Path:
    """Write ``faq`` to ``path`` in the format its suffix names (.md, .csv, .json, .docx).

    A path ending in ``.faq.json`` gets the FAQ file itself (every entry, review state
    included), which is what later runs and ``--check`` read.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower().lstrip(".")
    if path.name.endswith(".faq.json"):
        return faq.save(path)
    if suffix in ("md", "markdown"):
        path.write_text(to_markdown(faq, approved_only), encoding="utf-8")
    elif suffix == "csv":
        _csv(faq, path, approved_only)
    elif suffix == "json":
        path.write_text(json.dumps(to_json(faq, approved_only), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif suffix == "docx":
        _docx(faq, path, approved_only)
    else:
        raise AssistantError(
            f"cannot export a FAQ as '{path.suffix or path.name}': use .md, .csv, .json or .docx"
        )
    return path
