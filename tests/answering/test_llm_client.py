"""The chat endpoint's client: safe names for logs, failures said in a few words."""

from __future__ import annotations

import httpx
import openai
import pytest

from assistant.answering.llm_client import (
    DUMMY_API_KEY,
    chat_model,
    endpoint_name,
    failure_reason,
    llm_errors,
)
from assistant.core.settings import Settings


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:secret@127.0.0.1:9/v1?key=abc#x", "http://127.0.0.1:9/v1"),
        ("https://api.example.org/v1", "https://api.example.org/v1"),
        (None, "(not set)"),
        ("", "(not set)"),
    ],
)
def test_endpoint_name_drops_credentials_query_and_fragment(url: str | None, shown: str) -> None:
    assert endpoint_name(url) == shown


def _request() -> httpx.Request:
    return httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ReadTimeout("slow", request=_request()), "timed out after 2.5 s"),
        (TimeoutError(), "timed out after 2.5 s"),
        (
            openai.InternalServerError(
                "boom", response=httpx.Response(503, request=_request()), body=None
            ),
            "HTTP 503",
        ),
        (httpx.ConnectError("refused", request=_request()), "could not be reached"),
        (ConnectionRefusedError(), "could not be reached"),
        (ValueError("not JSON"), "the reply could not be read"),
    ],
)
def test_failure_reason_names_how_the_call_failed(error: BaseException, reason: str) -> None:
    assert isinstance(error, llm_errors())  # every one of them is caught as an endpoint failure
    assert failure_reason(error, 2.5) == reason


def test_openai_compatible_model_gets_the_configured_limits_and_key() -> None:
    settings = Settings(
        llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_timeout=7.0, llm_max_tokens=64
    )
    model = chat_model(settings, DUMMY_API_KEY)
    assert model.model_name == "m" and model.max_retries == 0
    assert model.openai_api_key.get_secret_value() == "not-needed"
    assert model.extra_body == {"max_tokens": 64}
