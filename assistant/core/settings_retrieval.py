"""The retrieval settings group: which passages a question finds, and how they are ranked.

A plain pydantic model composed by :class:`assistant.core.settings.Settings` (see
:mod:`assistant.core.settings_groups`); fields marked ``quality`` change answers and are
recorded in every answer's trace and eval run. A new ranking signal's weight goes here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["RetrievalSettings"]


class RetrievalSettings(BaseModel):
    """Which passages a question finds: candidates, the weights of the fused rankings, diversity."""

    top_k: int = Field(
        5,
        ge=1,
        le=50,
        description="Passages handed to the composer.",
        json_schema_extra={"quality": True},
    )
    candidate_k: int = Field(
        30,
        ge=1,
        description="Candidates taken from each retriever before fusion.",
        json_schema_extra={"quality": True},
    )
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = Field(
        "hybrid",
        description="Dense (Chroma), lexical (BM25), or both fused.",
        json_schema_extra={"quality": True},
    )
    rrf_k: int = Field(
        60,
        ge=1,
        description="Reciprocal-rank-fusion constant.",
        json_schema_extra={"quality": True},
    )
    dense_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the dense ranking in fusion.",
        json_schema_extra={"quality": True},
    )
    lexical_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the BM25 ranking in fusion.",
        json_schema_extra={"quality": True},
    )
    lexical_full_coverage: float = Field(
        0.6,
        gt=0,
        le=1,
        description=(
            "Share of a question's terms the BM25 index must know for its ranking to count in"
            " full; below it the BM25 weight shrinks in proportion (an Arabic question over"
            " English and Chinese text matches only on symbols and numbers)."
        ),
        json_schema_extra={"quality": True},
    )
    language_weight: float = Field(
        0.0,
        ge=0,
        description="Weight of a ranking that prefers passages in the question's language.",
        json_schema_extra={"quality": True},
    )
    crosslingual_weight: float = Field(
        2.0,
        ge=0,
        description=(
            "Weight of a dense ranking over passages in other languages than the question's."
        ),
        json_schema_extra={"quality": True},
    )
    crosslingual_depth: int = Field(
        4,
        ge=1,
        description=(
            "How many times deeper than candidate_k the dense query reads to find passages in"
            " other languages than the question's (when crosslingual_weight is above 0)."
        ),
        json_schema_extra={"quality": True},
    )
    ngram_weight: float = Field(
        1.0,
        ge=0,
        description=(
            "Weight of a BM25 ranking over character n-grams, for a question in a Latin-script"
            " language other than the corpus's: its words meet their cognates (\"indicador\","
            " \"indicator\"). It counts in the share of the question BM25 over words cannot"
            " read (1 - its coverage / lexical_full_coverage). 0 turns it off."
        ),
        json_schema_extra={"quality": True},
    )
    gloss_senses: int = Field(
        0,
        ge=0,
        description=(
            "A Chinese question over a mostly English corpus is searched (BM25) with the English"
            " senses CC-CEDICT gives its words too, this many per word, those the corpus uses"
            " most (\"泥炭\" → peat, \"恢复轮\" → recovery wheel), and an English sentence's share"
            " of the question's words counts them. Off (0) by default: at 2, dev Chinese key facts"
            " rose 0.793 -> 0.833 and hit@1 0.675 -> 0.723, but on test key facts fell 0.734 -> 0.707"
            " and hit@1 did not move (7 questions up, 7 down)."
        ),
        json_schema_extra={"quality": True},
    )
    paragraph_weight: float = Field(
        1.0,
        ge=0,
        description=(
            'Weight of a ranking that prefers the paragraph a question names ("paragraph 2(b)").'
        ),
        json_schema_extra={"quality": True},
    )
    locator_weight: float = Field(
        1.0,
        ge=0,
        description=(
            "Weight of a preference for passages naming the numbered part a question names"
            ' ("Target 2", "meta 2", "目标2", a table row under a "Goal/target" column): the'
            " embedding does not tell one target's number from another's."
        ),
        json_schema_extra={"quality": True},
    )
    symbol_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of a ranking that prefers documents whose symbol the question names.",
        json_schema_extra={"quality": True},
    )
    decision_weight: float = Field(
        0.5,
        ge=0,
        description=(
            "Weight of a preference for decisions' own text when a question asks about \"the"
            ' decision" (决定, la décision) without naming one: summaries and briefs of'
            " decisions otherwise answer it as readily."
        ),
        json_schema_extra={"quality": True},
    )
    focus_weight: float = Field(
        0.5,
        ge=0,
        description="Weight of a ranking that prefers the documents a follow-up is about.",
        json_schema_extra={"quality": True},
    )
    hnsw_ef_search: int = Field(
        400,
        ge=10,
        description=(
            "Breadth of Chroma's HNSW search. It must well exceed the dense depth (candidate_k,"
            " four times it for cross-lingual reading) for the nearest passages to be found"
            " exactly and the same in every process (at 200, fresh builds of the bundled corpus"
            " missed 0.75 of the 120 nearest passages per build over the eval questions; at"
            " 300 and 400, none in 12 builds); set at ingest."
        ),
        json_schema_extra={"quality": True},
    )
    answer_type_weight: float = Field(
        0.3,
        ge=0,
        description=(
            "Weight of a preference for passages giving the kind of answer a question asks for"
            ' ("how many hectares…": an area; "which measures…": a list). Small: it reorders'
            " passages of about the same fused score, such as the sections of one case study."
        ),
        json_schema_extra={"quality": True},
    )
    max_per_document: int = Field(
        10,
        ge=1,
        description="Most passages one document may contribute, so others get a say.",
        json_schema_extra={"quality": True},
    )
    duplicate_similarity: float = Field(
        0.97,
        ge=0,
        le=1,
        description=(
            "Character-trigram overlap (Jaccard) above which two passages count as duplicates."
        ),
        json_schema_extra={"quality": True},
    )
    reference_headings: tuple[str, ...] = Field(
        ("Sources", "References", "Bibliography", "参考文献", "资料来源", "来源"),
        description=(
            "Section headings of reference lists: their passages are left out of answers"
            " unless the question asks for sources (they name works, they do not answer)."
        ),
        json_schema_extra={"quality": True},
    )
