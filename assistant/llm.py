"""The optional LLM composer: a LangChain chat model writes, the passages decide.

The prompt (a versioned file in ``assistant/prompts``) numbers the retrieved passages,
asks for a ``[n]`` citation after every sentence, an answer in the question's
language and a fixed refusal sentence when the passages do not answer; passage text
goes inside delimited blocks the model is told to treat as quoted data. After
generation :mod:`assistant.verification` removes invented markers, renumbers the
rest and flags sentences their passages do not support.

The extractive composer stays in charge of everything the LLM cannot be trusted
with: weak retrieval support gets its refusal without calling the model, and when
the endpoint fails (unreachable, HTTP error, timeout, unreadable reply, a stream cut
short) or writes nothing its passages support, the user gets the extractive answer
with a notice saying why.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.answering import (
    LANGUAGE_NAMES,
    ExtractiveComposer,
    citation_for,
    refusal_answer,
)
from assistant.errors import AssistantError
from assistant.records import Answer, Source, Turn
from assistant.retrieval import Retrieval
from assistant.settings import Settings
from assistant.verification import (
    CALIBRATED_SIMILARITY_FLOOR,
    CheckedPassage,
    Verification,
    verify_answer,
)

__all__ = [
    "ANSWER_PROMPT",
    "CONDENSE_PROMPT",
    "LLMComposer",
    "Prompt",
    "build_llm_composer",
    "format_passages",
    "language_name",
    "load_prompt",
]

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
ANSWER_PROMPT = "answer-v1.txt"
CONDENSE_PROMPT = "condense-v1.txt"
DUMMY_API_KEY = "not-needed"  # local servers (Ollama, llama.cpp, vLLM) accept any key
MAX_HISTORY_TURNS = 4

_LANGUAGE_NAMES = {
    **LANGUAGE_NAMES["en"],
    "zh": "Chinese (简体中文)",
    "pt": "Portuguese",
    "de": "German",
    "ja": "Japanese",
    "ko": "Korean",
}
# The sentence the prompt asks for when the passages do not answer, per language.
_PROMPT_REFUSALS = {
    "en": "The passages do not answer this question.",
    "zh": "这些段落没有回答这个问题。",
    "es": "Los pasajes no responden a esta pregunta.",
    "fr": "Les passages ne répondent pas à cette question.",
    "ru": "Эти фрагменты не отвечают на этот вопрос.",
    "ar": "لا تجيب هذه المقاطع عن هذا السؤال.",
}
# A passage must not be able to close its own block and talk outside it.
_DELIMITER = re.compile(r"<(\s*/?\s*(?:passages?|conversation)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Prompt:
    """A versioned two-message prompt read from ``assistant/prompts``."""

    version: str
    system: str
    user: str

    def messages(self, **values: str) -> list[BaseMessage]:
        """Fill the placeholders; values are inserted as text, never re-parsed."""
        return [
            SystemMessage(self.system.format_map(values)),
            HumanMessage(self.user.format_map(values)),
        ]


def load_prompt(name: str) -> Prompt:
    """Read a prompt file: ``# version: …`` first, then ``[system]`` and ``[user]``."""
    # A path beside this module, not importlib.resources: an editable install can
    # expose the package as a namespace package, which resources cannot read.
    raw = (PROMPTS_DIR / name).read_text(encoding="utf-8")
    version = re.search(r"^# version:\s*(\S+)", raw, re.MULTILINE)
    sections = re.split(r"^\[(system|user)\]\s*$", raw, flags=re.MULTILINE)
    parts = dict(zip(sections[1::2], (s.strip() for s in sections[2::2]), strict=True))
    if version is None or set(parts) != {"system", "user"}:
        raise AssistantError(f"prompt file {name} needs a '# version:' line, [system] and [user]")
    return Prompt(version.group(1), parts["system"], parts["user"])


def language_name(code: str) -> str:
    """English name of a language code for the prompt ('zh' → 'Chinese (简体中文)')."""
    return _LANGUAGE_NAMES.get(code, code or "English")


