"""Numbers written in words, and ordinals as keys that are the same in every language.

Reports write "approximately two million hectares" and "the seventh national report";
questions ask "7e rapport national", "séptimo informe", "第七次报告". The patterns that
read amounts read digits, and BM25 cannot match "seventh" with "7e". text2num (MIT) puts
the numbers of English, French, Spanish and four other languages in digits; an ordinal in
digits ("7th", "7ème", "7º", "7-й", "第7", "第七") then becomes the key ``ord#7``, one rare
term that a question and a passage share whatever their languages.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["in_digits", "ordinal_keys"]

# Languages text2num reads.
_TEXT2NUM = frozenset({"en", "fr", "es", "pt", "de", "it", "nl"})
# An ordinal in digits: English, French, Spanish/Portuguese/Italian, German, Russian; then Chinese.
_ORDINAL = re.compile(
    r"(?<![\w.,])(\d{1,3})(?:st|nd|rd|th|e|ème|eme|er|ère|re|\.?º|\.?ª|-(?:й|го|м|я|е|ой|ая|ое|ого|ому|ом))(?![\w])"
    r"|第\s*(\d{1,3}|[一二三四五六七八九十]{1,3})",
    re.IGNORECASE,
)
_CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


@lru_cache(maxsize=4096)
def in_digits(text: str, language: str = "en") -> str:
    """``text`` with the numbers written in words put in digits ("seventh" → "7th"); as is in other languages.

    Isolated small numbers ("one of", "the first time") stay words, as text2num leaves them.
    Kept per text: passages are read question after question.
    """
    if language not in _TEXT2NUM:
        return text
    from text_to_num import alpha2digit

    return alpha2digit(text, language)


def ordinal_keys(text: str, language: str = "en") -> list[str]:
    """The ordinals ``text`` names, as ``ord#N`` keys, in order, once each."""
    keys: list[str] = []
    for match in _ORDINAL.finditer(in_digits(text, language)):
        value = int(match.group(1)) if match.group(1) else _chinese_number(match.group(2))
        key = f"ord#{value}"
        if value and key not in keys:
            keys.append(key)
    return keys


def _chinese_number(numeral: str) -> int:
    """A Chinese numeral below 100 ("七", "十五", "二十一") or digits, as an int (0 when unreadable)."""
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        return _CHINESE_DIGITS.get(numeral, 0) if len(numeral) == 1 else 0
    tens, _, units = numeral.partition("十")
    return (_CHINESE_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CHINESE_DIGITS.get(units, 0) if units else 0)
