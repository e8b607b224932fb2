"""Faster ingest changes nothing stored: one model call per batch, each text once, a vector cache.

Also: library-scale behaviour (per-file errors do not stop a run; a stopped or killed
run resumes and ends with the store a clean run makes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ingest.indexing as indexing
from assistant.bench.ingest import compare_stores
from assistant.core.settings import Settings
from assistant.store.chroma import open_store
from assistant.store.vector_cache import VectorCache, cache_key_prefix, encode_unique
from ingest.indexing import ingest_paths
from tests.conftest import FakeEmbeddings

DOC = """---
doc_id: {doc_id}
title: {title}
---
# {title}

## Methods

Assisted natural regeneration protects the rootstock that farmers already have. Fencing keeps
goats away from young shoots for two seasons. Pruning leaves the strongest stems to grow.

## Results

Tree cover doubled within ten years on the treated plots. Yields of millet rose where trees
shaded the fields. Households sold firewood from the pruned stems.

## Lessons

Secure tenure made farmers willing to protect trees. Local by-laws set rules for cutting.
"""


def _library(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = DOC.format(doc_id=f"case-{i}", title=f"Regreening case {i}")
        (folder / f"case-{i}.md").write_text(text, encoding="utf-8")
    return folder


def _settings(root: Path, name: str, **kw: Any) -> Settings:
    return Settings(
        store_dir=root / name / "store",
        cache_dir=root / name / "cache",
        embedding_model=FakeEmbeddings.model_id,
        chunk_size=300,
        chunk_overlap=40,
        **kw,
    )


def _embedded(fake: FakeEmbeddings) -> list[str]:
    return [t for call in fake.calls for t in call]


def _ingest(paths: list[Path], settings: Settings, fake: Any, **kw: Any) -> Any:
    return ingest_paths(paths, settings, open_store(settings, fake, create=True), fake, **kw)


# --- encode_unique and the vector cache --------------------------------------------------


def test_encode_unique_embeds_each_text_once_in_order() -> None:
    fake = FakeEmbeddings()
    texts = ["a b c", "d e", "a b c", "f", "d e"]
    vectors = encode_unique(fake, texts)
    assert _embedded(fake) == ["a b c", "d e", "f"]
    assert np.allclose(vectors, fake.encode(texts))


def test_cache_serves_vectors_across_runs_and_models(tmp_path: Path) -> None:
    fake = FakeEmbeddings()
    cache = VectorCache(tmp_path / "v.sqlite", cache_key_prefix(fake))
    first = encode_unique(fake, ["one text", "two text"], cache)
    cache.close()
    fake.calls.clear()
    cache = VectorCache(tmp_path / "v.sqlite", cache_key_prefix(fake))
    again = encode_unique(fake, ["two text", "one text", "three"], cache)
    assert _embedded(fake) == ["three"]
    assert np.array_equal(again[:2], first[::-1])
    other = VectorCache(tmp_path / "v.sqlite", "another-model@1")
    assert other.get(["one text"]) == {}  # another model never gets these vectors


def test_corrupt_cache_file_only_means_embedding_again(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite"
    path.write_bytes(b"not a database" * 100)
    fake = FakeEmbeddings()
    vectors = encode_unique(fake, ["x y", "z"], VectorCache(path, "m"))
    assert vectors.shape == (2, fake.dim)
    assert _embedded(fake) == ["x y", "z"]


# --- same store, less model work ----------------------------------------------------------


def test_combined_embedding_stores_exactly_what_the_earlier_way_stores(tmp_path: Path) -> None:
    docs = _library(tmp_path / "docs", 3)
    current, earlier = FakeEmbeddings(), FakeEmbeddings()
    a, b = _settings(tmp_path, "a"), _settings(tmp_path, "b")
    _ingest([docs], a, current)
    _ingest([docs], b, earlier, legacy_embedding=True)
    same = compare_stores(a.store_dir, b.store_dir, a)
    assert same["equal"], same
    assert same["sentences"]["records"][0] > same["chunks"]["records"][0] > 0
    # fewer, larger model calls, and no text twice
    assert len(current.calls) < len(earlier.calls)
    assert len(_embedded(current)) == len(set(_embedded(current)))


def test_reingest_of_an_edited_file_embeds_only_new_text(tmp_path: Path) -> None:
    docs = _library(tmp_path / "docs", 2)
    settings = _settings(tmp_path, "s")
    _ingest([docs], settings, FakeEmbeddings())
    path = docs / "case-1.md"
    path.write_text(path.read_text().replace("two seasons", "three seasons"), encoding="utf-8")
    fake = FakeEmbeddings()
    report = _ingest([docs], settings, fake)
    assert {Path(f.path).name: f.status for f in report.files}["case-1.md"] == "updated"
    embedded = _embedded(fake)
    assert embedded and all("three seasons" in t for t in embedded)


def test_rebuilt_store_embeds_nothing_with_the_cache(tmp_path: Path) -> None:
    docs = _library(tmp_path / "docs", 2)
    first = _settings(tmp_path, "s")
    _ingest([docs], first, FakeEmbeddings())
    second = first.model_copy(update={"store_dir": tmp_path / "other-store"})
    fake = FakeEmbeddings()
    report = _ingest([docs], second, fake)
    assert report.count("added") == 2 and report.chunks_written > 0
    assert fake.calls == []
    assert compare_stores(first.store_dir, second.store_dir, first)["equal"]


# --- library scale: errors, progress, resuming --------------------------------------------


def test_unexpected_error_in_one_file_is_reported_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _library(tmp_path / "docs", 3)
    real = indexing.load_document

    def load(path: Path, *args: Any, **kw: Any) -> Any:
        if path.name == "case-1.md":
            raise ValueError("bad cross-reference table")
        return real(path, *args, **kw)

    monkeypatch.setattr(indexing, "load_document", load)
    written: list[int] = []
    report = _ingest([docs], _settings(tmp_path, "s"), FakeEmbeddings(), on_chunks=written.append)
    assert report.count("added") == 2
    (failed,) = report.failed
    assert failed.path.endswith("case-1.md")
    assert failed.reason == "unexpected error: ValueError: bad cross-reference table"
    assert sum(written) == report.chunks_written > 0


def test_stopped_run_resumes_to_the_store_of_a_clean_run(tmp_path: Path) -> None:
    docs = _library(tmp_path / "docs", 4)
    clean = _settings(tmp_path, "clean")
    _ingest([docs], clean, FakeEmbeddings())
    resumed = _settings(tmp_path, "resumed", vector_cache=False)
    asked = iter(range(100))
    report = _ingest([docs], resumed, FakeEmbeddings(), should_stop=lambda: next(asked) >= 5)
    assert report.cancelled and 0 < report.count("added") < 4
    fake = FakeEmbeddings()
    again = _ingest([docs], resumed, fake)
    assert again.count("unchanged") == report.count("added")
    assert again.count("added") == 4 - report.count("added")
    assert compare_stores(clean.store_dir, resumed.store_dir, clean)["equal"]


SLOW_INGEST = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.conftest import FakeEmbeddings
from assistant.core.settings import Settings
from assistant.store.chroma import open_store
from ingest.indexing import ingest_paths

class Slow(FakeEmbeddings):
    def encode(self, texts, **kw):
        time.sleep(0.3)
        return super().encode(texts, **kw)

settings = Settings(store_dir={store!r}, cache_dir={cache!r}, embedding_model=Slow.model_id,
                    chunk_size=300, chunk_overlap=40, vector_cache=False)
fake = Slow()
ingest_paths([Path({docs!r})], settings, open_store(settings, fake, create=True), fake,
             on_progress=lambda path, done, total: print(done, flush=True))
print("finished", flush=True)
"""


def test_killed_run_resumes_to_the_store_of_a_clean_run(tmp_path: Path) -> None:
    """A real SIGKILL in the middle of a run; the next run completes it."""
    docs = _library(tmp_path / "docs", 12)
    clean = _settings(tmp_path, "clean")
    _ingest([docs], clean, FakeEmbeddings())
    killed = _settings(tmp_path, "killed", vector_cache=False)
    script = SLOW_INGEST.format(
        root=str(Path(__file__).resolve().parents[2]),
        store=str(killed.store_dir),
        cache=str(killed.cache_dir),
        docs=str(docs),
    )
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until a few files are written, then kill
        line = proc.stdout.readline()
        if not line or line.strip() == "3":
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    fake = FakeEmbeddings()
    report = _ingest([docs], killed, fake)
    assert report.count("unchanged") >= 3
    assert report.count("unchanged") + report.count("added") + report.count("updated") == 12
    assert compare_stores(clean.store_dir, killed.store_dir, clean)["equal"]
    assert _ingest([docs], killed, FakeEmbeddings()).count("unchanged") == 12
