"""Faults with nothing lost: interrupted and killed ingests, concurrent cache writers.

After every interruption the store opens and answers, and the next run ends with
exactly the expected chunks, each document in one version, no duplicates.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import Settings
from assistant.retrieval.lexical import LexicalIndex
from assistant.store.chroma import Store, open_store
from assistant.store.guard import WRITES
from ingest.chunking import chunk_document
from ingest.indexing import collect_files, ingest_paths
from ingest.loaders import load_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SettingsFactory = Callable[..., Settings]


class Interrupted(BaseException):
    """Stands in for a crash at a chosen point of an ingest.

    A BaseException, like KeyboardInterrupt: ingest reports an ordinary error in one file
    and goes on with the next, but a crash stops the run where it is.
    """


def _expected(folder: Path, settings: Settings) -> dict[str, int]:
    files, _ = collect_files([folder])
    counts: dict[str, int] = {}
    for path in files:
        document = load_document(path)
        counts[document.meta.doc_id] = len(
            chunk_document(document, settings.chunk_size, settings.chunk_overlap)
        )
    return counts


def _stored(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    versions: dict[str, set[str]] = {}
    for page in store.pages(text=False):
        for meta in (record.metadata for record in page):
            doc_id = str(meta["doc_id"])
            counts[doc_id] = counts.get(doc_id, 0) + 1
            versions.setdefault(doc_id, set()).add(str(meta["content_hash"]))
    assert all(len(v) == 1 for v in versions.values()), versions  # one version per document
    return counts


# --- interrupted in-process at every write, fake embeddings -------------------------------


class FailingEmbeddings:
    """Wraps an embedding; the ``fail_at``-th call raises (a crash while embedding)."""

    def __init__(self, inner: Any, fail_at: int) -> None:
        self.inner, self.fail_at, self.calls = inner, fail_at, 0

    def encode(self, texts: list[str], query: bool = False) -> Any:
        self.calls += 1
        if self.calls == self.fail_at:
            raise Interrupted(f"embedding call {self.calls}")
        return self.inner.encode(texts, query=query)


class FailingWrites:
    """A store hook (``Store.observe``): the ``fail_at``-th write raises, before or after it lands.

    Writes are every operation that changes the real Chroma collection: chunks written,
    updated or deleted, and the collection's metadata (the content fingerprint).
    """

    def __init__(self, fail_at: int, after: bool) -> None:
        self.fail_at, self.after, self.writes = fail_at, after, 0

    def __call__(self, operation: str, call: Callable[[], Any]) -> Any:
        if operation not in WRITES:
            return call()
        self.writes += 1
        if self.writes == self.fail_at and not self.after:
            raise Interrupted(f"before write {self.writes}")
        result = call()
        if self.writes == self.fail_at:
            raise Interrupted(f"after write {self.writes}")
        return result


@pytest.fixture
def three_versions(tmp_path: Path) -> Path:
    """A folder with a long document (several write batches) and two short ones."""
    folder = tmp_path / "docs"
    folder.mkdir()
    sections = "\n\n".join(f"## Step {i}\n\nStep {i} rewets peat block {i}." for i in range(150))
    (folder / "a-long.md").write_text(f"---\ndoc_id: long\n---\n# Long\n\n{sections}\n", encoding="utf-8")
    for name in ("b-short", "c-short"):
        (folder / f"{name}.md").write_text(f"# {name}\n\nMangroves protect {name} coasts.\n", encoding="utf-8")
    return folder


def _crash_points(fake: Any, folder: Path, settings: Settings) -> tuple[int, int]:
    """Count embedding calls and writes of a clean run (on a scratch store)."""
    scratch = settings.model_copy(update={"store_dir": settings.store_dir.with_name("scratch")})
    store = open_store(scratch, fake, create=True)
    counting = FailingWrites(fail_at=0, after=False)
    store.observe(counting)
    fake.calls.clear()
    ingest_paths([folder], scratch, store, fake)
    return len(fake.calls), counting.writes


@pytest.mark.parametrize("where", ["embedding", "before write", "after write"])
def test_crash_at_every_point_is_completed_by_the_next_run(
    where: str, three_versions: Path, settings_factory: SettingsFactory, fake_embeddings: Any
) -> None:
    # No vector cache: every run embeds, so each crash point is reached in every run.
    settings = settings_factory(chunk_size=200, chunk_overlap=0, vector_cache=False)
    expected = _expected(three_versions, settings)
    assert expected["long"] > 64  # the long document takes more than one write batch
    n_calls, n_writes = _crash_points(fake_embeddings, three_versions, settings)
    points = range(1, (n_calls if where == "embedding" else n_writes) + 1)
    for point in points:
        store_settings = settings.model_copy(update={"store_dir": settings.store_dir / f"{where}-{point}"})
        store = open_store(store_settings, fake_embeddings, create=True)
        embeddings: Any = fake_embeddings
        if where == "embedding":
            embeddings = FailingEmbeddings(fake_embeddings, point)
        else:
            store.observe(FailingWrites(point, after=where == "after write"))
        with pytest.raises(Interrupted):
            ingest_paths([three_versions], store_settings, store, embeddings)

        reopened = open_store(store_settings, fake_embeddings)
        partial = _stored(reopened)
        assert all(partial[d] <= expected[d] for d in partial)
        report = ingest_paths([three_versions], store_settings, reopened, fake_embeddings)
        assert not report.failed
        assert _stored(reopened) == expected, (where, point)
        assert reopened.count() == sum(expected.values())
        again = ingest_paths([three_versions], store_settings, reopened, fake_embeddings)
        assert again.count("unchanged") == 3 and again.chunks_written == 0, (where, point)


def test_crash_while_updating_a_document_keeps_an_answerable_store(
    three_versions: Path, settings_factory: SettingsFactory, fake_embeddings: Any
) -> None:
    from assistant.pipeline import build_assistant

    settings = settings_factory(chunk_size=200, chunk_overlap=0)
    store = open_store(settings, fake_embeddings, create=True)
    ingest_paths([three_versions], settings, store, fake_embeddings)
    long = three_versions / "a-long.md"
    long.write_text(long.read_text(encoding="utf-8").replace("rewets peat", "blocks drains of"), encoding="utf-8")
    store.observe(FailingWrites(fail_at=2, after=False))
    with pytest.raises(Interrupted):
        ingest_paths([three_versions], settings, store, fake_embeddings)

    reopened = open_store(settings, fake_embeddings)
    answer = build_assistant(settings, fake_embeddings).ask("Which coasts do mangroves protect?")
    assert answer.citations  # the store answers in the middle of an update
    report = ingest_paths([three_versions], settings, reopened, fake_embeddings)
    assert {r.doc_id: r.status for r in report.files}["long"] == "updated"
    assert _stored(reopened) == _expected(three_versions, settings)
    texts = [record.text for record in reopened.get(where={"doc_id": "long"})]
    assert not any("rewets peat" in t for t in texts)


# --- the lexical cache, several writers at once --------------------------------------------


def test_concurrent_lexical_cache_builds_neither_fail_nor_corrupt(
    settings_factory: SettingsFactory, fake_embeddings: Any
) -> None:
    """App workers sharing one cache_dir build the same index at the same moment."""
    settings = settings_factory()
    store = open_store(settings, fake_embeddings, create=True)
    ingest_paths([CORPUS / "decisions"], settings, store, fake_embeddings)
    errors: list[BaseException] = []
    sizes: list[int] = []

    def build() -> None:
        try:
            sizes.append(len(LexicalIndex.load_or_build(store, settings.cache_dir)))
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    for _ in range(4):
        for folder in (settings.cache_dir / "lexical").glob("*"):
            for item in sorted(folder.rglob("*"), reverse=True):
                item.unlink() if item.is_file() else item.rmdir()
            folder.rmdir()
        threads = [threading.Thread(target=build) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sizes == [store.count()] * 16
    folders = list((settings.cache_dir / "lexical").iterdir())
    assert [f.name.endswith(".tmp") for f in folders] == [False]
    loaded = LexicalIndex.load_or_build(store, settings.cache_dir)
    assert len(loaded) == store.count() and loaded.search("restoration", k=3)


# --- the CLI killed with SIGKILL, real model ----------------------------------------------

_PROGRESS = re.compile(r"(\d+)/(\d+)")


class IngestProcess:
    """`restoration-assistant ingest` whose progress bar is read as it is drawn."""

    def __init__(self, folder: Path, store: Path, cache: Path) -> None:
        env = {
            **os.environ,
            # Make rich draw its live progress bar into the pipe, as in a terminal.
            "TTY_COMPATIBLE": "1",
            "TTY_INTERACTIVE": "1",
            "NO_COLOR": "1",
            "COLUMNS": "200",
            "RA_CACHE_DIR": str(cache),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "assistant", "ingest", str(folder), "--store", str(store)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        )
        self.output = b""
        self.done = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        while chunk := self.process.stdout.read1(4096):  # type: ignore[attr-defined]
            self.output += chunk
            found = _PROGRESS.findall(self.output[-400:].decode("utf-8", "replace"))
            if found:
                self.done = max(self.done, int(found[-1][0]))

    def wait_until(self, condition: Callable[[], bool], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(f"ingest ended before the kill point:\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"kill point not reached:\n{self.text()[-3000:]}")
            time.sleep(0.02)

    def kill(self) -> bool:
        """SIGKILL the ingest; return False if it had already finished by itself."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        assert self.process.returncode in (0, -signal.SIGKILL), self.text()[-3000:]
        return self.process.returncode == -signal.SIGKILL

    def finish(self) -> int:
        code = self.process.wait(timeout=900)
        self._reader.join(timeout=10)
        return code

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")


