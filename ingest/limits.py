"""Bounded work per file: a hostile or runaway file is refused early, with a reason.

A 546 KB DOCX can unpack to 165 MB and take minutes and gigabytes to parse, and a file
that loads can still cost hours of embedding. Each limit is checked as early as the file
allows (a zip's central directory before any member is inflated, a PDF's page count
before any page is read, the clock between pages and sections) and a hit raises
:class:`IngestError` naming the limit and the setting that raises it, so the rest of
the batch goes on and nothing of that file reaches the store.

The deadline is cooperative (checked between pages and sections): no threads or
signals, so it works in a Gradio worker thread, where ``signal.alarm`` cannot.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.errors import IngestError

if TYPE_CHECKING:
    from assistant.core.settings import Settings

__all__ = ["ZIP_CONTAINERS", "FileBudget", "FileLimits", "check_chunks", "check_zip"]

# Formats that are zip archives of XML parts: their central directory is checked before
# any part is read (ODT, when a loader for it is added, belongs here too).
ZIP_CONTAINERS = frozenset({".docx", ".odt"})
# Members smaller than this may compress as well as they like (a 1 MB run of spaces is
# harmless); above it a ratio over ``max_zip_ratio`` is a bomb, not a document.
_RATIO_MIN_BYTES = 1_000_000
_MB = 1_000_000


@dataclass(frozen=True)
class FileLimits:
    """Per-file limits of ingest; the defaults are those of :class:`Settings`.

    Callers build it with :meth:`from_settings`; the defaults keep callers that pass
    nothing (tests, the benchmark) bounded too.
    """

    max_unpacked_mb: float = 100.0
    max_zip_entries: int = 1000
    max_zip_ratio: float = 100.0
    max_pages: int = 1000
    max_sections: int = 20_000
    max_chunks: int = 5000
    max_load_seconds: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> FileLimits:
        """Take the limits from settings (RA_MAX_* environment variables, TOML, flags)."""
        return cls(
            max_unpacked_mb=settings.max_unpacked_mb,
            max_zip_entries=settings.max_zip_entries,
            max_zip_ratio=settings.max_zip_ratio,
            max_pages=settings.max_pages,
            max_sections=settings.max_sections,
            max_chunks=settings.max_chunks,
            max_load_seconds=settings.max_load_seconds,
        )


def _over(path: Path, what: str, limit: str, setting: str) -> IngestError:
    """Build the one-line refusal: what the file has, the limit, the setting that raises it."""
    return IngestError(path, f"{what}, over the {limit} limit — raise {setting} (RA_{setting.upper()})")


def check_zip(path: Path, data: bytes, limits: FileLimits) -> None:
    """Refuse a zip container whose central directory promises too much work.

    Only the directory is read: the declared sizes bound what :mod:`zipfile` will ever
    inflate (it stops at ``file_size`` and fails the CRC), so checking them first keeps
    a bomb from being decompressed at all. A file that is not a zip is left to its
    loader, which reports it in its own words.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_mb * _MB:
        raise _over(
            path, f"unpacks to {unpacked / _MB:,.0f} MB", f"{limits.max_unpacked_mb:g} MB",
            "max_unpacked_mb",
        )
    if len(members) > limits.max_zip_entries:
        raise _over(
            path, f"archive has {len(members):,} entries", f"{limits.max_zip_entries:,}-entry",
            "max_zip_entries",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_MIN_BYTES and ratio > limits.max_zip_ratio:
            name = "".join(c if c.isprintable() else "?" for c in member.filename[:80])
            raise _over(
                path,
                f"part '{name}' inflates {ratio:,.0f}:1 ({member.file_size / _MB:,.0f} MB"
                f" from {member.compress_size / _MB:,.2f} MB), a zip bomb",
                f"{limits.max_zip_ratio:g}:1",
                "max_zip_ratio",
            )


def check_chunks(path: Path, count: int, limits: FileLimits) -> None:
    """Refuse a file that would be cut into more chunks than one file may cost to embed."""
    if count > limits.max_chunks:
        raise _over(
            path, f"{count:,} passages to embed", f"{limits.max_chunks:,}-passage", "max_chunks"
        )


class FileBudget:
    """The running checks of one file's load: its clock, pages and sections.

    Loaders call :meth:`tick` between units of work and :meth:`add_section` for each
    section they keep, so a file is stopped as soon as it is over, not after.
    """

    def __init__(
        self, path: Path, limits: FileLimits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.limits = limits
        self.sections = 0
        self._clock = clock
        self._deadline = clock() + limits.max_load_seconds

    def tick(self) -> None:
        """Raise once the file has taken longer than ``max_load_seconds`` to load."""
        if self._clock() > self._deadline:
            raise _over(
                self.path,
                "loading took too long",
                f"{self.limits.max_load_seconds:g} s",
                "max_load_seconds",
            )

    def check_pages(self, count: int) -> None:
        """Refuse a paged document (PDF) with more pages than allowed, before reading them."""
        if count > self.limits.max_pages:
            raise _over(
                self.path, f"{count:,} pages", f"{self.limits.max_pages:,}-page", "max_pages"
            )

    def add_section(self) -> None:
        """Count one kept section; raise past ``max_sections`` (and check the clock)."""
        self.sections += 1
        self.check_sections(self.sections)
        self.tick()

    def check_sections(self, total: int) -> None:
        """Refuse a document of more than ``max_sections`` sections."""
        if total > self.limits.max_sections:
            raise _over(
                self.path,
                f"more than {self.limits.max_sections:,} sections",
                f"{self.limits.max_sections:,}-section",
                "max_sections",
            )
