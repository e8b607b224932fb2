"""Errors the user can act on.

::

    AssistantError                 base: one line for the CLI, gr.Error in the UI
    ├── StoreNotFound              no store at the path: run `ingest` first
    ├── StoreUnavailable           Chroma server unreachable: start it or check host/port
    ├── ModelMismatch              store built with another embedding model: rebuild
    ├── IngestError(path, reason)  one file could not be indexed
    ├── InvalidQuestion            empty, too long, or no words
    └── LLMUnavailable             the LLM endpoint failed: extractive answer used instead

Library code raises these ``from`` the underlying error so the cause stays visible
in logs while users see only the message.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AssistantError",
    "IngestError",
    "InvalidQuestion",
    "LLMUnavailable",
    "ModelMismatch",
    "StoreNotFound",
    "StoreUnavailable",
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
