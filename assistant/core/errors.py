"""Errors the user can act on.

::

    AssistantError                 base: one line for the CLI, gr.Error in the UI
    ├── StoreNotFound              no store at the path: run `ingest` first
    ├── StoreUnavailable           Chroma server unreachable: start it or check host/port
    ├── ModelMismatch              store built with another embedding model: rebuild
    ├── StoreOperational           read-only, locked or full store: what to do about it
    ├── IngestError(path, reason)  one file could not be indexed
    ├── InvalidQuestion            empty, too long, or no words
    └── LLMUnavailable             the LLM endpoint failed: extractive answer used instead

Library code raises these ``from`` the underlying error so the cause stays visible
in logs while users see only the message.
"""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = [
    "AssistantError",
    "IngestError",
    "InvalidQuestion",
    "LLMUnavailable",
    "ModelMismatch",
    "StoreOperational",
    "StoreNotFound",
    "StoreUnavailable",
    "explain_operational",
]


class AssistantError(Exception):
    """Base of every error whose message is meant for the user."""


class StoreNotFound(AssistantError):
    """The store does not exist or holds no collection yet."""


class StoreUnavailable(AssistantError):
    """The Chroma server cannot be reached."""


class ModelMismatch(AssistantError):
    """The store was built with a different embedding model than the one configured."""


class IngestError(AssistantError):
    """One file could not be indexed; the rest of the batch goes on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


class InvalidQuestion(AssistantError):
    """The question cannot be answered as asked (empty, too long, no words)."""


class LLMUnavailable(AssistantError):
    """The configured LLM endpoint failed or timed out."""


class StoreOperational(AssistantError):
    """The store's disk said no: read-only, locked by another writer, or full."""


def explain_operational(error: BaseException, where: Path | str) -> StoreOperational | None:
    """Translate a low-level storage failure into one line saying what to do, or ``None``.

    Chroma and SQLite report these as internal errors with a traceback; the user needs
    the cause and the remedy. ``where`` is the store folder (or server) the error concerns.
    """
    text = str(error).lower()
    code = getattr(error, "errno", None)
    if "readonly" in text or "read-only" in text or code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreOperational(
            f"the store at {where} is read-only, and Chroma cannot open a store it may not"
            " write (not even to answer questions): give this user write access to it, or"
            " copy it to a writable folder and pass --store (RA_STORE_DIR)"
        )
    if "database is locked" in text or "database is busy" in text:
        return StoreOperational(
            f"the store at {where} is locked by another process (an embedded store serves one"
            " process at a time): wait for that process to finish, or serve the store with"
            " `chroma run` and set RA_CHROMA_HOST"
        )
    if "disk is full" in text or "no space left" in text or code == errno.ENOSPC:
        return StoreOperational(
            f"the disk holding {where} is full: free some space and run the command again"
            " (finished files stay indexed; the store is consistent)"
        )
    return None
