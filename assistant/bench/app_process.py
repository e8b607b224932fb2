"""The chat app in its own process on a free loopback port, for the load test to drive.

Apart from the load itself so starting, probing and stopping the app (and reading its
memory) can be reused and read on their own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AppProcess", "app_process", "rss_mb"]


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux ``/proc``), or ``None`` if unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class AppProcess:
    """The chat app in its own process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """Process id of the app."""
        return self.process.pid

    def alive(self) -> bool:
        """Whether the app process is still running."""
        return self.process.poll() is None


@contextmanager
def app_process(
    app_args: Sequence[str],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    start_timeout_s: float = 300,
) -> Iterator[AppProcess]:
    """Start ``restoration-assistant chat`` on a free loopback port; stop it afterwards.

    ``app_args`` are extra CLI options (``--store``, ``--chroma-host``...); ``env`` adds
    ``RA_*`` settings such as ``RA_QUEUE_MAX_SIZE``.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assistant",
                "chat",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *app_args,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    app = AppProcess(url, process, log)
    try:
        deadline = time.monotonic() + start_timeout_s
        while not _ready(url):
            if not app.alive():
                raise RuntimeError(f"the app exited while starting; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the app did not answer on {url} within {start_timeout_s:.0f} s"
                )
            time.sleep(0.5)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
