"""Country and continent names translated into the corpus's main language.

The small multilingual embedding model links "卢旺达" to "Rwanda" only weakly, and BM25
not at all, so a Chinese question about Rwanda's restoration found Chinese decision
text instead of the English case study. The names come from the Unicode CLDR (through
Babel) in the six UN languages.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from assistant.language.scripts import is_han

__all__ = ["expand_places"]

UN_LOCALES = ("en", "zh", "zh_Hant", "es", "fr", "ru", "ar")
# World regions worth translating (CLDR numeric codes); the finer ones ("中非", Middle
# Africa) are too easily found inside unrelated Chinese words.
_REGIONS = frozenset({"002", "009", "019", "142", "150", "419"})


# Where UN documents name a country otherwise than CLDR's English ("Viet Nam", not
# "Vietnam"), the corpus follows the UN, and BM25 needs its spelling.
_UN_ENGLISH = {
    "BO": "Bolivia (Plurinational State of)",
    "CD": "Democratic Republic of the Congo",
    "CI": "Côte d'Ivoire",
    "CZ": "Czechia",
    "IR": "Iran (Islamic Republic of)",
    "KP": "Democratic People's Republic of Korea",
    "KR": "Republic of Korea",
    "LA": "Lao People's Democratic Republic",
    "MD": "Republic of Moldova",
    "RU": "Russian Federation",
    "SY": "Syrian Arab Republic",
    "TR": "Türkiye",
    "TZ": "United Republic of Tanzania",
    "VE": "Venezuela (Bolivarian Republic of)",
    "VN": "Viet Nam",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


@cache
def _names(target: str) -> tuple[dict[str, str], re.Pattern[str]] | None:
    """Every UN-language name of each territory → its name in ``target``; one pattern for all.

    ``None`` when CLDR has no names in ``target``.
    """
    from babel import Locale, UnknownLocaleError

    try:
        wanted = Locale.parse(target).territories
    except (UnknownLocaleError, ValueError):
        return None
    if target.split("_")[0] == "en":
        wanted = {**wanted, **_UN_ENGLISH}
    names: dict[str, str] = {}
    for locale in UN_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code in wanted and (code.isalpha() or code in _REGIONS) and len(name) >= 2:
                names.setdefault(_fold(name), wanted[code])
    # Longest first (印度尼西亚 before 印度); whole words, except in Chinese, which has no spaces.
    alternatives = sorted(names, key=len, reverse=True)
    words = "|".join(re.escape(a) for a in alternatives if not _is_cjk(a))
    chinese = "|".join(re.escape(a) for a in alternatives if _is_cjk(a))
    return names, re.compile(rf"(?<!\w)(?:{words})(?!\w)|{chinese}")


def _is_cjk(text: str) -> bool:
    return all(is_han(c) for c in text)


def expand_places(query: str, language: str, target: str) -> str:
    """Append the ``target``-language names of the places ``query`` names in another language.

    "卢旺达恢复了多少公顷？" → "卢旺达恢复了多少公顷？ (Rwanda)"; a question already in
    ``target`` is returned unchanged.
    """
    if not target or language == target or language.split("-")[0] == target:
        return query
    known = _names(target)
    if known is None:
        return query  # no CLDR data for that language: search the question as asked
    names, pattern = known
    asked = query.casefold()
    found: list[str] = []
    for match in pattern.finditer(_fold(query)):
        name = names[match.group(0)]
        if name not in found and name.casefold() not in asked:
            found.append(name)
    return f"{query} ({'; '.join(found)})" if found else query
