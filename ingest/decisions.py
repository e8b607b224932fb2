"""Parse the structure of a COP decision: preambular and operative (sub-)paragraphs.

Text extracted from PDFs breaks lines mid-sentence and even leaves blank lines inside
paragraphs, so paragraph boundaries come from the markers a decision always has:
preambular paragraphs open with a lead verb (``Noting``, ``注意到``), operative ones with
``1.`` and lettered sub-paragraphs with ``(a)``. Numbers and letters are accepted only in
sequence, so a wrapped line that happens to start with ``2020`` or ``(i)`` is not mistaken
for a new paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.records import Section
from assistant.language.scripts import CJK_TEXT
from ingest.formats.pdf_layout import Block
from ingest.tables import Tables

__all__ = [
    "DecisionHeading",
    "DecisionInfo",
    "annex_start",
    "decision_info",
    "parse_annexes",
    "find_decision_heading",
    "join_lines",
    "looks_like_decision",
    "parse_decision",
]

# Lead verbs of preambular paragraphs, longest first so "Also noting" wins over "Noting".
# fmt: off
_PREAMBLE_VERBS = sorted(
    [
        # English
        "Noting", "Also noting", "Further noting", "Noting with concern", "Noting with appreciation",
        "Recognizing", "Also recognizing", "Further recognizing", "Recognising", "Also recognising",
        "Emphasizing", "Emphasising", "Stressing", "Recalling", "Also recalling", "Welcoming",
        "Reaffirming", "Acknowledging", "Bearing in mind", "Aware", "Concerned", "Considering",
        "Taking note", "Mindful", "Affirming", "Underlining", "Highlighting",
        # Chinese
        "注意到", "还注意到", "又注意到", "关切地注意到", "赞赏地注意到", "认识到", "还认识到",
        "又认识到", "强调", "还强调", "回顾", "还回顾", "欢迎", "重申", "确认", "铭记", "意识到",
        "关切", "考虑到", "申明",
        # French / Spanish
        "Notant", "Notant également", "Reconnaissant", "Soulignant", "Rappelant", "Tomando nota",
        "Observando", "Reconociendo", "Destacando", "Recordando", "Subrayando",
    ],
    key=len,
    reverse=True,
)
# fmt: on
_CJK = CJK_TEXT
# Decision headings of every numbering style, tried in order: "XI/16. Title",
# "16/31. Title" (CBD since COP 14), "Resolution XIII.13[: Title]" (Ramsar) and
# "Decision 3/COP.15[: Title]" (UNCCD); a title on the next line is taken from there.
_HEADINGS = (
    re.compile(r"^\s*([IVXL]+/\d+)\.\s+(\S.*?)\s*$", re.MULTILINE),
    re.compile(r"^\s*(\d{1,2}/\d{1,3})\.\s+(\S.*?)\s*$", re.MULTILINE),
    re.compile(
        r"^\s*Resolution\s+([IVXL]+\.\d+(?:\s*\(Rev\.[^)]*\))?)\s*[:.]?[ \t]*(.*?)\s*$",
        re.MULTILINE,
    ),
    re.compile(r"^\s*Decision\s+(\d{1,2}/COP\.\d{1,2})\s*[:.]?[ \t]*(.*?)\s*$", re.MULTILINE),
)
_NUMBER = re.compile(r"^\s*\[?(\d{1,2})\.\s")
_LETTER = re.compile(r"^\s*\(([a-z])\)\s*")
_CHAPEAU = re.compile(
    r"^\s*(缔约方大会[，,]|The Conference of the Parties,|La Conférence des Parties,"
    r"|La Conferencia de las Partes,|(?i:the conference of the contracting parties),?)\s*$"
)
_END = re.compile(r"^\s*((-\s*){3,}|_{3,})$")
# "Annex I", "ANNEX", "Appendix 2", optionally followed by the annex's title on the same line.
_ANNEX = re.compile(
    r"^\s*(?:Annex|ANNEX|Appendix|APPENDIX)(?:\s+([IVXL]+|\d{1,2}|[A-Z]))?\b[.:]?\s*([A-Z][^.,;]*)?$"
)


@dataclass(frozen=True)
class DecisionHeading:
    """The decision's symbol (``XI/16``) and title, as printed in its heading line."""

    symbol: str
    title: str


