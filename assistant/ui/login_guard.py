"""Sign-in that resists guessing: failures counted per user name and per address.

After ``login_max_failures`` failed sign-ins within ``login_window_s``, that user name
(or that client address) is refused for ``login_lockout_s`` with HTTP 429 and a message
saying when to try again, even with the right password. Gradio's login route hands the
password check a user name only, so the per-address count lives in a small ASGI
middleware around ``/login``; both share one :class:`LoginGuard`.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["LoginGuard", "LoginThrottle", "checked_login"]


class LoginGuard:
    """Failed sign-ins per key (``user:NAME`` or ``addr:IP``), with lockouts; thread-safe."""

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        lockout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        with self._lock:
            return max(0.0, self._locked_until.get(key, 0.0) - self._clock())

    def failed(self, key: str) -> None:
        """Count a failure; the one that reaches the limit starts a lockout."""
        now = self._clock()
        with self._lock:
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] < now - self.window_s:
                recent.popleft()
            if len(recent) >= self.max_failures:
                self._locked_until[key] = now + self.lockout_s
                recent.clear()
            if len(self._failures) > 100_000:  # a flood of made-up names: forget the oldest
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        """Forget the failures of a key that signed in."""
        with self._lock:
            self._failures.pop(key, None)

    def message(self, wait_s: float) -> str:
        """Say what a refused client is told."""
        return (
            f"Too many failed sign-ins: try again in {max(1, round(wait_s))} s"
            " (an administrator can change login_lockout_s)."
        )


def checked_login(accounts: Mapping[str, str], guard: LoginGuard) -> Callable[[str, str], bool]:
    """Return Gradio's ``auth`` callable: compares passwords in constant time, per-user lockout."""
    from fastapi import HTTPException

    def auth(username: str, password: str) -> bool:
        key = f"user:{username}"
        wait = guard.wait(key)
        if wait:
            raise HTTPException(status_code=429, detail=guard.message(wait))
        expected = accounts.get(username)
        ok = expected is not None and hmac.compare_digest(password.encode(), expected.encode())
        if ok:
            guard.succeeded(key)
        else:
            guard.failed(key)
        return ok

    return auth


class LoginThrottle:
    """ASGI middleware: per-address lockout on Gradio's ``/login`` route."""

    def __init__(self, app: Any, guard: LoginGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Refuse a locked-out address; count the outcome of every other sign-in."""
        path = str(scope.get("path", "")).rstrip("/")
        if scope.get("type") != "http" or scope.get("method") != "POST" or not path.endswith("/login"):
            await self.app(scope, receive, send)
            return
        key = f"addr:{(scope.get('client') or ('?', 0))[0]}"
        wait = self.guard.wait(key)
        if wait:
            body = json.dumps({"detail": self.guard.message(wait)}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"retry-after", str(max(1, round(wait))).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        status: list[int] = []

        async def watch(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                status.append(int(message.get("status", 0)))
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 200:
            self.guard.succeeded(key)
        elif status and status[0] in (400, 401):
            self.guard.failed(key)