def _quote(text: str) -> str:
    return _DELIMITER.sub(r"‹\1", text)


def _attribute(value: Any) -> str:
    return _quote(str(value)).replace('"', "'").replace("\n", " ").strip()


def format_passages(sources: Sequence[Source]) -> str:
    """Write passages [1]..[k] as delimited blocks with title, symbol and locator."""
    blocks = []
    for n, source in enumerate(sources, start=1):
        meta = source.metadata
        header = " ".join(
            f'{name}="{_attribute(value)}"'
            for name, value in (
                ("n", n),
                ("title", meta.get("title", "")),
                ("symbol", meta.get("symbol", "")),
                ("locator", meta.get("locator", "")),
                ("language", source.language),
            )
            if value not in ("", None)
        )
        context = str(meta.get("context", "")).strip()
        lead = f"(Paragraph opening: {_quote(context)})\n" if context else ""
        blocks.append(f"<passage {header}>\n{lead}{_quote(source.text.strip())}\n</passage>")
    return "\n\n".join(blocks)


def _evidence(source: Source) -> CheckedPassage:
    """Gather what a cited passage offers a sentence: its header, opening and text."""
    meta = source.metadata
    header = " ".join(str(meta.get(k, "")) for k in ("title", "symbol", "locator") if meta.get(k))
    parts = [header, str(meta.get("context", "")), source.text]
    return CheckedPassage("\n".join(p for p in parts if p), source.language, source.text)


def _endpoint(url: str | None) -> str:
    """Return the base URL without credentials or query, safe to show and to log."""
    if not url:
        return "(not set)"
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or url


