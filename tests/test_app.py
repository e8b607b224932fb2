"""The Gradio app, launched for real on a free loopback port and driven by gradio_client."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.settings import Settings

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(corpus_assistant: Any) -> Iterator[str]:
    from assistant.ui import build_app, launch

    settings = Settings(store_dir=corpus_assistant.settings.store_dir, port=_free_port())
    demo = build_app(corpus_assistant)
    launch(demo, settings, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()


def test_ask_endpoint_returns_structured_citations(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    answer = client.predict("生态系统退化的根本原因和直接原因应该怎么处理？", api_name="/ask")
    assert answer["supported"] is True
    assert answer["language"] == "zh"
    first = answer["citations"][0]
    assert (first["doc_id"], first["paragraph"]) == ("cbd-dec-xi-16-zh", "1(b)")
    assert f"[{first['n']}]" in answer["answer"]


def test_chat_endpoint_renders_answer_and_cards(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    history, cards, record, textbox = client.predict(
        "What does Target 2 of the Kunming-Montreal framework require?", [], api_name="/chat"
    )
    assert history[-1]["role"] == "assistant"
    assert "[1]" in str(history[-1]["content"])
    assert "ra-card" in cards and "Target 2" in cards
    assert record["citations"] and textbox == ""


def test_refusal_shows_possibly_related(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    _, cards, record, _ = client.predict("Who won the 2022 FIFA World Cup final?", [], api_name="/chat")
    assert record["supported"] is False
    assert "Possibly related" in cards


def test_empty_question_is_a_clear_error(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="Please type a question"):
        client.predict("   ", api_name="/ask")
