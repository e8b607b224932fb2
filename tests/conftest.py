"""Shared fixtures: a deterministic fake embedding and settings on ``tmp_path``."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from assistant.core.settings import Settings

# Tests run in two worker processes (pytest-xdist, `make test`), each embedding with OpenMP
# threads: spinning threads waiting for a core the other worker holds slow both several-fold.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Property and fuzz tests: the gate replays the same examples on every run (a red CI must
# mean a change broke something, not that a new random draw found an old bug);
# `make fuzz` explores fresh random inputs at a larger budget.
settings.register_profile(
    "gate", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "explore", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))


FAKE_DIM = 32
FAKE_MODEL = "fake-test-model"

_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbeddings:
    """Bag-of-hashed-words unit vectors: identical texts give identical vectors.

    Texts sharing words are close, so distances are predictable without a model.
    """

    model_id = FAKE_MODEL
    dim = FAKE_DIM

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(FAKE_DIM, dtype=np.float64)
        for word in _WORD.findall(text.lower()) or [""]:
            digest = hashlib.sha256(word.encode("utf-8")).digest()
            index = digest[0] % FAKE_DIM
            sign = 1.0 if digest[1] % 2 == 0 else -1.0
            vector[index] += sign
        if not vector.any():
            vector[0] = 1.0
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def encode(self, texts: list[str], query: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        if not texts:
            return np.zeros((0, FAKE_DIM), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts]).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], query=True)[0].tolist()


@pytest.fixture
def fake_embeddings() -> FakeEmbeddings:
    return FakeEmbeddings()


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Settings]:
    """Build ``Settings`` whose store and cache live under ``tmp_path``."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "store_dir": tmp_path / "store",
            "cache_dir": tmp_path / "cache",
            "embedding_model": FAKE_MODEL,
        }
        values.update(overrides)
        return Settings(**values)

    return build


# --- real model and real corpus (e2e) ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session", autouse=True)
def _offline() -> None:
    from assistant.core.offline import apply_offline_switches

    apply_offline_switches()


@pytest.fixture(scope="session")
def real_embeddings() -> Any:
    """The default bundled model, loaded once per test session."""
    from assistant.store.embeddings import build_embeddings

    return build_embeddings(Settings().embedding_model)


def _build_corpus_store(base: Path, embeddings: Any) -> Settings:
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    settings = Settings(store_dir=base / "store", cache_dir=base / "cache")
    store = open_store(settings, embeddings, create=True)
    report = ingest_paths([CORPUS], settings, store, embeddings)
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory, real_embeddings: Any) -> Settings:
    """Settings for a store built once from the bundled corpus with the default model.

    Under pytest-xdist the first worker builds it in the run's shared temporary folder and
    every worker (the builder too) works on its own copy: one build, not one per worker.
    """
    import shutil

    from filelock import FileLock

    base = tmp_path_factory.mktemp("corpus-store")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_corpus_store(base, real_embeddings)
    shared = tmp_path_factory.getbasetemp().parent / "shared-corpus-store"  # this run's, all workers'
    with FileLock(f"{shared}.lock"):
        if not (shared / "built").is_file():
            shutil.rmtree(shared, ignore_errors=True)
            _build_corpus_store(shared, real_embeddings)
            (shared / "built").touch()
    shutil.copytree(shared / "store", base / "store")
    shutil.copytree(shared / "cache", base / "cache")
    return Settings(store_dir=base / "store", cache_dir=base / "cache")


@pytest.fixture(scope="session")
def corpus_assistant(corpus_store: Settings, real_embeddings: Any) -> Any:
    """An assistant over the bundled corpus."""
    from assistant.pipeline import build_assistant

    return build_assistant(corpus_store, real_embeddings)
