"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol.

Tests script its replies one by one (a fixed text, or a function of the request, so
an answer can quote the passages the assistant actually sent) and read back every
request it received. It answers plain JSON or, when the request asks for
``"stream": true``, server-sent events (``data: {...}`` chunks, then ``data: [DONE]``),
and can fail the ways real endpoints do: an HTTP error status, a slow reply, a body
that is not JSON, or a connection dropped in the middle of a stream.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["OpenAIStub", "Reply", "run_stub"]


@dataclass(frozen=True)
class Reply:
    """One scripted completion.

    ``content`` is the answer text, or a function of the request body that returns it.
    ``status`` other than 200 sends an OpenAI-style error body; ``delay`` waits before
    answering (to make a client time out); ``raw`` sends these bytes as the body
    instead of a completion; ``drop_after`` closes a stream after that many chunks
    without finishing it.
    """

    content: str | Callable[[dict[str, Any]], str] = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None
    drop_after: int | None = None

    def text(self, request: dict[str, Any]) -> str:
        """The completion text for ``request``."""
        return self.content(request) if callable(self.content) else self.content


def _pieces(text: str) -> list[str]:
    """Split text into small stream deltas (a word and its trailing space each)."""
    return re.findall(r"\S+\s*|\s+", text) or [text]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keep test output quiet."""

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        stub = self.server.stub
        stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        reply = stub.next_reply()
        if reply is None:
            self._json(500, {"error": {"message": "the stub has no scripted reply left"}})
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw is not None:
            self._send(200, reply.raw, "application/json")
        elif reply.status != 200:
            self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
        elif body.get("stream"):
            self._stream(body, reply)
        else:
            self._json(200, self._completion(body, reply.text(body)))

    def _completion(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        model = body.get("model", "stub")

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": piece}) for piece in _pieces(reply.text(body))]
        events.append(chunk({}, "stop"))
        for sent, event in enumerate(events):
            if reply.drop_after is not None and sent >= reply.drop_after:
                self.wfile.flush()
                self.close_connection = True
                return  # no terminating chunk: the client sees a broken body
            self._chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: OpenAIStub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout test) leaves a broken pipe: not an error here."""


class OpenAIStub:
    """The scripted endpoint: ``url`` is the base URL a client is configured with."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The OpenAI-style base URL, ending in ``/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue the next replies, in order (a plain string is a plain completion)."""
        with self._lock:
            self._replies.extend(Reply(r) if isinstance(r, str) else r for r in replies)

    def next_reply(self) -> Reply | None:
        """Take the next scripted reply, or ``None`` when the script is used up."""
        with self._lock:
            return self._replies.popleft() if self._replies else None

    def reset(self) -> None:
        """Forget requests and unused replies between tests."""
        with self._lock:
            self._replies.clear()
            self.requests.clear()

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def run_stub() -> Iterator[OpenAIStub]:
    """Run a stub for the duration of a ``with`` block."""
    stub = OpenAIStub()
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()
