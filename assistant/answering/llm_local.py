"""A GGUF model run in this process with llama.cpp, as a LangChain chat model.

For a field team with a laptop and a model file but no server: ``llm_provider =
"llamacpp"`` and ``llm_model_path`` make :mod:`assistant.answering.llm` talk to this class exactly
as it talks to an OpenAI-compatible endpoint (``invoke`` and ``stream``), so the same
prompt, verification and fallbacks apply. ``llama-cpp-python`` is the optional extra
``local-llm``, imported only when the provider is chosen; the model file is loaded on
first use, once, and calls are serialised (a llama.cpp context is not thread-safe).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings

__all__ = ["LlamaCppChat", "build_local_chat_model", "require_llama_cpp"]

MISSING_EXTRA = (
    "llm_provider 'llamacpp' needs the 'local-llm' extra:"
    " pip install 'restoration-assistant[local-llm]' (or: make local-llm)"
)
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def require_llama_cpp() -> Any:
    """Import ``llama_cpp`` or raise a one-line error naming the extra.

    OpenMP threads spin while they wait unless told otherwise, which starves the
    embedding model sharing the CPU: the passive policy is set before the library loads.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError as e:
        raise AssistantError(MISSING_EXTRA) from e
    return llama_cpp


class LlamaCppChat(BaseChatModel):
    """Chat completions from a local GGUF file through llama.cpp's chat template."""

    model_path: str
    n_threads: int = 2
    n_ctx: int = 4096
    temperature: float = 0.0
    max_tokens: int | None = None
    timeout: float = 60.0
    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-in-process"

    def _client(self) -> Any:
        if self._llama is None:
            llama_cpp = require_llama_cpp()
            self._llama = llama_cpp.Llama(
                model_path=self.model_path,
                n_threads=self.n_threads,
                n_ctx=self.n_ctx,
                verbose=False,
            )
        return self._llama

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Yield the model's tokens; past ``timeout`` seconds raise :class:`TimeoutError`.

        The deadline is checked between tokens, so a slow model stops within one token
        of it and the caller falls back as it does for an endpoint that timed out.
        """
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        deadline = time.monotonic() + self.timeout
        with self._lock:
            parts = self._client().create_chat_completion(
                messages=chat,
                stream=True,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
            )
            for part in parts:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.timeout:g} s")
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk


def build_local_chat_model(settings: Settings) -> LlamaCppChat:
    """Check the extra and the model file now (clear errors at start-up); load on first use.

    Raises:
        AssistantError: the extra is missing, or ``llm_model_path`` is unset or not a file.

    """
    require_llama_cpp()
    path = settings.llm_model_path
    if path is None or not Path(path).is_file():
        raise AssistantError(f"llm_model_path is not a GGUF file: {path or '(not set)'}")
    return LlamaCppChat(
        model_path=str(path),
        n_threads=settings.llm_threads,
        n_ctx=settings.llm_context,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
    )
