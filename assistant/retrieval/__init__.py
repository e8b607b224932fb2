"""From a question to ranked passages.

The question is analysed once (language, named
decisions and paragraphs, asked kind of answer, abbreviations), candidate generators (dense
and BM25, cross-lingual), fusion over a declared table of signals, the slot for a
reranker, diversification, and the choice among a paragraph's language versions.
"""

__all__ = [
    "acronyms", "candidates", "continuations", "diversify", "hybrid", "lexical", "ngrams",
    "question", "rerank", "signals", "versions",
]
