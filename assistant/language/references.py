"""References a text makes to decisions and their paragraphs, in the six UN languages.

"XI/16", "第XI/16号决定", "paragraph 1(b)", "párrafo 5 c)", "第2(e)段", "the decision": read
by retrieval (to prefer the text named), by the premise checks (to refuse a paragraph that
does not exist) and by provenance (a heading that claims a decision's symbol).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "LOCATOR_WORDS", "NUMBERED_LOCATOR", "asks_about_a_decision", "asks_for_sources", "instrument",
    "locator_keys", "named_annexes", "named_paragraphs", "named_symbols", "names_numbered", "other_annex",
    "reference_phrases", "table_cells", "without_symbols",
]

_SYMBOL = re.compile(r"(?<![A-Za-z])([IVX]{1,5}/\d{1,2})(?!\d)", re.IGNORECASE)

_PARAGRAPH = re.compile(
    r"(?P<pre>preambular\s+)?(?:sub-?)?(?:paragraph|para\.?|párrafo|paragraphe|apartado|inciso|alinéa|пункт[а-я]*|الفقرة)\s*"
    r"(?P<n>\d{1,2})\s*(?:\(\s*(?P<l>[a-z])\s*\)|(?P<l2>[a-z])\))?"
    r"|(?P<zpre>序言部分?)?第\s*(?P<zn>\d{1,2})\s*(?:\(\s*(?P<zl>[a-z])\s*\)\s*)?段",
    re.IGNORECASE,
)

# "The decision", "this decision", "该决定", "决定是否…", "la décision", "la decisión".
_A_DECISION = re.compile(
    r"\b(?:the|this) decision\b|\bla d[ée]cisi[oó]n\b|\bel decisi[oó]n\b|(?:该|本|此|这项)决定"
    r"|(?:^|[，。？、\s])决定(?:第|是否|有没有|要求|建议|关于|鼓励|支持|提到|中|里)",
    re.IGNORECASE,
)

# Questions about provenance keep reference-list passages in the evidence.
_ASKS_FOR_SOURCES = re.compile(
    r"\b(?:sources?|references?|bibliograph\w*|cited|citations?|fuentes?|références?|bibliografía)\b"
    r"|来源|出处|参考|文献",
    re.IGNORECASE,
)


# Ramsar numbers its resolutions "XIII.13" (session, dot, number); the CBD ("XI/16", "16/31")
# and UNCCD ("3/COP.15") number decisions with a slash.
_RESOLUTION = re.compile(r"^[IVXL]+\.\d+\b")


def instrument(symbol: str) -> str:
    """Name what a symbol numbers: ``"resolution"`` (Ramsar's "XIII.13") or ``"decision"``."""
    return "resolution" if _RESOLUTION.match(symbol.strip()) else "decision"


# The word for a decision in the six languages (Chinese writes it after the number: "号决定").
_DECISION_WORD = r"(?:decisions?|d[ée]cisions?|decisi[oó]n(?:es)?|dec\.|решени[еяюи]|المقرر)"

# A Roman-numbered symbol with the word naming it: "la décision XI/16", "решение XI/16",
# "第XI/16号决定".
_NAMED_DECISION = re.compile(
    rf"\b(?:(?:(?:the|la|el|le)\s+|l')?{_DECISION_WORD}\s+)"
    r"(?=[IVX]{1,5}/\d)"
    r"|(?<=[IVX]/\d)(?:\d?\s*号?\s*决定)",
    re.IGNORECASE,
)

# Decisions numbered in Arabic figures since COP 13 ("16/31", "15/4"): named as decisions
# ("decision 16/31", "第16/31号决定", "CBD/COP/DEC/16/31"), since a bare "16/31" may be anything.
_NUMBERED_DECISION = re.compile(
    rf"(?:\b{_DECISION_WORD}\s+|/DEC/|第\s*)"
    r"(\d{1,2}/\d{1,2})(?![\d/])",
    re.IGNORECASE,
)


def named_symbols(text: str) -> set[str]:
    """Decision symbols named in a text ("XI/16", "第XI/16号决定", "decision 16/31", "المقرر 11/16").

    The CBD numbered its meetings in Roman figures up to the twelfth and in Arabic ones
    since the thirteenth; the Arabic and Chinese texts of every UN document write Arabic
    figures throughout. "المقرر 11/16" is decision XI/16, so a meeting up to the twelfth
    is read in Roman figures.
    """
    numbered = {_roman_meeting(s) for s in _NUMBERED_DECISION.findall(text)}
    return {m.upper() for m in _SYMBOL.findall(text)} | numbered


def without_symbols(text: str) -> str:
    """Return ``text`` without the decisions it names: what it asks about them.

    "¿Qué dice la decisión XI/16 sobre la resiliencia?" → "¿Qué dice sobre la resiliencia?".
    The symbol and the word naming it ("la décision", "第…号决定") say which document,
    not what in it.
    """
    stripped = _SYMBOL.sub(" ", _NAMED_DECISION.sub(" ", text))
    stripped = _NUMBERED_DECISION.sub(" ", stripped)
    return re.sub(r"[ \t]{2,}", " ", stripped).strip()


def _roman_meeting(symbol: str) -> str:
    """Write a numbered decision's meeting in Roman figures up to the twelfth ("11/16" -> "XI/16")."""
    meeting, number = symbol.split("/")
    if not 1 <= int(meeting) <= _LAST_ROMAN_MEETING:
        return symbol
    value, roman = int(meeting), ""
    for amount, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= amount:
            roman, value = roman + letters, value - amount
    return f"{roman}/{number}"


# The last Conference of the Parties whose decisions are numbered in Roman figures (XII/19).
_LAST_ROMAN_MEETING = 12


def named_paragraphs(text: str) -> set[str]:
    """Paragraphs a text names ("paragraph 2", "para. 1(b)", "第2(e)段", "párrafo 5 c)")."""
    found: set[str] = set()
    for m in _PARAGRAPH.finditer(text):
        number = m.group("n") or m.group("zn")
        letter = (m.group("l") or m.group("l2") or m.group("zl") or "").lower()
        preamble = m.group("pre") or m.group("zpre")
        found.add(f"pp{number}" if preamble else f"{number}({letter})" if letter else number)
    return found


def reference_phrases(text: str) -> list[str]:
    """Return the paragraphs and numbered parts a text names, as written, in order.

    ("paragraph 2(g)", "Target 14", "第5段"): what a follow-up such as "shorter, please"
    still refers to.
    """
    found = [*_PARAGRAPH.finditer(text), *NUMBERED_LOCATOR.finditer(text)]
    return [m.group(0).strip() for m in sorted(found, key=lambda m: m.start())]


def asks_about_a_decision(text: str) -> bool:
    """Whether a question is about "the decision" (a decision it does not name by symbol)."""
    return bool(_A_DECISION.search(text))


def asks_for_sources(text: str) -> bool:
    """Whether a question asks about sources or references (reference lists then count)."""
    return bool(_ASKS_FOR_SOURCES.search(text))


# Numbered parts of a text a question may name: "Target 2", "meta 2", "الغاية 2", "目标2",
# "第2项目标", by kind (Arabic with its article or "li-": "للهدف 2"). Goals and targets are
# one kind: a table heads one column "Goal/target", and "objectif" names either.
_LOCATOR_KINDS = {
    "target": r"targets?|goals?|objectives?|metas?|objetivos?|cibles?|objectifs?|цел[ьи]|задач[аи]"
    r"|و?(?:ال|لل)?(?:هدف|غاية)",
    "principle": r"principles?|principios?|principes?|принцип[ы]?|و?(?:ال|لل)?مبدأ",
    "article": r"articles?|art[íi]culos?|стать[яи]|و?(?:ال|لل)?مادة",
    "annex": r"annex(?:es)?|anexos?|annexes?|приложени[ея]|و?(?:ال|لل)?مرفق",
}
_CHINESE_KINDS = {"目标": "target", "原则": "principle", "条": "article"}
LOCATOR_WORDS = "|".join(_LOCATOR_KINDS.values())
NUMBERED_LOCATOR = re.compile(
    rf"\b(?:{LOCATOR_WORDS})\s+(\d{{1,2}})(?!\d)|(?:目标|原则)\s*(\d{{1,2}})(?!\d)"
    r"|第\s*(\d{1,2})\s*(?:项|个)?(?:目标|原则|条)",
    re.IGNORECASE,
)


def names_numbered(text: str, number: str) -> bool:
    """Whether ``text`` names a numbered target/goal/… ``number``, alone or in a list.

    A table names it too when a column headed by such a word ("Goal/target") holds the
    number in one of its rows.
    """
    return any(key.split("#")[1] == number for key in locator_keys(text))


# "Targets 2 and 3", "metas 2 y 3", "目标2和3", "第2项目标", "第8条": a kind and its numbers.
_LISTED = r"(?:\d{1,2}\s*(?:,|and|or|y|o|et|ou|to|-|–|和|、|и)\s*)*\d{1,2}"
_NAMED_NUMBERS = re.compile(
    rf"\b(?P<word>{LOCATOR_WORDS})\s+(?P<numbers>{_LISTED})(?!\d)"
    rf"|(?P<zword>目标|原则)\s*(?P<znumbers>{_LISTED})(?!\d)|第\s*(?P<zn>\d{{1,2}})\s*(?:项|个)?(?P<zword2>目标|原则|条)",
    re.IGNORECASE,
)


def locator_keys(text: str) -> list[str]:
    """Return search keys for the numbered parts ``text`` names: "target#2", "article#8".

    "Target 2", "meta 2", "cible 2" and "目标2" give one key, so BM25 can match the part
    itself across languages and spellings, as one rare term rather than a common word and
    a number. A table names the numbers in its columns headed by a locator word ("Goal/target").
    """
    text = unicodedata.normalize("NFKC", text)
    keys: list[str] = []
    for match in _NAMED_NUMBERS.finditer(text):
        if match.group("word"):
            kind, numbers = _kind_of(match.group("word")), match.group("numbers")
        else:
            kind = _CHINESE_KINDS[match.group("zword") or match.group("zword2")]
            numbers = match.group("znumbers") or match.group("zn")
        keys.extend(f"{kind}#{n}" for n in re.findall(r"\d+", numbers))
    keys.extend(_table_keys(text))
    return keys


# An annex named with its number in Roman or Arabic figures: "annex II", "l'annexe II",
# "anexo 2", "приложение II", "المرفق 2", "附件二".
_ANNEX = re.compile(
    r"\b(?:annex(?:e|es)?|anexos?|приложени[еяию])\s+([IVX]{1,4}|\d{1,2})\b|(?:المرفق|الملحق)\s+(\d{1,2}|[IVX]{1,4})\b"
    r"|附件\s*([一二三四五六七八九十]|\d{1,2}|[IVX]{1,4})",
    re.IGNORECASE,
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_CHINESE_NUMERALS = "一二三四五六七八九十"


def named_annexes(text: str) -> frozenset[int]:
    """The numbers of the annexes ``text`` names ("annex II", "l'annexe 2", "附件二" → 2)."""
    return frozenset(_annex_number(next(g for g in m.groups() if g)) for m in _ANNEX.finditer(text))


def other_annex(asked: frozenset[int], locator: str) -> bool:
    """Whether a passage's locator places it in another annex than the ones a question names.

    Annexes of one decision repeat their parts ("Target 22" is a row of annex II's
    indicator table and a section of annex III's reporting template): the one named decides.
    """
    if not asked:
        return False
    placed = named_annexes(locator)
    return bool(placed) and placed.isdisjoint(asked)


def _annex_number(number: str) -> int:
    if number.isdigit():
        return int(number)
    if number in _CHINESE_NUMERALS:
        return _CHINESE_NUMERALS.index(number) + 1
    values = [_ROMAN_VALUES[c] for c in number.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _kind_of(word: str) -> str:
    return next(kind for kind, words in _LOCATOR_KINDS.items() if re.fullmatch(words, word, re.IGNORECASE))


def _table_keys(text: str) -> list[str]:
    """Keys for the numbers in a Markdown table's columns headed by locator words."""
    rows = [line.strip() for line in text.split("\n") if line.strip().startswith("|")]
    if len(rows) < 3:
        return []
    kinds: dict[int, list[str]] = {}
    for i, cell in enumerate(table_cells(rows[0])):
        found = [_kind_of(m.group(0)) for m in re.finditer(rf"\b(?:{LOCATOR_WORDS})\b", cell, re.IGNORECASE)]
        found += [kind for word, kind in _CHINESE_KINDS.items() if word in cell and word != "条"]  # not 条件
        if found:
            kinds[i] = list(dict.fromkeys(found))
    return [
        f"{kind}#{row[i]}"
        for row in map(table_cells, rows[2:])
        for i, column_kinds in kinds.items()
        if i < len(row) and re.fullmatch(r"\d{1,2}", row[i])
        for kind in column_kinds
    ]


def table_cells(row: str) -> list[str]:
    """Return the cells of a Markdown table row; an escaped bar stays inside its cell."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]
