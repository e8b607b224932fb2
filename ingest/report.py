"""What an ingest run reports: a result per file, totals, and what a folder held unread.

Kept apart from :mod:`ingest.indexing` (which does the work) because the service layer,
the CLI and the app read these records without needing the indexing machinery; the
exception a caller's stop request raises between batches belongs with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["FileResult", "IngestCancelled", "IngestReport", "Status"]

Status = Literal["added", "updated", "unchanged", "failed", "pruned", "skipped"]


class IngestCancelled(Exception):
    """The caller asked to stop (the app's client left); raised between batches."""


@dataclass(frozen=True)
class FileResult:
    """What happened to one file."""

    path: str
    status: Status
    doc_id: str = ""
    chunks: int = 0
    reason: str = ""
    flag: str = ""


@dataclass
class IngestReport:
    """Per-file results and totals of one ingest run."""

    files: list[FileResult] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    cancelled: bool = False

    def count(self, status: Status) -> int:
        """Return the number of files with ``status``."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> list[FileResult]:
        """Files that could not be indexed."""
        return [f for f in self.files if f.status == "failed"]

    def skipped_summary(self) -> str:
        """Say in one line what in the folders was not indexed, and why; ``""`` when nothing.

        Example: ``skipped: 2 files of an unsupported type (.csv, .xlsx), 1 folder README``.
        """
        unsupported = [
            Path(f.path).suffix.lower() or "no extension"
            for f in self.skipped
            if f.reason.startswith("unsupported")
        ]
        parts = []
        if unsupported:
            n = len(unsupported)
            types = ", ".join(dict.fromkeys(sorted(unsupported)))
            parts.append(f"{n} file{'s' if n > 1 else ''} of an unsupported type ({types})")
        readmes = sum(1 for f in self.skipped if not f.reason.startswith("unsupported"))
        if readmes:
            parts.append(f"{readmes} folder README{'s' if readmes > 1 else ''}")
        return f"skipped: {', '.join(parts)}" if parts else ""
