"""Every call into Chroma goes through here: lost servers as one clear error, and call hooks.

Against a Chroma server the HTTP client raises httpx's transport errors from any call
once the server stops; wrapping the client and the collections spares every caller
(retrieval, ingest, the UI) from knowing about httpx. The same wrapper lets a caller
watch the store's operations (:data:`Hook`): the benchmark times them, fault tests
interrupt them, without reaching for Chroma's collection.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Protocol

from assistant.core.errors import AssistantError, StoreUnavailable, explain_operational
from assistant.core.settings import Settings

__all__ = [
    "OPERATIONS",
    "WRITES",
    "Guarded",
    "Hook",
    "connection_errors",
    "location",
    "unreachable",
    "unwrap",
    "wrap",
]

# Collection methods a hook sees, by the store's name for what they do.
OPERATIONS = {
    "add": "write",
    "upsert": "write",
    "update": "update",
    "delete": "delete",
    "modify": "modify",
    "get": "get",
    "count": "count",
    "query": "query",
}
# The operations that change what is stored (chunks, or the collection's metadata).
WRITES = frozenset({"write", "update", "delete", "modify"})


class Hook(Protocol):
    """Runs one store operation: ``call()`` performs it; the hook returns its result."""

    def __call__(self, operation: str, call: Callable[[], Any]) -> Any:
        """Perform ``operation`` (a name in :data:`OPERATIONS`) by calling ``call``."""


def location(settings: Settings) -> str:
    """Say where the store lives, as error messages name it."""
    if settings.chroma_host:
        return f"{settings.chroma_host}:{settings.chroma_port}"
    return str(settings.store_dir)


def unreachable(settings: Settings) -> StoreUnavailable:
    """Build the error for a Chroma server that does not answer, saying how to start it."""
    where = f"{settings.chroma_host}:{settings.chroma_port}"
    return StoreUnavailable(
        f"the Chroma server at {where} is unreachable — start it with `chroma run --path DIR"
        f" --host {settings.chroma_host} --port {settings.chroma_port}` (or check"
        " --chroma-host/--chroma-port), then try again"
    )


def connection_errors() -> tuple[type[BaseException], ...]:
    """Return the exceptions that mean a request never got an answer from the server."""
    import httpx

    # TransportError covers refused and reset connections, protocol errors and timeouts:
    # every way a request can fail before the server answers it.
    return (httpx.TransportError,)


class Guarded:
    """Proxy for a Chroma client or collection that reports a lost server as StoreUnavailable.

    The wrapped object stays usable: the next call after the server is back simply
    succeeds. With a ``hook``, the collection operations in :data:`OPERATIONS` run
    through it.
    """

    def __init__(self, target: Any, settings: Settings, hook: Hook | None = None) -> None:
        self._target = target
        self._settings = settings
        self._hook = hook

    @property
    def wrapped(self) -> Any:
        """The Chroma object itself."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not inspect.isroutine(value):  # data, and callable objects (an embedding function)
            return value
        guarded = _guard(value, self._settings)
        hook, operation = self._hook, OPERATIONS.get(name)
        if hook is None or operation is None:
            return guarded

        @functools.wraps(value)
        def hooked(*args: Any, **kwargs: Any) -> Any:
            return hook(operation, lambda: guarded(*args, **kwargs))

        return hooked

    def __repr__(self) -> str:
        return f"Guarded({self._target!r})"


def _guard(function: Callable[..., Any], settings: Settings) -> Callable[..., Any]:
    errors = connection_errors()

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except errors as e:
            raise unreachable(settings) from e
        except AssistantError:
            raise
        except Exception as e:
            explained = explain_operational(e, location(settings))
            if explained is None:
                raise
            raise explained from e

    return call


def unwrap(target: Any) -> Any:
    """Return the Chroma object behind a :class:`Guarded` (or the object itself)."""
    return target.wrapped if isinstance(target, Guarded) else target


def wrap(target: Any, settings: Settings, hook: Hook | None = None) -> Guarded:
    """Guard a Chroma client or collection (anew, if it already was)."""
    return Guarded(unwrap(target), settings, hook)
