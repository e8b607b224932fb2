"""Language detection, search tokens and sentence splitting in the UN languages."""

from __future__ import annotations

import pytest

from assistant.language.detect import detect_language
from assistant.language.references import named_annexes, other_annex
from assistant.language.sentences import split_sentences
from assistant.retrieval.lexical import tokenize

# --- detect_language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What does decision XI/16 ask Parties to do about degraded ecosystems?", "en"),
        ("生态系统退化的根本原因是什么？", "zh"),
        ("¿Qué pide la decisión a las Partes sobre la restauración de los ecosistemas?", "es"),
        ("Que demande la décision aux Parties sur la restauration des écosystèmes ?", "fr"),
        ("Что решение требует от Сторон в отношении восстановления экосистем?", "ru"),
        ("ما الذي يطلبه المقرر من الأطراف بشأن استعادة النظم الإيكولوجية؟", "ar"),
        ("第 XI/16 号决定关于生态系统恢复说了什么？", "zh"),
    ],
)
def test_detect_language_un_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text", ["and its funding?", "and who pays for it?", "what about the costs?"]
)
def test_detect_language_short_english_follow_ups(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["", "   ", "12345 ?!", "(1) 2."])
def test_detect_language_without_letters_returns_default(text: str) -> None:
    assert detect_language(text) == "en"
    assert detect_language(text, default="zh") == "zh"


@pytest.mark.parametrize("text", ["Why?", "tell me more", "funding?"])
def test_detect_language_very_short_english_follow_ups(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["Summarise Interventions", "Table of Contents", "Adoption at COP 15"])
def test_detect_language_keeps_the_default_for_text_as_common_in_it(text: str) -> None:
    # Short English that a detector reads as French: its words are English words too.
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quelle part des sols tourbeux est encore humide ?", "fr"),
        ("¿Cuánto costó la primera fase del proyecto?", "es"),
        ("Wie viel Torfmoor wurde wiedervernässt?", "de"),
    ],
)
def test_detect_language_leaves_the_default_for_text_of_another_language(text: str, expected: str) -> None:
    assert detect_language(text, default="en") == expected


def test_detect_language_is_deterministic() -> None:
    text = "Restauration des forêts et des paysages"
    assert len({detect_language(text) for _ in range(5)}) == 1


# --- tokenize ---------------------------------------------------------------------------


def test_tokenize_segments_chinese() -> None:
    tokens = tokenize("生态系统退化的根本原因")
    assert "根本原因" in tokens or {"根本", "原因"} <= set(tokens)
    assert "生态系统" in tokens or {"生态", "系统"} <= set(tokens)
    assert "退化" in tokens
    # A whole run of Chinese as one token would make BM25 useless on Chinese.
    assert "生态系统退化的根本原因" not in tokens


def test_tokenize_drops_chinese_stopwords() -> None:
    tokens = tokenize("生态系统的恢复和保护是什么")
    assert "的" not in tokens
    assert "和" not in tokens
    assert "恢复" in tokens and "保护" in tokens


def test_tokenize_keeps_paragraph_and_decision_references() -> None:
    tokens = tokenize("See para. 1(b) of decision XI/16 and Article 8(j).")
    assert "1(b)" in tokens
    assert "xi/16" in tokens
    assert "8(j)" in tokens


def test_tokenize_splits_numbers_from_chinese() -> None:
    # "2023年NBA总冠军" used to be one token: a number glued to Chinese text.
    assert tokenize("2023年NBA总冠军") == ["2023", "年", "nba", "冠军", "总冠军"]
    assert tokenize("第6段规定") == ["第", "6", "段", "规定"]


def test_tokenize_lowercases_and_stems() -> None:
    tokens = tokenize("Aichi Biodiversity Targets 14 and 15")
    assert tokens == ["aichi", "biodivers", "target", "14", "15"]
    assert tokenize("Targets") == tokenize("target") == ["target"]
    # A paraphrase's word forms meet the text's: the point of stemming for BM25.
    assert tokenize("restoring degraded land") == tokenize("restoration of degradation in lands")
    assert tokenize("restoring degraded land") == ["restor", "degrad", "land"]
    assert tokenize("communities") == tokenize("community")
    # Russian words take the Russian stemmer, not the English one.
    assert tokenize("восстановления") == tokenize("восстановление")


