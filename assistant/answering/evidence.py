"""Whether the retrieved passages hold what a question asks about: its salient terms.

A question names things ("glyphosate", "Casamance", "库布其"). The words that carry it are
the ones rare in general language, judged by a maintained word-frequency table
(``wordfreq``'s Zipf scale, per language), not by a hand list; a year it names counts too.
When such a term occurs in none of the passages the question is about something the
corpus does not hold, and quoting the nearest text would mislead: the answer is a refusal
that names what is missing (notices in :mod:`assistant.language.notices`).

A term counts as present when a passage, or a translation of that passage in the corpus,
contains it, its Snowball stem (the stemmers the lexical index uses), an acronym's words,
or a spelling within a small edit distance (a typo). A word is judged only against
passages in its own language; a name against every passage of its script. A term found
anywhere in the corpus is a topic word of the corpus, not a sign of a foreign subject.

Questions addressed to the assistant itself (its opinion, its rules, a task of invention)
are recognised here too, from the grammar of address rather than from topics.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering.presence import WORD as _WORD
from assistant.answering.presence import Evidence, corpus_evidence, script_of
from assistant.core.records import Source
from assistant.core.settings import Settings
from assistant.language.cues import GENERIC_YOU, INVENT, SECOND_PERSON
from assistant.language.notices import JOINERS, KINDS, MESSAGES, QUOTES, kind_name, message
from assistant.language.references import NUMBERED_LOCATOR, names_numbered
from assistant.language.scripts import HAN_CHAR, SNOWBALL
from assistant.retrieval.versions import Versions

__all__ = [
    "KINDS",
    "MESSAGES",
    "Term",
    "addressed_to_assistant",
    "kind_name",
    "message",
    "missing_terms",
    "name_terms",
    "locator_terms",
    "salient_terms",
    "texts_in_language",
    "warm_up",
]

_CJK = HAN_CHAR
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[01])\d\d(?!\d)")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_SNOWBALL = SNOWBALL
# Zipf of words like "我们", "在" (once per 3,000 words or more): the setting's default.
_COMMON_PART = Settings.model_fields["evidence_common_part_zipf"].default
_WORDFREQ_LANGUAGES = {"en", "zh", "es", "fr", "ru", "ar", "de", "pt", "it", "nl"}


def addressed_to_assistant(question: str, language: str) -> bool:
    """Whether the question speaks to the assistant itself (its opinion, its rules, a task for it).

    A question about the documents names them or their subject; one in the second person
    that is not a polite or generic "you", or one asking it to invent, asks the assistant
    for something of its own.
    """
    text = GENERIC_YOU.sub(" ", unicodedata.normalize("NFKC", question))
    return bool(SECOND_PERSON.search(text) or INVENT.search(text.strip()))


@dataclass(frozen=True)
class Term:
    """A salient word of a question: as written, its position, and how common it is."""

    text: str
    position: int
    zipf: float


def zipf(word: str, language: str, common_part: float = _COMMON_PART) -> float:
    """How common ``word`` is in general language (Zipf scale: 0 unseen, 7 "the").

    A Latin-script word inside a question in another script (a name, an acronym) is
    judged as English too, and the higher figure counts: common in either is common. A
    Chinese word made only of parts at least ``common_part`` common is as common as its
    rarest part.
    """
    from wordfreq import zipf_frequency

    lang = language if language in _WORDFREQ_LANGUAGES else "en"
    if lang == "zh":
        # jieba may keep a common word and a particle together ("我们在"), which wordfreq
        # then rates as a rare compound: made of common words only, it is common.
        from wordfreq import tokenize as wordfreq_tokens

        parts = [zipf_frequency(p, "zh") for p in wordfreq_tokens(word, "zh")]
        if len(parts) > 1 and min(parts) >= common_part:
            return min(parts)
    value = zipf_frequency(word, lang)
    if lang != "en" and word.isascii():
        value = max(value, zipf_frequency(word, "en"))
    return value


def salient_terms(
    question: str,
    language: str,
    max_zipf: float,
    min_chars: int = 3,
    *,
    years: bool = False,
    common_part_zipf: float = _COMMON_PART,
    name_max_zipf: float | None = None,
) -> list[Term]:
    """Words of ``question`` rarer than ``max_zipf`` in general language, in order.

    With ``name_max_zipf`` a name (capitalised inside a sentence: "Norway", "Sami") counts
    up to that commoner figure: a name picks out one place or people however often it is
    written.

    Chinese runs are segmented by jieba (the lexical index's segmenter); other scripts
    split on word boundaries. Acronyms count as words; other digits and symbols do not.
    With ``years`` a year the question names ("by 2100") is a term too: a passage about
    another year does not answer it. ``common_part_zipf`` is the setting
    ``evidence_common_part_zipf`` (see :func:`zipf`).
    """
    import rjieba

    text = unicodedata.normalize("NFKC", question)
    terms: list[Term] = (
        [Term(m.group(0), m.start(), 0.0) for m in _YEAR.finditer(text)] if years else []
    )
    for match in _WORD.finditer(text):
        run = match.group(0)
        if _CJK.match(run):
            words, offset = [], match.start()
            for piece in rjieba.cut(run):
                if len(piece) >= 2:
                    words.append((piece, offset))
                offset += len(piece)
        elif any(c.isdigit() for c in run):
            words = []  # symbols and codes ("xi16", "COP15"): the locator checks handle them
        else:
            run = _POSSESSIVE.sub("", run)
            words = [(run, match.start())] if len(run) >= min_chars else []
        for word, start in words:
            value = zipf(word.lower(), "zh" if _CJK.match(word) else language, common_part_zipf)
            named = name_max_zipf is not None and _capitalised_inside(text, word, start)
            if value < (max(max_zipf, name_max_zipf) if named else max_zipf):
                terms.append(Term(word, start, value))
    return sorted(terms, key=lambda t: t.position)


def _capitalised_inside(text: str, word: str, start: int) -> bool:
    """Whether ``word`` is capitalised (not all capitals) and not the first of its sentence."""
    if not word[:1].isupper() or word.isupper():
        return False
    before = text[:start].rstrip()
    return bool(before) and before[-1] not in ".!?¿¡:;\"“«(—-"


# Numbered parts of a framework or text a question may name: "Target 24", "objectif 8",
# "目标8", "第8项目标". Such a locator is a term: some passage must name it too.
def locator_terms(question: str) -> list[Term]:
    """Numbered targets, goals, principles or articles the question names, as terms."""
    text = unicodedata.normalize("NFKC", question)
    return [Term(m.group(0), m.start(), 0.0) for m in NUMBERED_LOCATOR.finditer(text)]


def name_terms(terms: Sequence[Term], question: str, language: str) -> str:
    """Name missing terms for a notice: adjacent ones as one phrase, as written."""
    spans: list[list[int]] = []
    text = unicodedata.normalize("NFKC", question)
    for term in sorted(terms, key=lambda t: t.position):
        end = term.position + len(term.text)
        if spans and re.fullmatch(r"[\s-]*", text[spans[-1][1] : term.position]):
            spans[-1][1] = end
        else:
            spans.append([term.position, end])
    quote = QUOTES.get(language, "{}")
    phrases = dict.fromkeys(text[a:b] for a, b in spans)
    return JOINERS.get(language, ", ").join(quote.format(p) for p in phrases)


def missing_terms(
    terms: Sequence[Term],
    question: str,
    language: str,
    sources: Sequence[Source],
    lexical: Any | None = None,
    *,
    corpus_topics: bool = False,
    fuzzy_ratio: float = 1.0,
) -> list[Term]:
    """Return the terms no passage (nor a translation of one in the corpus) contains.

    A word of the question's language is looked for in passages of that language, and
    only when every passage has a version in it (a Spanish word is no evidence against an
    English passage); a name (capitalised inside the question, an acronym, or a word in
    another script than the question's) in every passage of its script. With
    ``corpus_topics`` a term found anywhere in the corpus is a topic word of the corpus,
    never missing. ``fuzzy_ratio``: a passage word at least this similar (difflib ratio)
    counts as the term misspelt.
    """
    translations = _translations(sources, lexical)
    versions = [(s.language, s.text) for s in sources] + [
        (lang, text) for _, lang, text in translations
    ]
    if not versions or not terms:
        return []
    covered = {cid for cid, lang, _ in translations if lang == language}
    covered |= {s.chunk_id for s in sources if s.language == language}
    all_covered = all(s.chunk_id in covered for s in sources)
    own = [t for lang, t in versions if lang == language] if all_covered else []
    every = Evidence([t for _, t in versions], language if len(own) == len(versions) else "")
    in_language = every if len(own) == len(versions) else Evidence(own, language)
    corpus = corpus_evidence(lexical) if corpus_topics and lexical is not None else None
    # A passage's locator names what it is part of ("annex III, table 1, Target 22 (p. 31)").
    named = [t for _, t in versions] + [str(s.metadata.get("locator", "")) for s in sources]
    missing = []
    for term in terms:
        number = NUMBERED_LOCATOR.fullmatch(term.text)
        if number:
            if not any(names_numbered(t, next(g for g in number.groups() if g)) for t in named):
                missing.append(term)
            continue
        evidence = every if _is_name(term, question, language, all_covered) else in_language
        if not evidence.checkable(term.text) or evidence.contains(term.text, fuzzy_ratio):
            continue
        if corpus is not None and not term.text.isdigit() and corpus.contains(term.text, 1.0):
            continue
        missing.append(term)
    return missing


def _is_name(term: Term, question: str, language: str, passages_in_language: bool = True) -> bool:
    """Tell a name, acronym or year: language-neutral, any passage of its script may hold it.

    An acronym in the question's own script abbreviates words of its language ("AMCE" in a
    French question is the French "OECM"): a name only when the passages have that
    language too, else as absent from them as the words it stands for. "FERI" in a Chinese
    question is written as the Latin-script text writes it, and stays a name.
    """
    # A number, or a dotted name ("se.plan"), is written so in every language.
    if term.text.isdigit() or "." in term.text:
        return True
    if script_of(term.text) != _script_of_language(language):
        return True
    if term.text.isupper():
        return passages_in_language
    if not term.text[:1].isupper():
        return False
    before = question[: term.position].rstrip()
    return bool(before) and before[-1] not in ".!?¿¡"


def _script_of_language(language: str) -> str:
    return {"zh": "zh", "ru": "ru", "ar": "ar"}.get(language, "latin")


def texts_in_language(sources: Sequence[Source], language: str, lexical: Any | None) -> list[str] | None:
    """Return the passages' texts in ``language``: their own, or their translations in the corpus.

    ``None`` when a passage has no version in that language: its words cannot be compared
    with a question's in that language, so a check of words must not judge it.
    """
    versions: dict[str, list[str]] = {}
    for chunk_id, lang, text in _translations(sources, lexical):
        if lang == language:
            versions.setdefault(chunk_id, []).append(text)
    texts: list[str] = []
    for source in sources:
        found = [source.text] if source.language == language else versions.get(source.chunk_id)
        if not found:
            return None
        texts.extend(found)
    return texts


def _translations(sources: Sequence[Source], lexical: Any | None) -> list[tuple[str, str, str]]:
    """(passage id, language, text) of the corpus's other language versions of the passages."""
    if lexical is None:
        return []
    versions = Versions.of(lexical)
    return [
        (source.chunk_id, str(meta.get("language", "")), text)
        for source in sources
        for _, text, meta in versions.others(source)
    ]


def warm_up(
    lexical: Any | None = None, languages: Sequence[str] = tuple(_SNOWBALL) + ("zh",)
) -> None:
    """Load what the first question would otherwise wait for (about 1-2 s on 2 cores).

    wordfreq reads each language's table on first use and segments Chinese with its own
    jieba dictionary; the corpus vocabulary is built once per lexical index.
    """
    for language in languages:
        zipf("restoration" if language != "zh" else "恢复", language)
    if lexical is not None:
        corpus_evidence(lexical).stems  # noqa: B018 - builds the cached vocabulary
