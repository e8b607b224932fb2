"""Evidence-first extractive answers: passages quoted whole, framed in the asker's language.

Unit tests of the language-version catalogue and of the messages, then the real
pipeline on the bundled corpus (real model, real Chroma).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.core.records import Source, Turn
from assistant.evaluation.checks import sentence_quotes_passages
from assistant.language.messages import (
    LANGUAGE_NAMES,
    asks_shorter,
    frame,
    message,
    paragraph_label,
    source_label,
)
from assistant.retrieval.versions import Versions

UN_LANGUAGES = ("en", "zh", "es", "fr", "ru", "ar")


def _record(chunk_id: str, doc_id: str, language: str, paragraph: str = "", **meta: Any) -> tuple[str, str, dict[str, Any]]:
    return chunk_id, f"text of {chunk_id}", {"doc_id": doc_id, "language": language, "paragraph": paragraph, **meta}


def _catalogue() -> Versions:
    return Versions.build(
        [
            _record("zh-1g", "dec-zh", "zh", "1(g)", kind="decision", symbol="XI/16"),
            _record("en-1g", "dec-en", "en", "1(g)", kind="decision", symbol="XI/16", translation_of="dec-zh"),
            _record("zh-2a", "dec-zh", "zh", "2(a)", kind="decision", symbol="XI/16"),
            _record("fr-sum", "dec-fr-summary", "fr", kind="guidance", symbol="XI/16"),
            _record("case", "case-niger", "en", kind="case-study"),
        ]
    )


def _source(record: tuple[str, str, dict[str, Any]], relevance: float = 0.5) -> Source:
    chunk_id, text, meta = record
    return Source(chunk_id, text, meta, relevance, similarity=0.9)


def test_the_askers_language_version_of_a_paragraph_replaces_another() -> None:
    versions = _catalogue()
    zh = _source(_record("zh-1g", "dec-zh", "zh", "1(g)", kind="decision", symbol="XI/16"))
    chosen = versions.prefer([zh], "en")
    assert [s.chunk_id for s in chosen] == ["en-1g"]
    assert chosen[0].relevance == zh.relevance  # scored as the passage it stands for


def test_a_third_language_becomes_the_original_and_an_unaligned_one_is_dropped() -> None:
    versions = _catalogue()
    en = _source(_record("en-1g", "dec-en", "en", "1(g)", kind="decision", symbol="XI/16", translation_of="dec-zh"))
    summary = _source(_record("fr-sum", "dec-fr-summary", "fr", kind="guidance", symbol="XI/16"))
    case = _source(_record("case", "case-niger", "en", kind="case-study"))
    # A Spanish question: the English translation is a third language (the original is
    # Chinese); the French summary has no aligned paragraph; the English case study is
    # its own original and stays.
    chosen = versions.prefer([en, summary, case], "es")
    assert [s.chunk_id for s in chosen] == ["zh-1g", "case"]
    assert versions.original_language["dec-fr-summary"] == "zh"


def test_nothing_is_lost_when_every_passage_would_be_dropped() -> None:
    summary = _source(_record("fr-sum", "dec-fr-summary", "fr", kind="guidance", symbol="XI/16"))
    assert _catalogue().prefer([summary], "es") == [summary]


@pytest.mark.parametrize("key", ["refusal", "other_language", "some_other_language", "frame_first", "frame_more", "decision"])
def test_every_message_exists_in_the_six_un_languages(key: str) -> None:
    texts = {language: message(key, language, names="x", label="x", symbol="XI/16") for language in UN_LANGUAGES}
    assert len(set(texts.values())) == 6  # none falls back to English
    assert set(LANGUAGE_NAMES) >= set(UN_LANGUAGES)


def test_a_frame_names_a_decision_paragraph_or_the_kind_of_source() -> None:
    decision = {"kind": "decision", "symbol": "XI/16", "paragraph": "1(g)", "language": "zh"}
    assert frame(source_label(1, decision, "en"), True, "en") == "Decision XI/16, para. 1(g) addresses this:"
    assert paragraph_label("XI/16", "pp5", "fr") == "La décision XI/16, alinéa 5 du préambule"
    case = {"kind": "case-study", "title": "Farmer-managed natural regeneration in Niger", "language": "en"}
    assert source_label(2, case, "ru") == "Пример из практики [2]"  # no English title in a Russian frame
    # An Arabic verb agrees with a feminine head noun ("دراسة", "الوثيقة"), not with a masculine one.
    assert frame(source_label(2, case, "ar"), False, "ar") == "وتضيف دراسة الحالة [2]:"
    assert frame(source_label(3, {"kind": "report"}, "ar"), True, "ar") == "يتناول التقرير [3] هذه المسألة:"
    assert frame(source_label(1, decision, "ar"), True, "ar").startswith("يتناول المقرر XI/16")


@pytest.mark.parametrize(
    ("symbol", "language", "expected"),
    [
        ("XIII.13", "en", "Resolution XIII.13, para. 5"),  # Ramsar numbers resolutions with a dot
        ("XIII.13", "zh", "第XIII.13号决议第5段"),
        ("16/31", "es", "La decisión 16/31, párrafo 5"),  # the CBD and UNCCD, with a slash
        ("3/COP.15", "fr", "La décision 3/COP.15, paragraphe 5"),
    ],
)
def test_a_resolution_is_named_as_one_and_a_decision_as_one(symbol: str, language: str, expected: str) -> None:
    assert paragraph_label(symbol, "5", language) == expected


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Can you give me a much shorter version?", "en", True),
        ("Plus court, s'il vous plaît", "fr", True),
        ("请简短一点", "zh", True),
        ("What are the short-term actions?", "en", False),
    ],
)
def test_a_request_for_a_shorter_answer_is_recognised(question: str, language: str, expected: bool) -> None:
    assert asks_shorter(question, language) is expected


# --- the real pipeline ------------------------------------------------------------------


@pytest.mark.e2e
def test_the_passage_that_answers_is_quoted_first(corpus_assistant: Any) -> None:
    # The README's first example. Retrieval ranks 5(d) ("…all decisions of the Conference
    # of the Parties…") first; 1(b) ("…causes of ecosystem degradation…") answers, and leads.
    answer = corpus_assistant.ask("What does decision XI/16 ask Parties to do about the causes of degradation?")
    assert answer.supported
    assert answer.citations[0].paragraph == "1(b)"
    assert answer.trace["retrieved"][0]["paragraph"] != "1(b)"  # the order is the composer's


def _quotes(answer: Any) -> list[dict[str, Any]]:
    return [s for s in answer.sentences if not s.get("frame")]


@pytest.mark.e2e
def test_an_answer_quotes_whole_runs_under_frames(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("What does decision XI/16 urge Parties to do about the causes of degradation?")
    assert answer.supported
    frames = [s["text"] for s in answer.sentences if s.get("frame")]
    assert frames and frames[0].endswith("addresses this:")
    assert all(f.endswith("adds:") for f in frames[1:])
    assert all(f.startswith("Decision XI/16, para.") for f in frames)
    by_n = {c.n: c for c in answer.citations}
    for sentence in _quotes(answer):
        cited = [by_n[n] for n in sentence["citations"]]
        assert cited and sentence_quotes_passages(sentence["text"], [c.text + " " + c.context for c in cited])
    # Each run closes with one marker; the markers appear in the order of the frames.
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert markers == sorted(markers) == list(range(1, len(answer.citations) + 1))
    assert not re.search(r"[;；]\.", answer.text)  # no full stop invented after a clause


@pytest.mark.e2e
def test_items_of_a_long_list_quoted_together_give_its_introduction_once(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("Which World Restoration Flagships were announced in February 2024?")
    assert answer.supported
    assert "Living Indus (Pakistan)" in answer.text and "Restoring Mediterranean Forests" in answer.text
    assert answer.text.count("create about 500,000 jobs:") == 1
    by_n = {c.n: c for c in answer.citations}
    for sentence in _quotes(answer):  # each quoted piece is still verbatim in its passage
        cited = [by_n[n] for n in sentence["citations"]]
        assert sentence_quotes_passages(sentence["text"], [c.text + " " + c.context for c in cited])


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("question", "language", "allowed"),
    [
        ("¿Qué pide la decisión XI/16 sobre la participación de los pueblos indígenas?", "es", {"es", "zh"}),
        ("Que dit la décision XI/16 sur les connaissances traditionnelles ?", "fr", {"fr", "zh"}),
        ("Что говорит решение XI/16 о традиционных знаниях?", "ru", {"ru", "zh"}),
        ("第XI/16号决定关于传统知识说了什么？", "zh", {"zh"}),
    ],
)
def test_quotes_are_in_the_askers_language_or_the_original_never_a_third(
    corpus_assistant: Any, question: str, language: str, allowed: set[str]
) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.supported and answer.language == language
    assert {c.language for c in answer.citations} <= allowed
    frames = [s["text"] for s in answer.sentences if s.get("frame")]
    assert frames and all(f == f.strip() for f in frames)
    if language == "ru":
        assert re.search(r"[\u0400-\u04ff]", frames[0])  # the frame speaks Russian
        assert any(re.search(r"[\u0400-\u04ff]", n) for n in answer.notices)  # quotes are in Chinese


@pytest.mark.e2e
def test_shorter_gives_fewer_sentences_and_a_language_switch_keeps_the_topic(corpus_assistant: Any) -> None:
    first = corpus_assistant.ask("What does paragraph 5 of decision XI/16 ask the Executive Secretary to do?")
    history = [Turn.of(first.trace["question"], first)]
    shorter = corpus_assistant.ask("Can you make that shorter?", history=history)
    assert shorter.trace["follow_up"] and shorter.supported
    assert 1 <= len(_quotes(shorter)) < len(_quotes(first))
    # A paragraph quoted whole becomes its chapeau and first item: "5." and "5(a)".
    assert [c.paragraph for c in shorter.citations] == [c.paragraph for c in first.citations][:2]
    chinese = corpus_assistant.ask("用中文", history=history)
    assert chinese.trace["follow_up"] and chinese.supported
    assert chinese.language == "zh"
    assert {c.doc_id for c in chinese.citations} == {"cbd-dec-xi-16-zh"}  # the same decision, its Chinese text
    assert {c.paragraph for c in chinese.citations} & {c.paragraph for c in first.citations}


@pytest.mark.e2e
def test_the_last_answer_again_in_chinese_and_shorter_quotes_the_same_passages(corpus_assistant: Any) -> None:
    first = corpus_assistant.ask("Summarise the measured outcomes of the Great Green Wall.")
    assert first.supported
    history = [Turn.of(first.trace["question"], first)]
    chinese = corpus_assistant.ask("请用中文再说一遍。", history=history)
    assert chinese.supported and chinese.language == "zh"
    assert chinese.trace["condensed_query"] == first.trace["question"]
    assert {c.doc_id for c in chinese.citations} & {c.doc_id for c in first.citations}
    frames = [s["text"] for s in chinese.sentences if s.get("frame")]
    assert frames and all(re.search(r"[\u4e00-\u9fff]", f) for f in frames)
    assert any("英文" in n for n in chinese.notices)  # the case exists in English only: it says so
    # "Shorter" quotes the first passage the full answer showed, briefly.
    full = corpus_assistant.ask("What does paragraph 2(g) of XI/16 ask for?")
    shorter = corpus_assistant.ask(
        "Can you give me a much shorter, simpler version?", history=[Turn.of(full.trace["question"], full)]
    )
    assert shorter.supported and len(_quotes(shorter)) < len(_quotes(full))
    assert full.citations[0].paragraph == "2(g)"  # the paragraph named leads, though para. 5 scores higher
    assert shorter.citations[0].chunk_id == full.citations[0].chunk_id
    assert "communication programmes" in shorter.text


@pytest.mark.e2e
def test_a_new_topic_in_chinese_is_not_taken_for_a_follow_up(corpus_assistant: Any) -> None:
    first = corpus_assistant.ask("第XI/16号决定第2段邀请了哪些组织来支持各国？")
    answer = corpus_assistant.ask("退化的泥炭地应该怎样恢复？", history=[Turn.of(first.trace["question"], first)])
    assert answer.trace["follow_up"] is False
    assert answer.trace["focus_docs"] == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("What does paragraph 5 of decision XI/16 ask the Executive Secretary to do?", "cbd-dec-xi-16-en"),
        ("请列出第XI/16号决定第5段要求执行秘书做的事情。", "cbd-dec-xi-16-zh"),
    ],
)
def test_a_named_paragraph_is_quoted_with_all_its_items(corpus_assistant: Any, question: str, doc_id: str) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.supported
    cited = [(c.doc_id, c.paragraph) for c in answer.citations]
    # The chapeau, then (a) to (j) in order, each cited as itself.
    assert cited == [(doc_id, "5")] + [(doc_id, f"5({letter})") for letter in "abcdefghij"]
    assert "TEMATEA" in answer.text  # item (e)
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "NYDF: when was it launched, is it legally binding, and how much CO2 would it avoid?",
            ["NYDF: when was it launched", "is it legally binding", "how much CO2 would it avoid?"],
        ),
        ("What is a rahui, and how was one used after a wildfire?", ["What is a rahui", "how was one used after a wildfire?"]),
        ("越南的项目花了多少钱？种了多少公顷？", ["越南的项目花了多少钱？", "种了多少公顷？"]),
        ("¿Quién financia el proyecto y cuánto cuesta?", ["¿Quién financia el proyecto", "cuánto cuesta?"]),
        ("What does XI/16 say about resilience?", ["What does XI/16 say about resilience?"]),
        # A bare "why?" is no ask of its own: it stays with the one before.
        ("Is peat drained in Scotland? Why?", ["Is peat drained in Scotland? Why?"]),
    ],
)
def test_a_question_asking_several_things_is_split_into_its_asks(question: str, parts: list[str]) -> None:
    from assistant.language.answer_types import question_parts

    assert question_parts(question) == parts


@pytest.mark.e2e
def test_every_ask_of_a_question_asking_several_things_is_answered(corpus_assistant: Any) -> None:
    """The sentences closest to the whole question answer only its last ask here."""
    answer = corpus_assistant.ask(
        "NYDF: when exactly was it launched, is it legally binding, and how much CO2 would be avoided?"
    )
    assert answer.supported
    text = " ".join(s["text"] for s in _quotes(answer))
    assert "September 2014" in text and "non-binding" in text and "tonnes of CO2" in text
    by_n = {c.n: c for c in answer.citations}
    for sentence in _quotes(answer):
        cited = [by_n[n] for n in sentence["citations"]]
        assert sentence_quotes_passages(sentence["text"], [c.text + " " + c.context for c in cited])


# --- runs that refer back -------------------------------------------------------------------


def _candidates(*texts: str) -> list[Any]:
    from assistant.answering.runs import Candidate

    return [Candidate(0, i, i, text, 0.5, None) for i, text in enumerate(texts)]


@pytest.mark.parametrize(
    ("texts", "run", "expected"),
    [
        # A following sentence that opens with a pronoun completes the statement.
        (("A park was created.", "It is also home to the Udege.", "Elsewhere, rain fell."), [0], [0, 1]),
        # A run that opens with "These…" takes the sentence that says what they are.
        (("Three measures were set.", "These cut erosion by half.", "Rain fell."), [1], [0, 1]),
        # At most ``most`` sentences, and none across an unrelated one.
        (("A.", "It b.", "It c.", "It d."), [0], [0, 1, 2]),
        (("A park was created.", "Rain fell.", "It rained."), [0], [0]),
        (("该计划于2001年启动。", "该计划覆盖五省。", "另一个项目。"), [0], [0, 1]),
        (("Le projet a commencé.", "Ces mesures ont réduit l'érosion.", "Autre chose."), [0], [0, 1]),
    ],
)
def test_a_run_takes_the_sentences_that_refer_back_across_its_edges(
    texts: tuple[str, ...], run: list[int], expected: list[int]
) -> None:
    from assistant.answering.runs import with_referents

    group = _candidates(*texts)
    got = with_referents(group, [group[i] for i in run], most=2)
    assert [c.position for c in got] == expected


def test_a_passage_opening_with_a_sentence_already_quoted_is_quoted_from_the_next() -> None:
    from assistant.answering.extractive import _unquoted

    earlier = _candidates("The park was created in 2015.", "It is also a good example of co-management.")
    overlapping = _candidates(
        "It is also a good example of co-management!",  # the same words, the chunks overlap
        "Most park staff come from local communities.",
        "The park protects two million hectares.",  # near in meaning to the first: both stay
    )
    kept = _unquoted(overlapping, earlier)
    assert [c.position for c in kept] == [1, 2]
    assert _unquoted(overlapping, _candidates("Unrelated words about rain.")) == overlapping


@pytest.mark.e2e
@pytest.mark.parametrize(
    "question",
    [
        "How large an area did phase I of the Loess Plateau project cover, and how many tributary watersheds?",
        "What does the Bonn Challenge aim for, and who has pledged?",
        "How did FMNR spread in Niger?",
    ],
)
def test_no_quoted_run_opens_with_a_pronoun_whose_referent_was_left_out(corpus_assistant: Any, question: str) -> None:
    from assistant.language.cues import ANAPHOR
    from assistant.store.sentence_vectors import evidence_sentences

    answer = corpus_assistant.ask(question)
    assert answer.supported
    by_n = {c.n: c for c in answer.citations}
    runs: dict[int, list[str]] = {}
    for sentence in _quotes(answer):
        runs.setdefault(sentence["run"], []).append(sentence)
    for sentences in runs.values():
        first = sentences[0]
        citation = by_n[first["citations"][0]]
        quotable = [s.text.strip() for s in evidence_sentences(citation.text, {})]
        if ANAPHOR.match(first["text"]) and first["text"].strip() in quotable:
            assert quotable.index(first["text"].strip()) == 0  # nothing before it to refer to
    if "Loess" in question:  # its third passage's best sentence is "It also illustrates…"
        assert re.search(r"illustrates paragraph 1\(b\)[^>]*It also illustrates paragraph 1\(h\)", answer.text)
