"""Shared fixtures: a deterministic fake embedding and settings on ``tmp_path``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.settings import Settings

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
