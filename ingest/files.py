"""Which files an ingest run reads: folders expanded, and files refused before reading.

Kept apart from :mod:`ingest.indexing` so that a caller can list or vet a library (the
benchmarks count its files, the app checks an upload) without writing anything: links are
followed without looping, folder READMEs and unsupported types are reported as skipped,
and special files, broken links and oversized files are refused before a byte is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.settings import Settings
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.metadata import SIDECAR_NAMES
from ingest.report import FileResult

__all__ = ["check_file", "collect_files"]


def collect_files(
    paths: Iterable[Path], skipped: list[FileResult] | None = None
) -> tuple[list[Path], list[FileResult]]:
    """Expand files and folders into supported files, following links without looping.

    Files inside folders that describe the folder rather than its subject (``README*``, and
    ``SOURCES``, ``LICENSE``, ``NOTICE``… by their exact name) are skipped; pass one
    explicitly to index it. Files of a folder that are not collected (unsupported types,
    READMEs) are appended to ``skipped`` with the reason, so none vanishes without a word;
    hidden files and the folder's metadata sidecar are not documents and are not listed.
    """
    files: list[Path] = []
    problems: list[FileResult] = []
    seen_dirs: set[str] = set()
    for path in paths:
        if not path.exists():
            reason = (
                "broken symbolic link (its target is missing or it loops)"
                if path.is_symlink()
                else "no such file or folder"
            )
            problems.append(FileResult(str(path), "failed", reason=reason))
        elif not path.is_dir():
            files.append(path)  # named explicitly: even an odd one gets a reason, not silence
        else:
            for root, dirs, names in os.walk(path, followlinks=True):
                real = os.path.realpath(root)
                if real in seen_dirs:
                    dirs[:] = []
                    problems.append(FileResult(root, "failed", reason="symlink loop skipped"))
                    continue
                seen_dirs.add(real)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(root) / name
                    if name.startswith(".") or name in SIDECAR_NAMES:
                        continue
                    suffix = candidate.suffix.lower()
                    if (about := _about_the_folder(name)) is not None:
                        reason = f"describes the folder ({about}): name it to index it"
                    elif suffix in SUPPORTED_SUFFIXES:
                        files.append(candidate)
                        continue
                    else:
                        reason = f"unsupported file type '{suffix or name}'"
                    if skipped is not None:
                        skipped.append(FileResult(str(candidate), "skipped", reason=reason))
    return files, problems


# Names a folder's own notes go by in document collections and repositories: where its files
# came from, under which licence, what changed. Matched by the whole name before the first
# dot, so "sources-of-finance.md" is a document.
_FOLDER_NOTES = frozenset(
    {"SOURCES", "LICENSE", "LICENCE", "NOTICE", "COPYING", "CHANGELOG", "CONTRIBUTING", "AUTHORS"}
)


def _about_the_folder(name: str) -> str | None:
    """Return what kind of note about the folder a file is ("README", "SOURCES"…), if it is one."""
    upper = name.upper()
    if upper.startswith("README"):
        return "README"
    stem = upper.split(".", 1)[0]
    return stem if stem in _FOLDER_NOTES else None


def check_file(path: Path, settings: Settings) -> None:
    """Refuse what must not be read: special files, broken links, files over ``max_file_mb``.

    Checked before reading, so a named pipe does not block the run and a huge file is
    not read into memory (nor embedded for an hour).
    """
    try:
        info = path.stat()
    except OSError as e:
        if path.is_symlink():
            raise IngestError(
                path, "broken symbolic link (its target is missing or it loops)"
            ) from e
        raise IngestError(path, f"cannot read file ({e.strerror or e})") from e
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(path, "not a regular file (a pipe, socket or device)")
    limit = settings.max_file_mb * 1_000_000
    if info.st_size > limit:
        raise IngestError(
            path,
            f"file is {info.st_size / 1_000_000:,.1f} MB, over the {settings.max_file_mb:g} MB"
            " limit — split it, or raise max_file_mb (RA_MAX_FILE_MB)",
        )
