"""A summary in the asker's language points to the paragraph of the decision it summarises."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.language.references import without_symbols
from assistant.retrieval.candidates import Candidate
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.pointers import Citing, cited_paragraphs, items_of, with_gloss
from assistant.retrieval.question import analyse

SUMMARY_1 = (
    "Insta a las Partes a trabajar por las Metas de Aichi. Entre las actividades: (a) aplicar las decisiones"
    " anteriores sobre restauración; (f) reforzar la resiliencia; (g) participación plena de pueblos"
    " indígenas y uso de conocimientos tradicionales; (i) información de base sobre los ecosistemas."
)
SUMMARY_2 = "Invita a las organizaciones a ayudar con: (a) herramientas de aprendizaje; (b) estudios de casos sobre los ecosistemas."


def _index() -> LexicalIndex:
    decision = {"doc_id": "dec-zh", "kind": "decision", "symbol": "XI/16", "language": "zh"}
    summary = {"doc_id": "sum-es", "kind": "guidance", "symbol": "XI/16", "language": "es"}
    rows: list[tuple[str, str, dict[str, Any]]] = [
        (f"zh-{p}", f"({p}) 某段", {**decision, "paragraph": p})
        for p in ("1(a)", "1(f)", "1(g)", "1(i)", "2(a)", "2(b)")
    ]
    rows += [
        ("es-1", SUMMARY_1, {**summary, "locator": "Párrafo 1: qué deben hacer las Partes"}),
        ("es-2", SUMMARY_2, {**summary, "locator": "Párrafo 2: apoyo de otras organizaciones"}),
        ("es-0", "Resumen preparado por el proyecto.", {**summary, "locator": "Resumen de la decisión XI/16"}),
    ]
    return LexicalIndex.build(rows)


def _cited(question: str, index: LexicalIndex) -> Citing | None:
    analysed = analyse(question, index)
    candidates = [Candidate(i, t, m) for i, t, m in zip(index.ids, index.texts, index.metadatas, strict=True)]
    return cited_paragraphs(
        analysed, candidates, index, index.decision_languages(), index.decision_paragraphs(), 5.0
    )


def test_a_summarys_items_are_read_with_their_paragraph_numbers() -> None:
    items = items_of(SUMMARY_1, "Párrafo 1: qué deben hacer las Partes")
    assert [p for p, _ in items] == ["1(a)", "1(f)", "1(g)", "1(i)"]
    assert items[2][1].startswith("participación plena")
    assert items_of("Entre corchetes, reconoce…", "Párrafo 3: financiación") == [("3", "Entre corchetes, reconoce…")]
    assert items_of(SUMMARY_1, "Resumen") == []  # a section that names no paragraph points nowhere
    # Arabic texts letter their items in the UN Arabic order: (أ) is (a), (هـ) is (e).
    arabic = items_of("تحث الأطراف على: (أ) تقديم الدعم؛ (هـ) إجراء تقييم.", "الفقرة 4: الدعم")
    assert [p for p, _ in arabic] == ["4(a)", "4(e)"]


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("¿Qué dice la decisión XI/16 sobre el conocimiento tradicional?", "1(g)"),
        ("¿Qué dice la decisión XI/16 sobre los conocimientos tradicionales?", "1(g)"),
        # "ecosistemas" is in two items, "resiliencia" in one: the rarer among the items wins.
        ("¿Qué dice la decisión XI/16 sobre la resiliencia de los ecosistemas?", "1(f)"),
    ],
)
def test_the_item_that_matches_points_to_its_paragraph(question: str, paragraph: str) -> None:
    index = _index()
    assert _cited(question, index) == Citing("XI/16", paragraph, "es-1")


def test_no_pointer_without_a_match_or_where_the_decision_speaks_the_askers_language() -> None:
    index = _index()
    assert _cited("¿Qué dice la decisión XI/16 sobre el glifosato?", index) is None  # no item says it
    assert _cited("¿Qué dice el resumen sobre el conocimiento tradicional?", index) is None  # no decision named
    # A paragraph named is the one asked about.
    assert _cited("¿Qué dice el párrafo 2 de la decisión XI/16 sobre el conocimiento tradicional?", index) is None
    # The decision's own text is in Chinese: a Chinese question reads it directly.
    assert _cited("第XI/16号决定关于传统知识说了什么？", index) is None


def test_the_item_follows_the_paragraph_it_points_to() -> None:
    index = _index()
    by_id = {i: Candidate(i, t, m) for i, t, m in zip(index.ids, index.texts, index.metadatas, strict=True)}
    citing = Citing("XI/16", "1(g)", "es-1")
    assert with_gloss(["zh-1(a)", "zh-1(g)", "zh-2(a)"], by_id, citing) == ["zh-1(a)", "zh-1(g)", "es-1"]
    # Chosen already, before the paragraph: it moves after it, and nothing else is lost.
    assert with_gloss(["es-1", "zh-1(g)", "zh-2(a)"], by_id, citing) == ["zh-1(g)", "es-1", "zh-2(a)"]
    # The paragraph not chosen, or chosen last: the choice stands.
    assert with_gloss(["zh-1(a)", "zh-2(a)"], by_id, citing) == ["zh-1(a)", "zh-2(a)"]
    assert with_gloss(["zh-1(a)", "zh-1(g)"], by_id, citing) == ["zh-1(a)", "zh-1(g)"]
    assert with_gloss(["zh-1(a)"], by_id, None) == ["zh-1(a)"]


def test_the_words_naming_a_decision_are_not_what_is_asked_about_it() -> None:
    assert without_symbols("¿Qué dice la decisión XI/16 sobre la resiliencia?") == "¿Qué dice sobre la resiliencia?"
    assert without_symbols("Que prévoit la décision XI/16 en matière d'évaluation ?") == (
        "Que prévoit en matière d'évaluation ?"
    )
    assert "16/31" not in without_symbols("What does decision 16/31 request?")


@pytest.mark.e2e
@pytest.mark.parametrize(
    "question",
    [
        "¿Qué dice la decisión XI/16 sobre el conocimiento tradicional?",
        "¿Qué dice la decisión XI/16 sobre los conocimientos tradicionales?",
    ],
)
def test_a_spanish_question_on_the_decision_quotes_its_paragraph_and_the_spanish_summary(
    corpus_assistant: Any, question: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.supported, answer.text
    first = answer.citations[0]
    assert (first.doc_id, first.paragraph) == ("cbd-dec-xi-16-zh", "1(g)")  # the original: no Spanish text
    assert "传统知识" in answer.text
    assert any(c.doc_id == "cbd-dec-xi-16-es-summary" for c in answer.citations)
    assert "conocimientos tradicionales" in answer.text
    assert answer.trace["citing"] == {"symbol": "XI/16", "paragraph": "1(g)"}
    assert answer.notices == ("Algunos de los pasajes citados están en chino.",)  # the summary's are Spanish