def test_tokenize_folds_latin_accents_only() -> None:
    # A French or Spanish word meets its English cognate once its accents are gone.
    assert tokenize("résolution") == tokenize("resolution")
    assert tokenize("écosystèmes dégradés") == tokenize("degraded ecosystems")[::-1]
    assert tokenize("región") == ["region"]
    # Other scripts keep their marks: "й" is a letter of its own, not "и" with a breve.
    assert tokenize("йод") == ["йод"]


def test_tokenize_without_stemming_only_folds_plurals() -> None:
    # Terms carried into a follow-up's query must stay readable words.
    assert tokenize("Aichi Biodiversity Targets", stem=False) == ["aichi", "biodiversity", "target"]
    assert tokenize("grass gas restoring", stem=False) == ["grass", "gas", "restoring"]


def test_tokenize_drops_english_stopwords_and_punctuation() -> None:
    assert tokenize("What is the role of the communities?") == ["role", "communiti"]
    assert tokenize("?!., ;") == []


def test_tokenize_normalises_full_width_characters() -> None:
    assert tokenize("ＸＩ／１６") == ["xi/16"]


# --- split_sentences --------------------------------------------------------------------


def test_split_english_sentences() -> None:
    text = (
        "Parties are urged to act. Restoration is not a substitute for conservation! Why? Because."
    )
    assert split_sentences(text) == [
        "Parties are urged to act.",
        "Restoration is not a substitute for conservation!",
        "Why?",
        "Because.",
    ]


def test_split_chinese_sentences() -> None:
    text = "缔约方应采取行动。恢复不能取代保护！为什么？因为退化仍在继续。"
    assert split_sentences(text) == [
        "缔约方应采取行动。",
        "恢复不能取代保护！",
        "为什么？",
        "因为退化仍在继续。",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "See para. 1(b) of the decision.",
        "See para. 5 of the decision.",
        "Use restoration tools, e.g. the web portal of the Secretariat.",
        "Use restoration tools, e.g. The Restoration Portal.",
        "Some Parties, i.e. Those with drylands, reported.",
        "As shown in Fig. 3 of the report.",
        "The edition is by G.D. Gann and others.",
        "Work was led by the U.S. Army Corps of Engineers (USACE).",
    ],
)
def test_no_split_after_abbreviations(text: str) -> None:
    assert split_sentences(text) == [text]


def test_abbreviation_in_the_middle_of_several_sentences() -> None:
    text = "See para. 1(b) for causes. Use tools, e.g. The Portal. Report by 2020."
    assert split_sentences(text) == [
        "See para. 1(b) for causes.",
        "Use tools, e.g. The Portal.",
        "Report by 2020.",
    ]


def test_split_on_newlines_and_trim() -> None:
    assert split_sentences("  First line\n\nSecond line  \n") == ["First line", "Second line"]
    assert split_sentences("   \n ") == []


@pytest.mark.parametrize(
    ("text", "annexes"),
    [
        ("Dans l'annexe II de la décision 16/31", {2}),
        ("annex III, table 1, Target 22 (p. 31)", {3}),
        ("приложение IV к решению", {4}),
        ("附件二所列指标", {2}),
        ("المرفق 3", {3}),
        ("anexo 1 y", {1}),
        ("The annex lists indicators", set()),
    ],
)
def test_named_annexes_reads_roman_arabic_and_chinese_numbers(text: str, annexes: set[int]) -> None:
    assert named_annexes(text) == annexes


def test_other_annex_only_when_both_name_one() -> None:
    assert other_annex(frozenset({2}), "annex III, table 1, Target 22 (p. 31)")
    assert not other_annex(frozenset({2}), "annex II, table 1, Target 22 (p. 21)")
    assert not other_annex(frozenset({2}), "para. 22 (p. 4)")  # the body names no annex
    assert not other_annex(frozenset(), "annex III, table 1")  # the question names none
