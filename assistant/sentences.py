"""Split passage text into sentences, in Chinese and Latin scripts."""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# Split after 。！？ (and ；, which ends Chinese clauses in decisions), or after . ! ? ;
# followed by space and a capital, digit, quote or bracket. "para. 1(b)", "e.g. the" and
# "No. 5" stay whole because a lowercase word or a digit after an abbreviation does not split.
_SPLIT = re.compile(
    r"(?<=[。！？])\s*"
    r"|(?<=[.!?])\s+(?=[\"“(\[A-Z\u00c0-\u00de¿¡])"
    r"|\n+"
)
_ABBREVIATIONS = re.compile(r"\b(?:para|paras|e\.g|i\.e|no|art|arts|fig|vol|p|pp|cf|etc|Dr|Mr|Ms|St)\.$", re.I)


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` in order, whitespace-trimmed, none empty."""
    parts: list[str] = []
    for piece in _SPLIT.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if parts and _ABBREVIATIONS.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts
