"""A short, bounded run of the load test against the real app (the full one: `make load-test`).

Twenty gradio_client sessions ask at once for ten seconds with no error; with a queue
of two, questions beyond it get Gradio's "queue is full" reply and the app answers on.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from servers import free_port, serve_app  # tests/ is on sys.path under pytest

from assistant.bench.loadtest import burst, rss_mb, run_load

pytestmark = pytest.mark.e2e


def _app(assistant: Any, **queue: int) -> AbstractContextManager[str]:
    return contextmanager(serve_app)(assistant, assistant.settings.model_copy(update={"port": free_port(), **queue}))


def test_twenty_sessions_ask_for_ten_seconds_without_errors(corpus_assistant: Any) -> None:
    with _app(corpus_assistant, concurrency_limit=2, queue_max_size=64) as url:
        result = run_load(url, sessions=20, duration_s=10, pid=os.getpid())
    assert result.errors == 0, result.error_samples
    assert result.busy == 0  # 20 sessions fit in a queue of 64
    assert result.ok >= 20 and result.requests == result.ok
    assert set(result.latency_ms) >= {"p50", "p95", "max"}
    assert result.latency_ms["p50"] <= result.latency_ms["p95"] <= result.latency_ms["max"]
    if rss_mb(os.getpid()) is not None:
        assert result.rss_samples_mb and result.rss_mb["max"] >= result.rss_mb["start"] > 0
        # No runaway growth while serving (a leak of answer records would show here).
        assert result.rss_mb["end"] < 1.5 * result.rss_mb["start"]


def test_questions_beyond_the_queue_get_a_busy_reply(corpus_assistant: Any) -> None:
    with _app(corpus_assistant, concurrency_limit=1, queue_max_size=2) as url:
        result = burst(url, requests=20)
    assert result.errors == 0, result.error_samples
    assert result.busy > 0 and "queue is full" in result.busy_message.lower()
    assert 1 <= result.ok <= 20 - result.busy
    assert result.ok + result.busy == 20
    assert result.answers_after