def _sqlite_counts(store: Path) -> dict[str, int]:
    """Chunks per doc_id, read from the store's SQLite file without opening Chroma."""
    database = store / "chroma.sqlite3"
    if not database.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            rows = connection.execute(
                "SELECT string_value, COUNT(*) FROM embedding_metadata WHERE key = 'doc_id'"
                " GROUP BY string_value"
            ).fetchall()
    except sqlite3.Error:
        return {}  # being created or locked for a write: look again
    return {str(doc): int(n) for doc, n in rows}


def _integrity(store: Path) -> str:
    with sqlite3.connect(f"file:{store / 'chroma.sqlite3'}?mode=ro", uri=True) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def _cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, cwd=ROOT,
        timeout=600, env={**os.environ, "RA_CACHE_DIR": str(cache), "COLUMNS": "300"},
    )


@pytest.fixture
def kill_corpus(tmp_path: Path) -> Path:
    """A copy of part of the corpus plus one document written in several batches."""
    folder = tmp_path / "docs"
    (folder / "guidance").mkdir(parents=True)
    for name in ("kmgbf-target-2.md", "ramsar-wetland-restoration.md"):
        (folder / "guidance" / name).write_bytes((CORPUS / "guidance" / name).read_bytes())
    words = "soil water forest mangrove peat wetland seed nursery farmer river coast reef carbon".split()
    sections = [
        f"## Section {i}\n\n" + " ".join(words[(i * 7 + j) % len(words)] for j in range(25)) + "."
        for i in range(70)
    ]
    (folder / "later").mkdir()
    (folder / "later" / "handbook.md").write_text(
        "---\ndoc_id: big-handbook\ntitle: Field handbook\nkind: guidance\nlanguage: en\n---\n"
        "# Field handbook\n\n" + "\n\n".join(sections) + "\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.e2e
def test_cli_ingest_killed_at_several_points_loses_nothing(kill_corpus: Path, tmp_path: Path) -> None:
    store, cache = tmp_path / "store", tmp_path / "cache"
    expected = _expected(kill_corpus, Settings())
    assert expected["big-handbook"] > 64  # written in two batches
    files = len(expected)
    kill_points: list[tuple[str, Callable[[IngestProcess], bool]]] = [
        # The first file is written; the second is being embedded.
        ("while embedding", lambda run: run.done >= 1),
        # The first batch of the long document has just landed; the rest is not written.
        ("right after a batch write", lambda run: _sqlite_counts(store).get("big-handbook", 0) > 0),
        # Every file is written; the fingerprint and lexical index are being recorded.
        ("after the last file", lambda run: run.done >= files),
    ]
    killed: list[bool] = []
    states: list[dict[str, int]] = []
    for label, reached in kill_points:
        run = IngestProcess(kill_corpus, store, cache)
        run.wait_until(lambda run=run, reached=reached: reached(run))  # type: ignore[misc]
        killed.append(run.kill())
        assert _integrity(store) == "ok", label
        answer = _cli("ask", "--json", "What is Target 2?", "--store", str(store), cache=cache)
        assert answer.returncode == 0, (label, answer.stderr[-3000:])
        assert json.loads(answer.stdout)["answer"], label
        partial = _sqlite_counts(store)
        assert all(partial[d] <= expected[d] for d in partial), (label, partial)
        states.append(partial)

    assert killed[:2] == [True, True]  # the last run may have finished within the poll interval
    # Killed mid-run: some documents written, the long one not yet started...
    assert 0 < sum(states[0].values()) < sum(expected.values()) and "big-handbook" not in states[0]
    # ...then with its first batch written and the rest missing.
    assert 0 < states[1]["big-handbook"] < expected["big-handbook"]
    final = IngestProcess(kill_corpus, store, cache)
    assert final.finish() == 0, final.text()[-3000:]
    assert _sqlite_counts(store) == expected
    assert _stored(open_store(Settings(store_dir=store, cache_dir=cache), None)) == expected
    info = _cli("info", "--store", str(store), cache=cache)
    assert info.returncode == 0, info.stderr[-3000:]
    assert f"Chunks {sum(expected.values())}" in " ".join(info.stdout.split())
    again = _cli("ingest", str(kill_corpus), "--store", str(store), cache=cache)
    assert again.returncode == 0, again.stderr[-3000:]
    row = [line for line in again.stdout.splitlines() if line.count("│") == 7][-1]
    assert [c.strip() for c in row.strip("│ ").split("│")] == ["0", str(files), "0", "0", "0", "0"]
