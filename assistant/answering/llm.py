"""The optional LLM composer: a LangChain chat model writes, the passages decide.

The prompt (a versioned file in ``assistant/prompts``) numbers the retrieved passages,
asks for a ``[n]`` citation after every sentence, an answer in the question's
language and a fixed refusal sentence when the passages do not answer; passage text
goes inside delimited blocks the model is told to treat as quoted data. After
generation :mod:`assistant.answering.verification` removes invented markers, renumbers the
rest and flags sentences their passages do not support.

The extractive composer stays in charge of everything the LLM cannot be trusted
with: weak retrieval support gets its refusal without calling the model, and when
the endpoint fails (unreachable, HTTP error, timeout, unreadable reply, a stream cut
short) or writes nothing its passages support, or writes in another language than
the question's, the user gets the extractive answer with a notice saying why. The
passages read are streamed first, the model's text below them.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from assistant.answering.extractive import ExtractiveComposer, citation_for, refusal_answer
from assistant.answering.llm_client import (
    DUMMY_API_KEY,
    chat_model,
    endpoint_name,
    failure_reason,
    llm_errors,
)
from assistant.answering.llm_prompts import (
    ANSWER_PROMPT,
    CONDENSE_PROMPT,
    PROMPT_REFUSALS,
    Prompt,
    evidence,
    evidence_preview,
    format_passages,
    language_name,
    llm_notice,
    load_prompt,
    quote,
)
from assistant.answering.verification import Verification, verify_answer
from assistant.core.records import Answer, Turn
from assistant.core.settings import Settings
from assistant.language.detect import detect_language
from assistant.retrieval.hybrid import Retrieval

__all__ = [
    "ANSWER_PROMPT",
    "CONDENSE_PROMPT",
    "LLMComposer",
    "Prompt",
    "build_llm_composer",
    "evidence_preview",
    "format_passages",
    "language_name",
    "load_prompt",
]

logger = logging.getLogger(__name__)


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
        self.endpoint = endpoint_name(settings.llm_base_url)
        self.model_name = settings.llm_model or ""
        if settings.llm_provider == "llamacpp" and settings.llm_model_path is not None:
            self.endpoint = "in-process llama.cpp"
            self.model_name = Path(settings.llm_model_path).name
        self._errors = llm_errors()

    # --- answering -----------------------------------------------------------------------
    def compose(self, question: str, retrieval: Retrieval) -> Answer:
        """Answer with the LLM, or with the extractive composer when that is safer.

        The model is read as a stream even here, so every answer's trace records the
        time to its first token.
        """
        answer: Answer | None = None
        for event in self.stream(question, retrieval):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield the passages read, then the growing answer below them, then the :class:`Answer`.

        If the stream breaks, the extractive answer (with a notice) replaces what was
        shown so far.
        """
        if self._weak(retrieval):
            refusal = self._refuse_weak(question, retrieval)
            yield from _sentences_of(refusal)
            yield refusal
            return
        preview = evidence_preview(retrieval.sources, retrieval.language)
        yield preview
        text = ""
        started = time.perf_counter()
        first: float | None = None
        try:
            for chunk in self.chat_model.stream(self._messages(question, retrieval)):
                piece = str(chunk.text)
                if piece:
                    first = first if first is not None else time.perf_counter()
                    text += piece
                    yield preview + text
        except self._errors as error:
            answer = self._fall_back(question, retrieval, error, partial=bool(text))
            yield from _sentences_of(answer)
            yield answer
            return
        answer = self._finish(question, text, retrieval)
        timing = {
            "llm_first_token_ms": None if first is None else round((first - started) * 1000, 1),
            "llm_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        yield replace(answer, trace={**answer.trace, **timing})

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """Rewrite a follow-up into a standalone question; ``None`` on any failure."""
        lines = []
        for turn in history[-self.settings.llm_condense_turns :]:
            lines.append(f"User: {quote(turn.question)}")
            if turn.doc_ids:
                lines.append(f"(The answer cited: {', '.join(turn.doc_ids)})")
        messages = self.condense_prompt.messages(history="\n".join(lines), question=quote(question))
        try:
            text = str(self.chat_model.invoke(messages).text)
        except self._errors as error:
            logger.warning(
                "LLM at %s could not condense a follow-up (%s); using rules",
                self.endpoint,
                failure_reason(error, self.settings.llm_timeout),
            )
            return None
        return _one_question(text, self.settings.max_question_chars)

    # --- steps ---------------------------------------------------------------------------
    def _weak(self, retrieval: Retrieval) -> bool:
        """Apply the extractive composer's rule: no sources, or the best one below threshold."""
        best = (
            retrieval.support
            if retrieval.support is not None
            else max((s.similarity for s in retrieval.sources), default=0.0)
        )
        return not retrieval.sources or best < self.settings.effective_support_threshold

    def _trace(self, **extra: Any) -> dict[str, Any]:
        return {
            "composer": "llm",
            "llm_model": self.model_name,
            "llm_endpoint": self.endpoint,
            "prompt_version": self.prompt.version,
            "condense_prompt_version": self.condense_prompt.version,
            **extra,
        }

    def _messages(self, question: str, retrieval: Retrieval) -> list[BaseMessage]:
        language = retrieval.language
        return self.prompt.messages(
            language=language_name(language),
            refusal=PROMPT_REFUSALS.get(language, PROMPT_REFUSALS["en"]),
            count=str(len(retrieval.sources)),
            passages=format_passages(retrieval.sources),
            question=quote(question),
        )

    def _refuse_weak(self, question: str, retrieval: Retrieval) -> Answer:
        answer = self.fallback.compose(question, retrieval)
        return replace(answer, trace={**answer.trace, **self._trace(llm_called=False)})

    def _fall_back(
        self, question: str, retrieval: Retrieval, error: BaseException, *, partial: bool = False
    ) -> Answer:
        reason = failure_reason(error, self.settings.llm_timeout)
        kind = "stopped" if partial else "failed"
        notice = llm_notice(kind, retrieval.language, endpoint=self.endpoint, reason=reason)
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
        floor = settings.effective_similarity_floor
        checked = verify_answer(
            text,
            [evidence(s) for s in sources],
            lambda texts: self.embeddings.encode(texts),
            language=language,
            threshold=settings.sentence_support_threshold,
            floor=floor,
            overlap_weight=settings.sentence_overlap_weight,
            refusals=list(PROMPT_REFUSALS.values()),
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
        written = detect_language(" ".join(s["text"] for s in checked.sentences), default=language)
        if written != language:
            notice = llm_notice("language", language, written=written, asked=language)
            return self._reject(
                question, retrieval, checked, {**trace, "llm_language": written}, notice
            )
        if not checked.supported:
            return self._reject(question, retrieval, checked, trace)
        citations = tuple(
            citation_for(new, sources[old - 1], checked.supporting.get(new, ()))
            for new, old in enumerate(checked.cited, start=1)
        )
        notices: tuple[str, ...] = ()
        if checked.unsupported:
            total = len(checked.sentences)
            notices = (llm_notice("flagged", language, n=checked.unsupported, total=total),)
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
        self,
        question: str,
        retrieval: Retrieval,
        checked: Verification,
        trace: dict[str, Any],
        notice: str | None = None,
    ) -> Answer:
        """Answer extractively: the model's text cannot be shown (unsupported, wrong language)."""
        answer = self.fallback.compose(question, retrieval)
        return replace(
            answer,
            notices=(notice or llm_notice("unsupported", retrieval.language), *answer.notices),
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
        line = re.sub(
            r"^\s*(?:standalone question|question|rewritten question)\s*[:：]\s*",
            "",
            line,
            flags=re.I,
        )
        line = line.strip().strip("\"'“”‘’「」 ").strip()
        if line:
            return line if len(line) <= max_chars and re.search(r"[^\W_]", line) else None
    return None


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
    return LLMComposer(chat_model(settings, api_key), embeddings, settings, fallback)
