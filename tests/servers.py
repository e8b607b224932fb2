"""Helpers for tests that start real servers on loopback (not collected as tests)."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from typing import Any

from assistant.settings import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_app(
    assistant: Any, settings: Settings, environ: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Launch the real Gradio app on ``settings.port``; yield its URL, then close it."""
    from assistant.ui import build_app, launch

    demo = build_app(assistant, settings)
    launch(demo, settings, block=False, environ=dict(environ or {}))
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        demo.close()
