"""Helpers for tests that start real servers on loopback (not collected as tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from assistant.core.settings import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_app(
    assistant: Any, settings: Settings, environ: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Launch the real Gradio app on ``settings.port``; yield its URL, then close it."""
    from assistant.ui.app import build_app, close_app, launch

    demo = build_app(assistant, settings)
    launch(demo, settings, block=False, environ=dict(environ or {}))
    try:
        yield f"http://127.0.0.1:{settings.port}/"
    finally:
        close_app(demo)


@contextmanager
def llama_server(model: Path, log: Path, *, threads: int = 1, context: int = 4096) -> Iterator[str]:
    """Run llama.cpp's OpenAI-compatible server on a free loopback port; yield its ``/v1`` URL.

    ``OMP_WAIT_POLICY=PASSIVE``: with the embedding model busy on the same cores, OpenMP
    threads that spin while waiting slow generation twentyfold.
    """
    port = free_port()
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", str(threads), "--n_ctx", str(context),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}/v1"
            _wait_ready(f"{url}/models", process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"llama.cpp server exited ({process.returncode}): {log.read_text()[-2000:]}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"llama.cpp server not ready after {timeout:g} s: {log.read_text()[-2000:]}")


@contextmanager
def cutting_proxy(upstream: str, cut_after: int) -> Iterator[str]:
    """A loopback TCP proxy to ``upstream`` (a ``/v1`` URL) that drops every reply midway.

    The first ``cut_after`` bytes of each response are relayed, then both connections
    are closed: to the client, a real server's stream cut off in the middle.
    """
    target = urlsplit(upstream)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stopped = threading.Event()

    def relay(client: socket.socket) -> None:
        with client, socket.create_connection((target.hostname, target.port)) as server:
            server.settimeout(120)
            client.settimeout(120)
            sent = 0

            def upward() -> None:
                try:
                    while chunk := client.recv(65536):
                        server.sendall(chunk)
                except OSError:
                    pass

            threading.Thread(target=upward, daemon=True).start()
            try:
                while sent < cut_after and (chunk := server.recv(65536)):
                    client.sendall(chunk[: cut_after - sent])
                    sent += len(chunk)
                # shutdown, not just close: it wakes the reader thread and sends FIN now
                client.shutdown(socket.SHUT_RDWR)
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def accept() -> None:
        listener.settimeout(0.2)
        while not stopped.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=relay, args=(client,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}{target.path}"
    finally:
        stopped.set()
        thread.join(timeout=2)
        listener.close()
