"""Sentence splitting on real text in the six UN languages: whole sentences, no invented stops."""

from __future__ import annotations

import pytest

from assistant.language.sentences import split_sentences

CASES = {
    "en": (
        "See para. 1(b) of decision XI/16, e.g. the targets in No. 5 of the annex. "
        "Parties agreed on 3 June 2025. (a) Restore land; (b) report.",
        [
            "See para. 1(b) of decision XI/16, e.g. the targets in No. 5 of the annex.",
            "Parties agreed on 3 June 2025.",
            "(a) Restore land; (b) report.",
        ],
    ),
    "es": (
        "Véase el párr. 3 de la decisión, p. ej. la meta 2. Las Partes acordaron restaurar. ¿Cuándo?",
        [
            "Véase el párr. 3 de la decisión, p. ej. la meta 2.",
            "Las Partes acordaron restaurar.",
            "¿Cuándo?",
        ],
    ),
    "fr": (
        "Voir le par. 3 de la décision, p. ex. la cible 2. Les Parties ont agi. « Restaurer » est clé.",
        [
            "Voir le par. 3 de la décision, p. ex. la cible 2.",
            "Les Parties ont agi.",
            "« Restaurer » est clé.",
        ],
    ),
    "ru": (
        "См. п. 3 решения. Стороны договорились о восстановлении. Конец",
        ["См. п. 3 решения.", "Стороны договорились о восстановлении.", "Конец"],
    ),
    "ar": (
        "انظر الفقرة 3 من المقرر. وافقت الأطراف على الاستعادة؟ نعم",
        ["انظر الفقرة 3 من المقرر.", "وافقت الأطراف على الاستعادة؟", "نعم"],
    ),
    "zh": (
        "缔约方大会，注意到土地退化。还认识到恢复的重要性！请执行秘书报告",
        ["缔约方大会，注意到土地退化。", "还认识到恢复的重要性！", "请执行秘书报告"],
    ),
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_sentences_in_each_un_language(language: str) -> None:
    text, expected = CASES[language]
    assert split_sentences(text) == expected


@pytest.mark.parametrize("language", sorted(CASES))
def test_no_full_stop_is_invented_and_nothing_is_lost(language: str) -> None:
    text, _ = CASES[language]
    pieces = split_sentences(text)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert not pieces[-1].endswith(".") or text.rstrip().endswith(".")


def test_abbreviations_before_numbers_do_not_end_a_sentence() -> None:
    text = "Targets are in para. 27 and pp. 4-5, cf. No. 12, vol. 1760."
    assert split_sentences(text) == [text]


def test_line_breaks_and_table_rows_are_boundaries() -> None:
    table = "| Target | Indicator |\n|---|---|\n| 2 | 2.1 Area under restoration |"
    assert split_sentences(table) == table.splitlines()
