"""The FAQ file and its records: what a build writes and a reviewer edits.

JSON on disk is the source of truth for review: each entry keeps its generated text, the
reviewer's status and edits, and the chunk ids and content hashes it was built from. Apart
from the builder so the exporter, the stale check and the UI read the format without
pulling in the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.core.errors import AssistantError

__all__ = [
    "FAQ_FORMAT",
    "DroppedQuestion",
    "FaqCitation",
    "FaqEntry",
    "FaqFile",
    "FaqRequest",
    "SourceRef",
    "Status",
    "content_hash",
    "faq_path_for",
    "now",
]

FAQ_FORMAT = "restoration-assistant-faq/1"
Status = Literal["draft", "approved", "rejected"]


def content_hash(text: str) -> str:
    """Hash of a chunk's text, to notice when a source passage changes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def now() -> str:
    """Return the current UTC time as the FAQ file records it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FaqRequest(BaseModel):
    """What a trainer asks for: the scope, audience, language and number of questions."""

    doc_ids: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    topic: str = ""
    audience: Literal["practitioners", "policymakers", "communities"] = "practitioners"
    language: str | None = None
    n: int = Field(20, ge=1, le=500)
    title: str = ""


class FaqCitation(BaseModel):
    """A numbered source of an answer (``[n]`` in its text)."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    kind: str = ""
    symbol: str = ""
    locator: str
    paragraph: str = ""
    language: str
    text: str = ""


class SourceRef(BaseModel):
    """A chunk an entry was built from, with the hash of its text at build time."""

    chunk_id: str
    doc_id: str
    locator: str
    paragraph: str = ""
    content_hash: str


class FaqEntry(BaseModel):
    """One question and its cited answer, with the reviewer's decisions kept apart."""

    id: str
    question: str
    answer: str
    citations: list[FaqCitation]
    group: str
    language: str
    audience: str
    doc_id: str
    locator: str
    paragraph: str = ""
    position: int = 0
    sources: list[SourceRef]
    alternates: list[str] = Field(default_factory=list)
    status: Status = "draft"
    edited_question: str | None = None
    edited_answer: str | None = None
    reviewer_note: str = ""
    stale: bool = False
    stale_reason: str = ""
    previous_answer: str | None = None

    @property
    def shown_question(self) -> str:
        """The question as a reader sees it: the reviewer's edit if any."""
        return self.edited_question or self.question

    @property
    def shown_answer(self) -> str:
        """The answer as a reader sees it: the reviewer's edit if any."""
        return self.edited_answer or self.answer


class DroppedQuestion(BaseModel):
    """A proposed question the pipeline could not support, and why."""

    question: str
    doc_id: str
    locator: str
    reason: str


class FaqFile(BaseModel):
    """The FAQ as saved: scope, settings used, entries, and what was dropped."""

    format: str = FAQ_FORMAT
    title: str = ""
    created: str = Field(default_factory=now)
    updated: str = Field(default_factory=now)
    request: FaqRequest
    language: str
    settings: dict[str, Any] = Field(default_factory=dict)
    entries: list[FaqEntry] = Field(default_factory=list)
    dropped: list[DroppedQuestion] = Field(default_factory=list)
    summary: dict[str, int] = Field(default_factory=dict)

    def save(self, path: Path) -> Path:
        """Write the FAQ file as UTF-8 JSON (written to a temporary name, then moved)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        partial.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> FaqFile:
        """Read a FAQ file; raises :class:`AssistantError` when it is missing or not one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise AssistantError(f"FAQ file not found: {path}") from e
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise AssistantError(f"{path} is not a readable FAQ file: {e}") from e
        if not isinstance(data, dict) or data.get("format") != FAQ_FORMAT:
            raise AssistantError(
                f'{path} is not a FAQ file (expected "format": "{FAQ_FORMAT}"); pass the'
                " .faq.json file the faq command wrote"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise AssistantError(f"{path} is not a valid FAQ file: {e.errors()[0]['msg']}") from e

    def exported(self, approved_only: bool = False) -> list[FaqEntry]:
        """Entries to hand out: never rejected ones; only approved ones if asked."""
        wanted = ("approved",) if approved_only else ("approved", "draft")
        return [e for e in self.entries if e.status in wanted]


def faq_path_for(out: Path) -> Path:
    """Return the FAQ file that goes with an export path: ``guide.md`` -> ``guide.faq.json``."""
    if out.name.endswith(".faq.json"):
        return out
    return out.with_name(re.sub(r"\.[^.]+$", "", out.name) + ".faq.json")
