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
from dataclasses import dataclass

from assistant.records import Section

__all__ = [
    "DecisionHeading",
    "find_decision_heading",
    "join_lines",
    "looks_like_decision",
    "parse_decision",
]

# Lead verbs of preambular paragraphs, longest first so "Also noting" wins over "Noting".
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
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_HEADING = re.compile(r"^\s*([IVXL]+/\d+)\.\s+(\S.*?)\s*$", re.MULTILINE)
_NUMBER = re.compile(r"^\s*\[?(\d{1,2})\.\s")
_LETTER = re.compile(r"^\s*\(([a-z])\)\s*")
_CHAPEAU = re.compile(r"^\s*(缔约方大会[，,]|The Conference of the Parties,|La Conférence des Parties,|La Conferencia de las Partes,)\s*$")
_END = re.compile(r"^\s*(-\s*){3,}$")


@dataclass(frozen=True)
class DecisionHeading:
    """The decision's symbol (``XI/16``) and title, as printed in its heading line."""

    symbol: str
    title: str


def find_decision_heading(text: str) -> DecisionHeading | None:
    """Return the decision heading (``XI/16. Ecosystem restoration``) if the text has one."""
    match = _HEADING.search(text)
    if not match:
        return None
    return DecisionHeading(symbol=match.group(1), title=match.group(2).strip())


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


def parse_decision(text: str) -> list[Section]:
    """Split a decision's text into preambular and operative (sub-)paragraph sections.

    Returns sections in document order with ``paragraph`` set to ``pp1``…``ppN``,
    ``1``, ``1(a)``… and, for sub-paragraphs, ``context`` set to the paragraph's chapeau.
    Text before ``The Conference of the Parties,`` (title block, notes) is not a paragraph.
    """
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if _CHAPEAU.match(line)), 0)
    blocks: list[tuple[str, list[str]]] = []  # (paragraph id, lines)
    preamble_count = 0
    number = 0
    letter = ""
    for line in lines[start:]:
        if _END.match(line):
            break
        if not line.strip():
            continue
        num = _NUMBER.match(line)
        let = _LETTER.match(line)
        if num and int(num.group(1)) == number + 1:
            number += 1
            letter = ""
            blocks.append((str(number), [line]))
        elif let and number and let.group(1) == (chr(ord(letter) + 1) if letter else "a"):
            letter = let.group(1)
            blocks.append((f"{number}({letter})", [line]))
        elif not number and _preamble_start(line):
            preamble_count += 1
            blocks.append((f"pp{preamble_count}", [line]))
        elif blocks:
            blocks[-1][1].append(line)
    sections: list[Section] = []
    chapeaus: dict[str, str] = {}
    for paragraph, block_lines in blocks:
        body = join_lines(block_lines)
        if paragraph.isdigit():
            chapeaus[paragraph] = body
        base = paragraph.split("(")[0]
        context = chapeaus.get(base, "") if "(" in paragraph else ""
        locator = f"para. {paragraph}" if not paragraph.startswith("pp") else f"preambular para. {paragraph[2:]}"
        sections.append(Section(text=body, locator=locator, paragraph=paragraph, context=context))
    return sections