def find_decision_heading(text: str) -> DecisionHeading | None:
    """Return the decision heading (``XI/16. Ecosystem restoration``) if the text has one."""
    for pattern in _HEADINGS:
        match = pattern.search(text)
        if match:
            title = match.group(2).strip()
            if not title:  # the title is the next non-empty line
                rest = text[match.end() :].lstrip().splitlines()
                title = rest[0].strip() if rest else ""
            return DecisionHeading(symbol=re.sub(r"\s+", " ", match.group(1)), title=title)
    return None


def looks_like_decision(text: str) -> bool:
    """Whether text has a decision's heading line and its "The Conference of the Parties," line.

    Both are needed: notes that merely quote "XI/16. Ecosystem restoration" are not a decision.
    """
    return find_decision_heading(text) is not None and any(
        _CHAPEAU.match(line) for line in text.splitlines()
    )


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space between words."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(line[0])):
            out += " "
        out += line
    return out


def _preamble_start(line: str) -> bool:
    stripped = line.strip()
    for verb in _PREAMBLE_VERBS:
        if stripped.startswith(verb):
            rest = stripped[len(verb) :]
            # A lead verb is followed by a space, comma or a non-letter (CJK has no spaces).
            if not rest or not rest[0].isalpha() or _CJK.match(verb[0]):
                return True
    return False


def parse_decision(text: str, pages: Sequence[int] | None = None) -> list[Section]:
    """Split a decision's text into preambular and operative (sub-)paragraph sections.

    Returns sections in document order with ``paragraph`` set to ``pp1``…``ppN``,
    ``1``, ``1(a)``… and, for sub-paragraphs, ``context`` set to the paragraph's chapeau.
    Text before ``The Conference of the Parties,`` (title block, notes) is not a paragraph,
    except numbered preambular paragraphs printed before it (Ramsar resolutions), whose
    numbering the operative paragraphs continue. The body ends at an end marker or at
    an annex heading. ``pages`` gives each line's page: sections then carry the page of
    their first line and their locator says it (``para. 27 (p. 8)``).
    """
    lines = text.splitlines()
    chapeau = next((i for i, line in enumerate(lines) if _CHAPEAU.match(line)), -1)
    blocks: list[tuple[str, int, list[str]]] = []  # (paragraph id, first line, lines)
    number = 0
    if chapeau > 0:
        heading = next(
            (i for i, line in enumerate(lines[:chapeau]) if find_decision_heading(line)), 0
        )
        before = _numbered_blocks(lines, heading + 1, chapeau, 0, preamble=True)
        if before:
            blocks += before
            number = int(before[-1][0][2:])
    blocks += _numbered_blocks(lines, chapeau + 1, len(lines), number, preamble=False)
    return _sections(blocks, pages)


def _numbered_blocks(
    lines: list[str], start: int, stop: int, number: int, *, preamble: bool
) -> list[tuple[str, int, list[str]]]:
    """Blocks of lines by paragraph marker, numbers and letters accepted only in sequence."""
    blocks: list[tuple[str, int, list[str]]] = []
    preamble_count = 0
    letter = ""
    for index in range(start, stop):
        line = lines[index]
        if _END.match(line) or (_ANNEX.match(line) and blocks):
            break
        if not line.strip():
            continue
        num = _NUMBER.match(line)
        let = _LETTER.match(line)
        if num and int(num.group(1)) == number + 1:
            number += 1
            letter = ""
            blocks.append((f"pp{number}" if preamble else str(number), index, [line]))
        elif (
            let
            and number
            and not preamble
            and let.group(1) == (chr(ord(letter) + 1) if letter else "a")
        ):
            letter = let.group(1)
            blocks.append((f"{number}({letter})", index, [line]))
        elif not number and not preamble and _preamble_start(line):
            preamble_count += 1
            blocks.append((f"pp{preamble_count}", index, [line]))
        elif blocks:
            blocks[-1][2].append(line)
    return blocks


def _sections(
    blocks: list[tuple[str, int, list[str]]], pages: Sequence[int] | None
) -> list[Section]:
    sections: list[Section] = []
    chapeaus: dict[str, str] = {}
    for paragraph, first, block_lines in blocks:
        body = join_lines(block_lines)
        if paragraph.isdigit():
            chapeaus[paragraph] = body
        base = paragraph.split("(")[0]
        context = chapeaus.get(base, "") if "(" in paragraph else ""
        locator = (
            f"para. {paragraph}"
            if not paragraph.startswith("pp")
            else f"preambular para. {paragraph[2:]}"
        )
        page = pages[first] if pages is not None and first < len(pages) else None
        if page is not None:
            locator = f"{locator} (p. {page})"
        sections.append(
            Section(text=body, locator=locator, paragraph=paragraph, page=page, context=context)
        )
    return sections


# --- annexes and the title block (PDF decisions) -----------------------------------------

_SUBPARA = re.compile(r"^\s*\(([a-z])\)\s")
_DOC_SYMBOL = re.compile(
    r"\b((?:UNEP/)?CBD/COP/DEC/[\w./-]*\w|ICCD/COP\(\d+\)/[\w./-]*\w|Ramsar COP\d+ Res\. [\w.]+)"
)
_MEETING = re.compile(r"^.*\b(?:meeting|session|Meeting|Session)\b.*$", re.MULTILINE)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = rf"\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?(?:\s+(?:{_MONTHS}))?(?:\s*[–-]\s*\d{{1,2}})?\s+(?:{_MONTHS}),?\s+\d{{4}}"
_PLACE_DATE = re.compile(
    rf"^\s*([A-Z][^\d,\n]*(?:,\s*[A-Z][^\d,\n]*)*),\s*({_DATE})\s*$", re.MULTILINE
)
_ADOPTED = re.compile(rf"\badopted\b[^\n]*?\bon\s+({_DATE})")


@dataclass(frozen=True)
class DecisionInfo:
    """What a decision's first page says about it: symbols, meeting, place and dates."""

    symbol: str
    document: str = ""
    meeting: str = ""
    place: str = ""
    dates: str = ""
    adopted: str = ""

    @property
    def year(self) -> int | None:
        """Year of adoption, else of the meeting."""
        found = re.findall(r"\d{4}", self.adopted or self.dates)
        return int(found[-1]) if found else None


def decision_info(text: str) -> DecisionInfo | None:
    """Read symbol, document symbol, meeting, place and dates from a decision's opening text."""
    heading = find_decision_heading(text)
    if heading is None:
        return None
    head = text[: text.find(heading.title) if heading.title in text else 3000]
    document = _DOC_SYMBOL.search(text)
    meeting = _MEETING.search(head)
    place = _PLACE_DATE.search(head)
    adopted = _ADOPTED.search(head)
    return DecisionInfo(
        symbol=heading.symbol,
        document=re.sub(r"\s+", "", document.group(1)) if document else "",
        meeting=meeting.group(0).strip() if meeting else "",
        place=place.group(1).strip() if place else "",
        dates=place.group(2).strip() if place else "",
        adopted=adopted.group(1).strip() if adopted else "",
    )


def annex_start(lines: Sequence[str]) -> int | None:
    """Index of the first annex heading after the decision's chapeau, if any."""
    chapeau = next((i for i, line in enumerate(lines) if _CHAPEAU.match(line)), 0)
    return next((i for i in range(chapeau, len(lines)) if _ANNEX.match(lines[i])), None)


def parse_annexes(blocks: Sequence[Block]) -> list[Section]:
    """Cut a decision's annexes into paragraphs, sub-paragraphs and tables.

    Each locator names its annex (``annex I, para. 3 (p. 14)``, ``annex I, table 1 (p. 6)``).

    ``blocks`` start at the first annex heading; tables continued on the next page under
    the same header row keep their number.
    """
    sections: list[Section] = []
    annex, title, number, tables = "", "", "", Tables()
    for block in blocks:
        match = _ANNEX.match(block.text) if block.kind != "table" else None
        if match:
            annex = f"annex {match.group(1)}" if match.group(1) else "annex"
            title, number, tables = (match.group(2) or "").strip(), "", Tables()
            continue
        if _END.match(block.text):
            break
        where = f"{annex}, " if annex else ""
        if block.kind == "heading" and not title:
            title = block.text
        elif block.kind == "table":
            context = _annex_title(annex, title)
            sections += [
                Section(
                    p.text,
                    tables.locator(where, p, block.page),
                    page=block.page,
                    heading=title,
                    context=context,
                )
                for p in tables.pieces(block.text)
            ]
        else:
            tables.interrupt()
            num, sub = _NUMBER.match(block.text), _SUBPARA.match(block.text)
            number = num.group(1) if num else number
            label = f"{number}({sub.group(1)})" if sub and number else number if num else ""
            locator = f"{where}para. {label}" if label else (annex or title)
            sections.append(
                Section(
                    block.text,
                    f"{locator} (p. {block.page})",
                    page=block.page,
                    heading=title,
                    context=_annex_title(annex, title),
                )
            )
    return sections


def _annex_title(annex: str, title: str) -> str:
    return f"{annex[:1].upper()}{annex[1:]}: {title}" if annex and title else title
