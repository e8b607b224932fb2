"""The LLM composer's behaviour with fake chat models: evidence first, language, provider, eval."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.llm import CONDENSE_PROMPT, LLMComposer, build_llm_composer, load_prompt
from assistant.core.errors import AssistantError
from assistant.core.records import Answer, Source
from assistant.evaluation.llm import llm_facts, llm_summary
from assistant.retrieval.hybrid import Retrieval


def _source(n: int, text: str) -> Source:
    metadata = {
        "doc_id": f"doc-{n}",
        "title": f"Document {n}",
        "locator": f"Section {n}",
        "language": "en",
    }
    return Source(f"chunk-{n}", text, metadata, relevance=1.0 / n, similarity=0.9)


def _retrieval(fake: Any, language: str = "en") -> Retrieval:
    sources = [
        _source(1, "Target 2 asks Parties to restore 30 per cent of degraded ecosystems by 2030."),
        _source(2, "Mangrove restoration in Senegal was led by village communities."),
    ]
    return Retrieval(sources, fake.encode(["target 2"], query=True)[0], language)


def _composer(replies: list[str], fake: Any, settings_factory: Any) -> LLMComposer:
    settings = settings_factory(
        llm_base_url="http://127.0.0.1:9/v1", llm_model="fake", support_threshold=0.5
    )
    return LLMComposer(
        FakeListChatModel(responses=replies), fake, settings, ExtractiveComposer(fake, settings)
    )


def test_the_passages_are_shown_before_the_model_writes(
    fake_embeddings: Any, settings_factory: Any
) -> None:
    reply = "Village communities led mangrove restoration in Senegal [2]."
    composer = _composer([reply], fake_embeddings, settings_factory)
    events = list(composer.stream("Who led mangrove restoration?", _retrieval(fake_embeddings)))
    preview = events[0]
    assert isinstance(preview, str) and preview.startswith("Passages read for this answer:")
    assert "[1] Document 1 (Section 1)" in preview and "[2] Document 2 (Section 2)" in preview
    growing = [e for e in events[1:] if isinstance(e, str)]
    assert growing and all(e.startswith(preview) for e in growing)
    assert growing[-1] == preview + reply
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.supported
    assert answer.trace["llm_first_token_ms"] is not None and answer.trace["llm_ms"] >= 0
    assert answer.trace["condense_prompt_version"] == "condense-v2"


def test_an_answer_in_the_wrong_language_falls_back(
    fake_embeddings: Any, settings_factory: Any
) -> None:
    reply = "Village communities led mangrove restoration in Senegal [2]."
    composer = _composer([reply], fake_embeddings, settings_factory)
    answer = composer.compose("谁领导了红树林恢复？", _retrieval(fake_embeddings, language="zh"))
    assert answer.trace["answered_by"] == "extractive" and answer.trace["llm_language"] == "en"
    assert answer.notices[0] == "语言模型用英文而不是中文回答；以下是抽取式回答。"


def test_notices_speak_the_question_language() -> None:
    from assistant.answering.llm_prompts import llm_notice

    assert llm_notice("language", "en", written="zh", asked="en") == (
        "The language model answered in Chinese, not in English; this is the extractive answer."
    )
    assert llm_notice("flagged", "es", n=1, total=3).startswith("1 de las 3 frases")
    assert llm_notice("failed", "ru", endpoint="http://x/v1", reason="HTTP 503").startswith(
        "Языковая модель по адресу http://x/v1 не ответила (HTTP 503)"
    )
    assert "الصينية" in llm_notice("language", "ar", written="zh", asked="ar")
    assert llm_notice("failed", "sw", endpoint="http://x/v1", reason="HTTP 503").startswith(
        "The language model at http://x/v1"  # a language without a translation: English
    )


def test_condense_prompt_carries_requests_about_the_last_answer() -> None:
    prompt = load_prompt(CONDENSE_PROMPT)
    assert prompt.version == "condense-v2"
    assert (
        "shorter" in prompt.system
        and "用中文" in prompt.system
        and "in parentheses" in prompt.system
    )


def test_llamacpp_provider_without_the_extra_names_it(
    fake_embeddings: Any, settings_factory: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    settings = settings_factory(llm_provider="llamacpp", llm_model_path=model)
    assert settings.llm_configured
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as when not installed
    with pytest.raises(AssistantError, match=r"needs the 'local-llm' extra") as caught:
        build_llm_composer(settings, fake_embeddings, ExtractiveComposer(fake_embeddings, settings))
    assert "\n" not in str(caught.value)


def test_llamacpp_provider_needs_a_model_file(
    fake_embeddings: Any, settings_factory: Any, tmp_path: Path
) -> None:
    pytest.importorskip("llama_cpp", reason="needs the 'local-llm' extra (make local-llm)")
    settings = settings_factory(llm_provider="llamacpp", llm_model_path=tmp_path / "missing.gguf")
    with pytest.raises(AssistantError, match="llm_model_path is not a GGUF file"):
        build_llm_composer(settings, fake_embeddings, ExtractiveComposer(fake_embeddings, settings))


def test_eval_llm_figures() -> None:
    traces = [
        {"llm_called": True, "removed_markers": 2, "unsupported_sentences": 1, "llm_first_token_ms": 100.0},
        {"llm_called": True, "answered_by": "extractive", "llm_error": "APITimeoutError: timed out"},
        {"llm_called": True, "answered_by": "extractive", "llm_rejected": True, "llm_language": "en",
         "llm_first_token_ms": 300.0},
        {"llm_called": False},
        {},
    ]  # fmt: skip
    facts = [llm_facts(t) for t in traces]
    assert facts[3] == {} and facts[4] == {}
    summary = llm_summary(facts)
    assert summary is not None
    assert summary["llm_calls"] == 3 and summary["fallback_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["fallback_reasons"] == {"error": 1, "wrong language": 1}
    assert summary["marker_repairs"] == 2 and summary["answers_with_marker_repairs"] == 1
    assert summary["unsupported_sentences"] == 1
    assert (summary["first_token_p50_ms"], summary["first_token_p95_ms"]) == (100.0, 300.0)
    assert llm_summary([{}, {}]) is None
