"""Writing systems as character ranges, defined once for every module that needs them.

Chinese text has no spaces between words, so tokenizers, sentence splitters, line joiners
and language detection all need to know which characters are Han ideographs (and which
are CJK punctuation and full-width forms).
"""

from __future__ import annotations

import re

__all__ = ["CJK_TEXT", "HAN", "HAN_CHAR", "HAN_RANGES", "SNOWBALL", "WIDE_PUNCTUATION", "is_han"]

# Han ideographs: CJK Extension A and Unified Ideographs, then the compatibility block.
HAN_RANGES = "\u3400-\u9fff\uf900-\ufaff"
# CJK symbols and punctuation (、。「」), and the half- and full-width forms (，：？).
WIDE_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"

HAN = HAN_RANGES  # for use inside a character class: rf"[{HAN}]+"
HAN_CHAR = re.compile(f"[{HAN_RANGES}]")
# Any character of Chinese running text: ideographs and the punctuation set among them.
CJK_TEXT = re.compile(f"[{WIDE_PUNCTUATION}{HAN_RANGES}]")


def is_han(char: str) -> bool:
    """Whether one character is a Han ideograph."""
    return bool(HAN_CHAR.fullmatch(char))


# The Snowball stemmer of each language that has one (PyStemmer's names); Chinese has none
# (jieba segments it instead).
SNOWBALL = {"en": "english", "es": "spanish", "fr": "french", "ru": "russian", "ar": "arabic"}
