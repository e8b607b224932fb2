"""The documents a question names by a word of their title ("SER", "Peatland ACTION", "Kissimmee").

"How many tonnes of CO2 does Peatland ACTION save?" asks a figure of that one case. A name
is a capitalised Latin word inside a sentence, or an acronym, standing alone even in a
question in another script ("SER国际标准" names "SER"); a name in the titles of more than
``most`` documents ("CBD", "Restoration") names no one of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["named_documents", "title_names"]

# A capitalised word or acronym of three letters or more, in Latin script (accents too),
# standing alone: not inside a longer word ("SER国际标准" gives "SER").
_NAME = re.compile(r"(?<![A-Za-zÀ-ÿ0-9-])[A-Z][A-Za-zÀ-ÿ0-9-]{2,}")
_SENTENCE_END = ".!?¿¡。？！"


def title_names(text: str) -> list[str]:
    """The capitalised Latin words of ``text`` that may be names.

    A sentence's first word is capitalised whatever it is ("What…", "Which…"), so it counts
    only when it is capitalised beyond its first letter ("SER standards…").
    """
    names: list[str] = []
    for match in _NAME.finditer(text):
        word = match.group(0)
        opens = match.start() == 0 or text[: match.start()].rstrip()[-1:] in _SENTENCE_END
        if opens and word[1:].islower():
            continue
        if word not in names:
            names.append(word)
    return names


def named_documents(text: str, titles: Mapping[str, str], most: int = 2) -> set[str]:
    """The documents (of ``titles``: document id → title) that ``text`` names by a word of their title."""
    named: set[str] = set()
    for word in title_names(text):
        # An acronym is written so ("ACTION", not the "action plan"); a name in any case.
        flags = 0 if sum(ch.isupper() for ch in word) > 1 else re.IGNORECASE
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", flags)
        hits = {doc_id for doc_id, title in titles.items() if pattern.search(title)}
        if len(hits) <= most:
            named |= hits
    return named
