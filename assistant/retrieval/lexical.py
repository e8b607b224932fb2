"""BM25 over the stored chunks, with Chinese word segmentation and Snowball stemming.

The index is derived data: it is rebuilt from the chunks in Chroma alone (so it works
the same against a Chroma server) and cached on local disk under the collection's
content fingerprint, so a changed collection gets a fresh index automatically.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.records import search_text
from assistant.language.detect import script_language
from assistant.language.names import LatinNames
from assistant.language.numbers import ordinal_keys
from assistant.language.references import locator_keys
from assistant.language.scripts import HAN, SNOWBALL
from assistant.retrieval.acronyms import find_acronyms

__all__ = ["LexicalHit", "LexicalIndex", "best_hits", "search_terms", "tokenize"]

_TOKEN = re.compile(
    r"\d+\([a-z]\)"  # paragraph references such as 1(b), 8(j)
    r"|[a-z]+/\d+"  # decision symbols such as xi/16
    rf"|[{HAN}]+"  # runs of Chinese characters, segmented below
    rf"|[^\W_{HAN}]+",  # words in any other script ("2023年" is two tokens)
    re.UNICODE,
)
# Part of the cache key: a tokenizer change must not reuse indexes built by the old one.
TOKENIZER_VERSION = 6
_CJK_RUN = re.compile(rf"^[{HAN}]+$")
_STOP = frozenset(
    """a an and are as at be by for from has have how in is it its of on or that the this to
    was were what which who why with does do did about into their there these those than then
    le la les des du de et en un une est pour que qui dans sur au aux par
    el los las del y para por con se qué cuál cuáles como una es son
    的 了 和 与 及 或 是 在 对 为 以 等 之 其 中 上 下 而 并 由 将 也 都 被 把 让 吗 呢 么 什么 哪些 怎么 如何 有 没有""".split()
)


# Snowball stemmer for the language a word's script implies. Latin-script words take the
# English one whatever the text's language: the corpus is mostly English, English words
# turn up inside Chinese questions ("Reef Stars"), and it still folds Spanish and French
# plurals.
_STEMMERS = {code: SNOWBALL[code] for code in ("en", "ru", "ar")}  # one per script


def tokenize(text: str, *, stem: bool = True) -> list[str]:
    """Lowercase, NFKC-normalise and split into search terms; Chinese via jieba.

    With ``stem`` words are reduced to their Snowball stem, so a paraphrase finds the
    text: "restoring degraded land" matches "restoration of degradation". Without it
    only plurals fold ("targets" finds "target"): for terms that are shown or embedded.
    Latin letters lose their accents, as Lucene's ASCII folding does, so a French or Spanish
    word meets its English cognate ("résolution" and "resolution", "dégradés" and
    "degraded" share a stem); other scripts keep theirs ("й" is not "и").
    """
    return list(_tokens(text, stem))


@lru_cache(maxsize=4096)
def _tokens(text: str, stem: bool) -> tuple[str, ...]:
    """:func:`tokenize`, kept per text: passages and their sentences are tokenized question after question."""
    import rjieba

    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if _CJK_RUN.match(token):
            tokens.extend(t for t in rjieba.cut_for_search(token) if t not in _STOP)
        elif token not in _STOP:
            token = _folded(token)
            if token in _STOP:
                continue
            if stem and token.isalpha():
                stemmer = _stemmer("en" if token.isascii() else script_language(token) or "en")
                token = stemmer.stemWord(token) if stemmer else token
            elif len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
                token = token[:-1]
            tokens.append(token)
    return tuple(tokens)


def _folded(token: str) -> str:
    """``token`` without the accents of its Latin letters ("región" → "region"); other scripts as they are."""
    if token.isascii() or script_language(token) is not None:
        return token
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", token) if not unicodedata.combining(ch))
    return folded if folded.isascii() else token


def search_terms(text: str, language: str = "en") -> list[str]:
    """BM25 terms of a passage or question in ``language``: its tokens, and keys for the numbered parts and ordinals it names.

    "Target 2" is the common word "target" and the number 2 to BM25; its key "target#2"
    (:func:`~assistant.language.references.locator_keys`) is one rare term, shared by
    "meta 2", "目标2" and a table row under a "Goal/target" column. "the seventh national
    report" and "7e rapport national" share "ord#7" (:mod:`assistant.language.numbers`).
    """
    return tokenize(text) + locator_keys(text) + ordinal_keys(text, language)


_THREAD = threading.local()


def _stemmer(language: str) -> Any:
    """Return the calling thread's stemmer for ``language``, or ``None`` (PyStemmer objects are not thread-safe)."""
    import Stemmer  # PyStemmer: the C Snowball stemmers

    stemmers: dict[str, Any] = _THREAD.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = Stemmer.Stemmer(_STEMMERS[language]) if language in _STEMMERS else None
    return stemmers[language]


