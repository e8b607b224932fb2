"""Speak to the configured chat endpoint: build its LangChain model, name its failures.

Kept apart from :mod:`assistant.answering.llm` (which decides what the model may say) so
that provider-specific code lives in one place: which client each ``llm_provider`` needs,
how its key and limits are passed, which exceptions mean "the endpoint failed" and how to
say so in a few words, and the endpoint's address without credentials for logs and traces.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings

__all__ = ["DUMMY_API_KEY", "chat_model", "endpoint_name", "failure_reason", "llm_errors"]

DUMMY_API_KEY = "not-needed"  # local servers (Ollama, llama.cpp, vLLM) accept any key


def endpoint_name(url: str | None) -> str:
    """Return the base URL without credentials or query, safe to show and to log."""
    if not url:
        return "(not set)"
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or url


def llm_errors() -> tuple[type[BaseException], ...]:
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


def failure_reason(error: BaseException, timeout: float) -> str:
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


def chat_model(settings: Settings, api_key: str) -> Any:
    """Build the LangChain chat model for the configured provider."""
    if settings.llm_provider == "llamacpp":
        from assistant.answering.llm_local import build_local_chat_model

        return build_local_chat_model(settings)
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
            num_predict=settings.llm_max_tokens,
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
        # Sent as 'max_tokens' in the body: LangChain renames its own field to
        # 'max_completion_tokens', which llama.cpp's server (and older ones) ignore.
        extra_body={"max_tokens": settings.llm_max_tokens} if settings.llm_max_tokens else None,
    )
