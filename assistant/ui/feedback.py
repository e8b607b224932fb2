"""Keep users' ratings of answers, and turn every thumbs-down into a candidate eval item.

Two JSON Lines files in one folder:

- ``feedback.jsonl``: every rating with the question, comment and the full answer record;
- ``candidates.jsonl``: one eval item per thumbs-down, in the eval-set format of the design
  (loadable with :func:`assistant.evaluation.run.load_items`, checkable with
  ``restoration-assistant eval --validate``). Its gold references are the passages the
  disliked answer cited, so a reviewer must confirm or correct them: each item is tagged
  ``needs-review`` and carries a ``review`` object with the comment and the answer given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.core.errors import AssistantError

__all__ = [
    "CANDIDATES_FILE",
    "FEEDBACK_FILE",
    "FeedbackReceipt",
    "RecordSigner",
    "candidate_item",
    "record_feedback",
]

FEEDBACK_FILE = "feedback.jsonl"
CANDIDATES_FILE = "candidates.jsonl"
MAX_COMMENT_CHARS = 2000
Rating = Literal["up", "down"]

# One app process serves many sessions; appends from two threads must not interleave.
_WRITE_LOCK = threading.Lock()


class RecordSigner:
    """Signs the answer records a server hands out, so feedback can only rate real answers.

    A client could otherwise post a made-up record, and a thumbs-down on it would become
    a false candidate eval item. The key is random per process: records from before a
    restart can no longer be rated, which costs a user one click at most.
    """

    FIELD = "signature"

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def _digest(self, record: dict[str, Any]) -> str:
        body = {k: v for k, v in record.items() if k != self.FIELD}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(self._key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()

    def sign(self, record: dict[str, Any]) -> dict[str, Any]:
        """Return the record with its signature added."""
        return {**record, self.FIELD: self._digest(record)}

    def verify(self, record: dict[str, Any]) -> bool:
        """Whether this process signed exactly this record."""
        given = record.get(self.FIELD)
        return isinstance(given, str) and hmac.compare_digest(given, self._digest(record))


@dataclass(frozen=True)
class FeedbackReceipt:
    """What was written: the feedback id and, for a thumbs-down, the candidate item's id."""

    feedback_id: str
    feedback_path: Path
    candidate_id: str | None = None
    candidates_path: Path | None = None


def _gold(answer: dict[str, Any]) -> list[dict[str, str]]:
    """Gold references from the cited passages: doc_id plus paragraph, else locator."""
    gold: list[dict[str, str]] = []
    for citation in answer.get("citations") or []:
        entry = {"doc_id": str(citation.get("doc_id", ""))}
        if citation.get("paragraph"):
            entry["paragraph"] = str(citation["paragraph"])
        elif citation.get("locator"):
            entry["locator"] = str(citation["locator"])
        if entry["doc_id"] and entry not in gold:
            gold.append(entry)
    return gold


def _reference(citation: dict[str, Any]) -> dict[str, Any]:
    return {
        key: citation.get(key, "")
        for key in ("n", "doc_id", "title", "locator", "paragraph", "language")
    }


def candidate_item(
    item_id: str,
    question: str,
    answer: dict[str, Any],
    comment: str,
    created: str,
    feedback_id: str,
) -> dict[str, Any]:
    """Build the eval item a thumbs-down suggests, marked for review.

    ``answerable`` is assumed true (a user who dislikes an answer usually expected one);
    the reviewer sets it to false when the corpus really does not cover the question.
    """
    trace = answer.get("trace") or {}
    tags = ["from-feedback", "needs-review"]
    if trace.get("follow_up"):
        tags.append("follow-up")
    if not answer.get("supported", True):
        tags.append("refused")
    return {
        "id": item_id,
        "question": question,
        "language": str(answer.get("language") or trace.get("language") or "en"),
        "answerable": True,
        "gold": _gold(answer),
        "key_facts": [],
        "tags": tags,
        "review": {
            "status": "needs-review",
            "comment": comment,
            "answer": answer.get("answer", ""),
            "supported": bool(answer.get("supported", False)),
            "gold_from": "the passages the disliked answer cited: confirm or correct them",
            "cited": [_reference(c) for c in answer.get("citations") or []],
            "related": [_reference(c) for c in answer.get("related") or []],
            "history": list(trace.get("history") or []),
            "condensed_query": trace.get("condensed_query", ""),
            "filters": trace.get("filters") or {},
            "created": created,
            "feedback_id": feedback_id,
        },
    }


def _append(path: Path, record: dict[str, Any]) -> None:
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _WRITE_LOCK, path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def record_feedback(
    folder: Path,
    *,
    question: str,
    answer: dict[str, Any],
    rating: Rating,
    comment: str = "",
    now: datetime | None = None,
) -> FeedbackReceipt:
    """Append a rating to ``feedback.jsonl``; a thumbs-down also appends a candidate item.

    Args:
        folder: the feedback folder (``Settings.feedback_dir``), created when missing.
        question: the question as the user asked it.
        answer: the answer record (``Answer.to_dict()``) that was rated.
        rating: ``"up"`` or ``"down"``.
        comment: optional free text from the user (trimmed to 2,000 characters).
        now: the moment to record (defaults to the current UTC time).

    Raises:
        AssistantError: the rating is not up/down, or the folder cannot be written.

    """
    if rating not in ("up", "down"):
        raise AssistantError(f"rating must be 'up' or 'down', not {rating!r}")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    created = moment.isoformat(timespec="seconds").replace("+00:00", "Z")
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS]
    # Random salt: two ratings of one question in the same second still get distinct ids
    # (a duplicate id would make the whole candidates file fail to load).
    salt = secrets.token_hex(8)
    digest = hashlib.sha256(f"{moment.isoformat()}\0{question}\0{salt}".encode()).hexdigest()[:10]
    feedback_id = f"fb-{moment:%Y%m%d-%H%M%S}-{digest}"
    feedback_path = folder / FEEDBACK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _append(
            feedback_path,
            {
                "id": feedback_id,
                "timestamp": created,
                "rating": rating,
                "question": question,
                "comment": comment,
                "answer": answer,
            },
        )
        if rating == "up":
            return FeedbackReceipt(feedback_id, feedback_path)
        candidates_path = folder / CANDIDATES_FILE
        candidate_id = f"cand-{moment:%Y%m%d-%H%M%S}-{digest}"
        _append(
            candidates_path,
            candidate_item(candidate_id, question, answer, comment, created, feedback_id),
        )
    except OSError as e:
        raise AssistantError(
            f"could not save feedback in {folder} ({e.strerror or e}); check feedback_dir"
        ) from e
    return FeedbackReceipt(feedback_id, feedback_path, candidate_id, candidates_path)