@dataclass(frozen=True)
class LexicalHit:
    """A BM25 match: the chunk's position in the index and its score (higher is better)."""

    index: int
    score: float


class LexicalIndex:
    """BM25 (bm25s) over every chunk of a collection, with the chunks' text and metadata."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any]],
        bm25: Any,
        acronyms: dict[str, str] | None = None,
    ):
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        # Abbreviations the indexed text defines ("COP" → "Conference of the Parties").
        self.acronyms = find_acronyms(texts) if acronyms is None else acronyms
        self._bm25 = bm25
        self._position = {cid: i for i, cid in enumerate(ids)}
        self._languages = Counter(str(m.get("language", "")) for m in metadatas)
        self._translated: dict[str, tuple[str, ...]] = {}
        self._decisions: dict[str, set[str]] | None = None
        self._latin_names: LatinNames | None = None
        self._decision_languages: dict[str, frozenset[str]] | None = None
        self._decision_chunks: dict[tuple[str, str], list[int]] = {}
        self._documents: dict[str, list[int]] | None = None

    @property
    def latin_names(self) -> LatinNames:
        """The indexed text's capitalised Latin words, built on first use (names of other scripts resolve to them)."""
        if self._latin_names is None:
            self._latin_names = LatinNames(self.texts)
        return self._latin_names

    @property
    def main_language(self) -> str:
        """The language most chunks are written in ("" for an empty index)."""
        return self._languages.most_common(1)[0][0] if self._languages else ""

    def language_share(self, language: str) -> float:
        """Fraction of the indexed chunks written in ``language``."""
        return self._languages[language] / max(1, len(self.metadatas))

    def decision_paragraphs(self) -> dict[str, set[str]]:
        """Paragraphs of each decision whose own text is indexed (not only briefs about it)."""
        if self._decisions is None:
            self._read_decisions()
        assert self._decisions is not None
        return self._decisions

    def _read_decisions(self) -> None:
        """One pass over the decisions' chunks: their paragraphs, languages and positions."""
        decisions: dict[str, set[str]] = {}
        languages: dict[str, set[str]] = {}
        self._decision_chunks = {}
        for position, meta in enumerate(self.metadatas):
            if meta.get("kind") != "decision" or not meta.get("symbol"):
                continue
            symbol = str(meta["symbol"]).upper()
            self._decision_chunks.setdefault((symbol, ""), []).append(position)
            paragraphs = decisions.setdefault(symbol, set())
            languages.setdefault(symbol, set()).add(str(meta.get("language", "")))
            if meta.get("paragraph"):
                paragraphs.add(str(meta["paragraph"]))
                self._decision_chunks.setdefault((symbol, str(meta["paragraph"])), []).append(position)
        self._decisions = decisions
        self._decision_languages = {symbol: frozenset(codes) for symbol, codes in languages.items()}

    def document_positions(self, doc_id: str) -> list[int]:
        """Positions of a document's chunks, in index order."""
        if self._documents is None:
            self._documents = {}
            for position, meta in enumerate(self.metadatas):
                self._documents.setdefault(str(meta.get("doc_id", "")), []).append(position)
        return list(self._documents.get(doc_id, ()))

    def paragraph_positions(self, symbol: str, paragraph: str) -> list[int]:
        """Positions of a decision paragraph's chunks, in every language its text is in.

        An empty ``paragraph`` gives every chunk of the decision's own text.
        """
        self.decision_paragraphs()
        return list(self._decision_chunks.get((symbol.upper(), paragraph), ()))

    def decision_languages(self) -> dict[str, frozenset[str]]:
        """Languages each indexed decision's own text is in (its original and translations)."""
        if self._decision_languages is None:
            self._read_decisions()
        assert self._decision_languages is not None
        return self._decision_languages

    def translated_into(self, language: str) -> tuple[str, ...]:
        """Documents in other languages whose original or a translation is in ``language``.

        Computed once per index and language: the index never changes once built.
        """
        cache = self._translated
        if language not in cache:
            groups: dict[str, set[tuple[str, str]]] = {}
            for meta in self.metadatas:
                doc_id = str(meta.get("doc_id", ""))
                root = str(meta.get("translation_of") or doc_id)
                groups.setdefault(root, set()).add((doc_id, str(meta.get("language", ""))))
            cache[language] = tuple(
                sorted(
                    doc
                    for members in groups.values()
                    if any(code == language for _, code in members)
                    for doc, code in members
                    if code != language
                )
            )
        return cache[language]

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, chunk_id: str) -> int | None:
        """Index of a chunk id, or ``None``."""
        return self._position.get(chunk_id)

    @classmethod
    def build(cls, records: list[tuple[str, str, dict[str, Any]]]) -> LexicalIndex:
        """Index ``(chunk_id, text, metadata)`` records."""
        import bm25s

        ids = [r[0] for r in records]
        texts = [r[1] for r in records]
        metadatas = [r[2] for r in records]
        corpus = [search_terms(search_text(t, m), str(m.get("language", "en"))) or ["∅"] for _, t, m in records]
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        return cls(ids, texts, metadatas, bm25)

    @classmethod
    def load_or_build(cls, store: Any, cache_dir: Path) -> LexicalIndex:
        """Load the cached index for the store's fingerprint, or rebuild and cache it."""
        import bm25s

        fingerprint = re.sub(r"[^a-zA-Z0-9]+", "-", store.fingerprint())
        folder = cache_dir / "lexical" / f"{store.settings.collection}-{fingerprint}-t{TOKENIZER_VERSION}"
        records_file = folder / "records.json"
        if records_file.is_file():
            try:
                data = json.loads(records_file.read_text(encoding="utf-8"))
                bm25 = bm25s.BM25.load(str(folder / "bm25")) if data["ids"] else bm25s.BM25()
                return cls(data["ids"], data["texts"], data["metadatas"], bm25, data["acronyms"])
            except (OSError, ValueError, KeyError):
                shutil.rmtree(folder, ignore_errors=True)  # corrupt cache: rebuild below
        records: list[tuple[str, str, dict[str, Any]]] = []
        for page in store.pages():
            records.extend((record.id, record.text, record.metadata) for record in page)
        index = cls.build(records)
        index._save(folder, cache_dir / "lexical", store.settings.collection)
        return index

    def _save(self, folder: Path, parent: Path, collection: str) -> None:
        # Several processes may build the same index at once: each writes its own temp
        # folder and renames it into place; the first rename wins, the others discard theirs.
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
        try:
            if self.ids:
                self._bm25.save(str(tmp / "bm25"))
            payload = {
                "ids": self.ids,
                "texts": self.texts,
                "metadatas": self.metadatas,
                "acronyms": self.acronyms,
            }
            (tmp / "records.json").write_text(
                json.dumps(payload, ensure_ascii=False), encoding="utf-8"
            )
            try:
                tmp.rename(folder)
            except OSError:
                if not (folder / "records.json").is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for old in parent.glob(f"{collection}-*"):  # older fingerprints are stale
            if old != folder and re.fullmatch(re.escape(collection) + r"-[0-9a-f]+(?:-\d+)?(?:-t\d+)?", old.name):
                shutil.rmtree(old, ignore_errors=True)

    def document_frequency(self, term: str) -> int:
        """How many chunks hold ``term`` (a token as :func:`tokenize` gives it); 0 when none."""
        index = (getattr(self._bm25, "vocab_dict", None) or {}).get(term)
        scores = getattr(self._bm25, "scores", None)
        if index is None or not isinstance(scores, dict) or index + 1 >= len(scores["indptr"]):
            return 0
        return int(scores["indptr"][index + 1] - scores["indptr"][index])

    def coverage(self, query: str | list[str]) -> float:
        """Share of the query's terms that occur anywhere in the index (0 when none).

        BM25 can only rank by the words it knows: an Arabic question over English and
        Chinese text matches on "XI/16" alone, which names a document, not a paragraph.
        ``query`` may be given already tokenized.
        """
        tokens = tokenize(query) if isinstance(query, str) else query
        if not tokens:
            return 0.0
        vocabulary = getattr(self._bm25, "vocab_dict", None) or {}
        return sum(t in vocabulary for t in tokens) / len(tokens)

    def search(self, query: str | list[str], k: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        """Return up to ``k`` chunks with a positive BM25 score, best first (``query`` may be tokens)."""
        tokens = tokenize(query) if isinstance(query, str) else query
        if not tokens or not self.ids:
            return []
        return best_hits(self._bm25, tokens, k, mask)


def best_hits(bm25: Any, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
    """The ``k`` chunks a bm25s index scores highest for ``tokens`` (positive scores only), under ``mask``."""
    scores = np.asarray(bm25.get_scores(tokens), dtype=np.float32)
    if mask is not None:
        scores = scores * mask
    top = np.argsort(-scores)[:k]
    return [LexicalHit(int(i), float(scores[i])) for i in top if scores[i] > 0]
