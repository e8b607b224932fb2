"""Abbreviations the corpus defines, spelled out in questions before searching.

Practitioners write "COP", "SBSTTA" or "FLR"; the decisions write "Conference of the
Parties". Neither BM25 nor the small embedding model links the two, so a question about
"earlier COP decisions" missed "previous decisions of the Conference of the Parties".
The definitions are read from the corpus itself ("Conference of the Parties (COP)"),
with the Schwartz–Hearst rule for matching a short form to its long form, so a new
document's abbreviations are learned at the next index build.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

__all__ = ["expand_acronyms", "find_acronyms"]

# "long form (SHORT)": the short form has 2-10 characters, at least two of them capitals.
_SHORT = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9&-]{1,9})\s*\)")
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# A long form does not run over a sentence or clause boundary.
_BOUNDARY = re.compile(r"[.;:!?\n\"“”]|,\s")


def _is_short_form(token: str) -> bool:
    return sum(c.isupper() for c in token) >= 2 and token[0].isalpha()


def _long_form(short: str, text: str) -> str | None:
    """Return the shortest tail of ``text`` whose letters spell ``short``.

    Schwartz & Hearst (2003): the short form's letters are matched right to left; its
    first letter must start a word.
    """
    letters = [c.lower() for c in short if c.isalnum()]
    i = len(text) - 1
    for n in range(len(letters) - 1, -1, -1):
        c = letters[n]
        while i >= 0 and (text[i].lower() != c or (n == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
    start = text.rfind(" ", 0, i + 1) + 1
    if text[start].islower():  # "Framework for … (FERM)" matched its F to "for"
        previous = text.rfind(" ", 0, max(0, start - 1)) + 1
        if start and text[previous].lower() == text[start]:
            start = previous
    return text[start:].strip()


def find_acronyms(texts: Sequence[str], *, min_unabbreviated: int = 2) -> dict[str, str]:
    """Map each short form defined in ``texts`` to its most frequent long form.

    Only short forms whose long form stands alone (without the abbreviation) in at least
    ``min_unabbreviated`` texts are kept: where the two always appear together, spelling
    the long form out finds nothing new and only favours the passage that defines it.
    """
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for match in _SHORT.finditer(text):
            short = match.group(1)
            if not _is_short_form(short):
                continue
            preceding = text[max(0, match.start() - 200) : match.start()].split(")")[-1]
            before = _BOUNDARY.split(preceding)[-1]
            words = _WORD.findall(before)
            limit = min(len(short) + 5, 2 * len(short))
            window = " ".join(words[-limit:])
            long = _long_form(short, window)
            if long and len(_WORD.findall(long)) >= 2 and long.casefold() != short.casefold():
                seen[short][long] += 1
    found = {short: forms.most_common(1)[0][0] for short, forms in seen.items()}
    folded = [text.casefold() for text in texts]
    kept: dict[str, str] = {}
    for short, long in found.items():
        written_out = long.casefold()
        abbreviation = re.compile(rf"(?<![\w/]){re.escape(short)}(?![\w/])")
        alone = sum(
            written_out in fold and not abbreviation.search(text)
            for text, fold in zip(texts, folded, strict=True)
        )
        if alone >= min_unabbreviated:
            kept[short] = long
    return kept


def expand_acronyms(query: str, acronyms: dict[str, str]) -> str:
    """Spell out each defined short form in ``query`` once: "COP" → "COP (Conference of the Parties)".

    A long form the question already contains is not repeated.
    """
    if not acronyms:
        return query
    done: set[str] = set()
    folded = query.casefold()

    def spell(match: re.Match[str]) -> str:
        short = match.group(0)
        long = acronyms.get(short)
        if long is None or short in done or long.casefold() in folded:
            return short
        done.add(short)
        return f"{short} ({long})"

    return re.sub(r"(?<![\w/])[A-Za-z][A-Za-z0-9&-]{1,9}(?![\w/])", spell, query)