def _llm_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean 'the endpoint failed', as the installed clients raise them."""
    import httpx
    import openai

    errors: list[type[BaseException]] = [
        openai.APIError,  # HTTP status, connection, timeout (LangChain subclasses them)
        httpx.HTTPError,  # transport errors raised while a stream is read
        OSError,  # ConnectionError, TimeoutError (the Ollama client)
        ValueError,  # a body that is not JSON
        TypeError,  # JSON of the wrong shape ("choices" missing or not a list)
        KeyError,
    ]
    try:
        from ollama import ResponseError
    except ImportError:
        pass
    else:
        errors.append(ResponseError)
    return tuple(errors)


def _reason(error: BaseException, timeout: float) -> str:
    """Say in a few words how the call failed."""
    import httpx
    import openai

    status = getattr(error, "status_code", None)
    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(status, int):
        return f"HTTP {status}"
    if isinstance(error, openai.APIConnectionError | httpx.TransportError | OSError):
        return "could not be reached"
    return "the reply could not be read"


class LLMComposer:
    """Compose answers with a chat model; verify them; fall back to the extractive composer."""

    def __init__(
        self,
        chat_model: Any,
        embeddings: Any,
        settings: Settings,
        fallback: ExtractiveComposer,
    ) -> None:
        self.chat_model = chat_model
        self.embeddings = embeddings
        self.settings = settings
        self.fallback = fallback
        self.prompt = load_prompt(ANSWER_PROMPT)
        self.condense_prompt = load_prompt(CONDENSE_PROMPT)
        self.endpoint = _endpoint(settings.llm_base_url)
        self._errors = _llm_errors()

    # --- answering -----------------------------------------------------------------------
    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        """Answer with the LLM, or with the extractive composer when that is safer."""
        if self._weak(retrieval):
            return self._refuse_weak(question, retrieval)
        try:
            message = self.chat_model.invoke(self._messages(question, retrieval))
            text = str(message.text)
        except self._errors as error:
            return self._fall_back(question, retrieval, error)
        return self._finish(question, text, retrieval)

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield the growing answer as tokens arrive, then the verified :class:`Answer`.

        If the stream breaks, the extractive answer (with a notice) replaces what was
        shown so far.
        """
        if self._weak(retrieval):
            refusal = self._refuse_weak(question, retrieval)
            yield from _sentences_of(refusal)
            yield refusal
            return
        text = ""
        try:
            for chunk in self.chat_model.stream(self._messages(question, retrieval)):
                piece = str(chunk.text)
                if piece:
                    text += piece
                    yield text
        except self._errors as error:
            answer = self._fall_back(question, retrieval, error, partial=bool(text))
            yield from _sentences_of(answer)
            yield answer
            return
        yield self._finish(question, text, retrieval)

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """Rewrite a follow-up into a standalone question; ``None`` on any failure."""
        lines = []
        for turn in history[-MAX_HISTORY_TURNS:]:
            lines.append(f"User: {_quote(turn.question)}")
            if turn.doc_ids:
                lines.append(f"(The answer cited: {', '.join(turn.doc_ids)})")
        messages = self.condense_prompt.messages(history="\n".join(lines), question=_quote(question))
        try:
            text = str(self.chat_model.invoke(messages).text)
        except self._errors as error:
            logger.warning(
                "LLM at %s could not condense a follow-up (%s); using rules",
                self.endpoint,
                _reason(error, self.settings.llm_timeout),
            )
            return None
        return _one_question(text, self.settings.max_question_chars)

    # --- steps ---------------------------------------------------------------------------
    def _weak(self, retrieval: Retrieval) -> bool:
        """Apply the extractive composer's rule: no sources, or the best one below threshold."""
        best = max((s.similarity for s in retrieval.sources), default=0.0)
        return not retrieval.sources or best < self.settings.effective_support_threshold

    def _trace(self, **extra: Any) -> dict[str, Any]:
        return {
            "composer": "llm",
            "llm_model": self.settings.llm_model,
            "llm_endpoint": self.endpoint,
            "prompt_version": self.prompt.version,
            **extra,
        }

    def _messages(self, question: str, retrieval: Retrieval) -> list[BaseMessage]:
        language = retrieval.language
        return self.prompt.messages(
            language=language_name(language),
            refusal=_PROMPT_REFUSALS.get(language, _PROMPT_REFUSALS["en"]),
            count=str(len(retrieval.sources)),
            passages=format_passages(retrieval.sources),
            question=_quote(question),
        )

    def _refuse_weak(self, question: str, retrieval: Retrieval) -> Answer:
        answer = self.fallback.compose(question, retrieval)
        return replace(answer, trace={**answer.trace, **self._trace(llm_called=False)})

    def _fall_back(
        self, question: str, retrieval: Retrieval, error: BaseException, *, partial: bool = False
    ) -> Answer:
        reason = _reason(error, self.settings.llm_timeout)
        what = "stopped in the middle of its answer" if partial else "did not answer"
        notice = f"The language model at {self.endpoint} {what} ({reason}); this is the extractive answer."
        logger.warning("LLM at %s failed: %s (%s)", self.endpoint, reason, type(error).__name__)
        answer = self.fallback.compose(question, retrieval)
        trace = {
            **answer.trace,
            **self._trace(llm_called=True, llm_error=f"{type(error).__name__}: {reason}"),
            "answered_by": "extractive",
        }
        return replace(answer, notices=(notice, *answer.notices), trace=trace)

    def _finish(self, question: str, text: str, retrieval: Retrieval) -> Answer:
        """Verify the model's text and build the answer (or refuse, or fall back)."""
        settings = self.settings
        sources = retrieval.sources
        language = retrieval.language
        floor = settings.sentence_similarity_floor
        if floor is None:
            floor = CALIBRATED_SIMILARITY_FLOOR.get(settings.embedding_model, 0.0)
        checked = verify_answer(
            text,
            [_evidence(s) for s in sources],
            lambda texts: self.embeddings.encode(texts),
            language=language,
            threshold=settings.sentence_support_threshold,
            floor=floor,
            overlap_weight=settings.sentence_overlap_weight,
            refusals=list(_PROMPT_REFUSALS.values()),
        )
        trace = self._trace(
            llm_called=True,
            support=round(max(s.similarity for s in sources), 4),
            llm_answer=text,
            removed_markers=checked.removed_markers,
            unsupported_sentences=checked.unsupported,
            verification={
                "sentence_support_threshold": settings.sentence_support_threshold,
                "similarity_floor": floor,
                "overlap_weight": settings.sentence_overlap_weight,
            },
        )
        if checked.refusal:
            return refusal_answer(language, sources, {**trace, "llm_refused": True})
        if not checked.supported:
            return self._reject(question, retrieval, checked, trace)
        citations = tuple(
            citation_for(new, sources[old - 1], checked.supporting.get(new, ()))
            for new, old in enumerate(checked.cited, start=1)
        )
        notices: tuple[str, ...] = ()
        if checked.unsupported:
            notices = (
                f"{checked.unsupported} of {len(checked.sentences)} sentences of this answer"
                " are not supported by the passages they cite; check them against the sources.",
            )
        return Answer(
            text=checked.text,
            supported=True,
            language=language,
            citations=citations,
            sentences=checked.sentences,
            notices=notices,
            trace=trace,
        )

    def _reject(
        self, question: str, retrieval: Retrieval, checked: Verification, trace: dict[str, Any]
    ) -> Answer:
        """No sentence of the model's answer is backed by a passage: answer extractively."""
        notice = (
            "The language model's answer was not supported by the retrieved passages;"
            " this is the extractive answer."
        )
        answer = self.fallback.compose(question, retrieval)
        return replace(
            answer,
            notices=(notice, *answer.notices),
            trace={
                **answer.trace,
                **trace,
                "llm_rejected": True,
                "llm_sentences": list(checked.sentences),
                "answered_by": "extractive",
            },
        )


