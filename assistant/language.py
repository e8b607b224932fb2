"""Detect the language of a question or document (ISO 639-1).

Scripts settle most UN languages at once (Chinese, Arabic, Russian); for Latin-script
text, function words decide short questions reliably, and langdetect (seeded, so the
result is deterministic) handles the rest.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["detect_language", "script_language"]

_SCRIPTS = (
    ("zh", re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)
_STOPWORDS = {
    "en": {"the", "what", "which", "how", "does", "do", "is", "are", "of", "and", "to", "in",
           "for", "who", "why", "when", "about", "should", "can", "with", "its", "their"},
    "fr": {"le", "la", "les", "des", "du", "que", "quels", "quelles", "quel", "quelle", "est",
           "sont", "pour", "dans", "une", "comment", "qui", "sur", "au", "aux", "et", "en"},
    "es": {"el", "la", "los", "las", "del", "que", "qué", "cuáles", "cuál", "es", "son", "para",
           "una", "cómo", "quién", "sobre", "por", "y", "en", "se"},
    "pt": {"o", "os", "as", "do", "da", "dos", "das", "que", "é", "são", "para", "uma", "como",
           "sobre", "não"},
}
_LATIN_LANGUAGES = frozenset({"en", "fr", "es", "pt", "de", "it", "nl", "id", "sw", "tr", "vi", "pl"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def script_language(word: str) -> str | None:
    """Return the language a non-Latin script implies (``"ru"`` for Cyrillic), else ``None``."""
    for code, pattern in _SCRIPTS:
        if pattern.search(word):
            return code
    return None


def detect_language(text: str, default: str = "en") -> str:
    """Return the ISO 639-1 code of ``text``'s main language, ``default`` when unsure."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return default
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(text)) / len(letters) > 0.15:
            return code
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {code: sum(w in stop for w in words) for code, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda c: scores[c])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] >= 2 and ranked[0] >= 2 * ranked[1]:
        return best
    if len(words) < 4:
        return best if ranked[0] > ranked[1] else default  # too short for statistics
    detected = _langdetect(text[:2000], default)
    return detected if detected in _LATIN_LANGUAGES else default


@lru_cache(maxsize=1024)
def _langdetect(text: str, default: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        code = detect(text)
    except LangDetectException:
        return default
    return code.split("-")[0]
