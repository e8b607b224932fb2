"""The progress display of ``restoration-assistant ingest``: files with an ETA, chunks with a rate.

A library of a few hundred reports takes a while on a CPU; the display says how far the
run is, how fast chunks are written and when it should end, so an operator can decide to
let it run (a stopped run resumes where it was on the next ``ingest``).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column

__all__ = ["IngestProgress"]

_NAME_WIDTH = 30


class IngestProgress:
    """Two lines: files (bar, count, elapsed, remaining, current file) and chunks written.

    The file name is cut to fit (a report's file name is often longer than the bar), so
    the counts and times stay readable in an 80-column terminal.
    """

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.fields[label]}"),
            BarColumn(bar_width=12),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn(
                "{task.description}",
                table_column=Column(no_wrap=True, overflow="ellipsis", max_width=_NAME_WIDTH),
            ),
            console=console,
            transient=False,
        )
        self.files: TaskID | None = None
        self.chunks: TaskID | None = None
        self.chunks_written = 0

    def __enter__(self) -> IngestProgress:
        self.progress.__enter__()
        self.files = self.progress.add_task("", total=None, label="Files ")
        self.chunks = self.progress.add_task("", total=None, label="Chunks")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.progress.__exit__(kind, error, trace)

    def on_file(self, path: str, done: int, total: int) -> None:
        """Show that a file is finished (``done`` of ``total``)."""
        assert self.files is not None
        self.progress.update(
            self.files, completed=done, total=total, description=escape(Path(path).name)
        )

    def on_chunks(self, count: int) -> None:
        """Add ``count`` chunks just embedded and written."""
        assert self.chunks is not None
        self.chunks_written += count
        elapsed = self.progress.tasks[self.chunks].elapsed or 0.0
        rate = self.chunks_written / elapsed if elapsed > 0 else 0.0
        # No total: how many chunks the remaining files make is known only once they are read.
        self.progress.update(
            self.chunks, completed=self.chunks_written, description=f"{rate:.1f} chunks/s"
        )