def _sentences_of(answer: Answer) -> Iterator[str]:
    """Yield a finished answer's text sentence by sentence, as the extractive stream does."""
    joiner = "" if answer.language in ("zh", "ja") else " "
    parts = [s["text"] + " " + "".join(f"[{n}]" for n in s["citations"]) for s in answer.sentences]
    for i in range(1, len(parts) + 1):
        yield joiner.join(parts[:i])
    if not parts:
        yield answer.text


def _one_question(text: str, max_chars: int) -> str | None:
    """Clean the model's rewrite: first line, no label or quotes; ``None`` if unusable."""
    for line in text.strip().splitlines():
        line = re.sub(r"^\s*(?:standalone question|question|rewritten question)\s*[:：]\s*", "", line, flags=re.I)
        line = line.strip().strip("\"'“”‘’「」 ").strip()
        if line:
            return line if len(line) <= max_chars and re.search(r"[^\W_]", line) else None
    return None


def _chat_model(settings: Settings, api_key: str) -> Any:
    """Build the LangChain chat model for the configured provider."""
    if settings.llm_provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as e:
            raise AssistantError(
                "llm_provider 'ollama' needs the 'llm' extra:"
                " pip install 'restoration-assistant[llm]'"
            ) from e
        base_url = (settings.llm_base_url or "").rstrip("/")
        base_url = base_url.removesuffix("/v1")  # Ollama's native API lives at the root
        client_kwargs: dict[str, Any] = {"timeout": settings.llm_timeout}
        if api_key != DUMMY_API_KEY:  # an Ollama behind an authenticating proxy
            client_kwargs["headers"] = {"Authorization": f"Bearer {api_key}"}
        return ChatOllama(
            base_url=base_url,
            model=settings.llm_model or "",
            temperature=settings.llm_temperature,
            client_kwargs=client_kwargs,
        )
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "",
        api_key=SecretStr(api_key),
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=settings.llm_temperature,
    )


def build_llm_composer(
    settings: Settings,
    embeddings: Any,
    fallback: ExtractiveComposer,
    *,
    environ: Mapping[str, str] | None = None,
) -> LLMComposer:
    """Build the composer for the configured endpoint; the API key comes from the environment.

    The key is read from the variable named by ``llm_api_key_env`` (``environ`` stands
    in for ``os.environ`` in tests) and is never logged; local servers need none.

    Raises:
        AssistantError: the provider needs an extra that is not installed.

    """
    env = os.environ if environ is None else environ
    api_key = env.get(settings.llm_api_key_env) or DUMMY_API_KEY
    return LLMComposer(_chat_model(settings, api_key), embeddings, settings, fallback)
