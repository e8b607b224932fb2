"""Fusion of the dense, BM25 and cross-lingual rankings, on a fake vector store.

The dense ranking is scripted (a fake Chroma collection returns a fixed order) and the
BM25 index is real, so each test isolates one rule of the fusion. The end-to-end tests
run the same retriever on the real store and model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assistant.core.settings import Settings
from assistant.language.references import asks_about_a_decision, named_paragraphs
from assistant.retrieval.hybrid import Filters, HybridRetriever
from assistant.retrieval.lexical import LexicalIndex
from assistant.store.chroma import Record


class _Store:
    """The store's narrow interface, answering ``query`` with a scripted order and honouring
    ``$in`` filters as Chroma does."""

    def __init__(self, records: dict[str, tuple[str, dict[str, Any]]], order: list[str]) -> None:
        self.records = records
        self.order = order

    def query(self, vector: Any, n: int, where: Any = None, *, content: bool = True) -> list[Record]:
        ids = [cid for cid in self.order if _passes(self.records[cid][1], where)][:n]
        return [
            Record(cid, *(self.records[cid] if content else ("", {})), distance=0.1 + 0.01 * i)
            for i, cid in enumerate(ids)
        ]

    def get(self, ids: list[str], **include: bool) -> list[Record]:
        return [
            Record(cid, *self.records[cid], vector=np.zeros(3, dtype=np.float32))
            for cid in ids
            if cid in self.records
        ]


def _passes(meta: dict[str, Any], where: dict[str, Any] | None) -> bool:
    if not where:
        return True
    clauses = where.get("$and", [where])
    return all(meta.get(name) in cond["$in"] for clause in clauses for name, cond in clause.items())


class _Embeddings:
    def encode(self, texts: list[str], query: bool = False) -> list[np.ndarray]:
        return [np.ones(3, dtype=np.float32) / np.sqrt(3) for _ in texts]


def _meta(doc_id: str, **extra: Any) -> dict[str, Any]:
    base = {"doc_id": doc_id, "title": doc_id, "kind": "guidance", "language": "en", "locator": "Text"}
    return base | extra


def _retriever(
    records: dict[str, tuple[str, dict[str, Any]]], dense: list[str], **settings: Any
) -> HybridRetriever:
    lexical = LexicalIndex.build([(cid, text, meta) for cid, (text, meta) in records.items()])
    return HybridRetriever(
        store=_Store(records, dense),
        embeddings=_Embeddings(),
        lexical=lexical,
        settings=Settings(**settings),
    )


def _ids(retriever: HybridRetriever, query: str, **kwargs: Any) -> list[str]:
    return [s.chunk_id for s in retriever.search(query, **kwargs).sources]


def test_a_passage_both_retrievers_find_comes_before_those_only_one_finds() -> None:
    records = {
        "dense-only": ("Sahel farmers regrow trees from living stumps.", _meta("a")),
        "both": ("Check dams hold sediment on the Loess Plateau.", _meta("b")),
        "bm25-only": ("Sediment budgets of the Loess Plateau rivers.", _meta("c")),
    }
    retriever = _retriever(records, ["dense-only", "both"], crosslingual_weight=0)
    assert _ids(retriever, "Loess Plateau check dams sediment")[0] == "both"


def test_dense_passages_are_read_from_the_index_and_a_newer_chunk_from_the_store() -> None:
    records = {
        "old": ("Check dams hold sediment on the Loess Plateau.", _meta("a")),
        "new": ("Terraces slow runoff on the Loess Plateau.", _meta("b", locator="Terraces")),
    }
    retriever = _retriever({"old": records["old"]}, ["new", "old"], crosslingual_weight=0)
    retriever.store = _Store(records, ["new", "old"])  # "new" written after the index was loaded
    found = {s.chunk_id: s for s in retriever.search("Loess Plateau sediment and runoff").sources}
    assert set(found) == {"old", "new"}
    assert found["new"].text == records["new"][0] and found["new"].metadata["locator"] == "Terraces"
    assert found["old"].text == records["old"][0] and found["old"].metadata["doc_id"] == "a"


def test_bm25_counts_less_when_it_cannot_read_most_of_the_question() -> None:
    records = {
        "d1": ("Ecosystem restoration and poverty eradication.", _meta("dec", symbol="XI/16")),
        "d2": ("Parties are urged to restore degraded ecosystems.", _meta("dec2", symbol="XI/16")),
        "symbol-only": ("Report on XI/16 XI/16 progress.", _meta("brief", symbol="XI/16")),
    }
    retriever = _retriever(
        records, ["d1", "d2"], crosslingual_weight=0, symbol_weight=0, language_weight=0
    )
    # English: BM25 reads every word, and its first hit outranks the second dense hit.
    assert _ids(retriever, "progress report XI/16").index("symbol-only") < 2
    # Arabic: BM25 matches on the symbol alone; that names a document, not an answer.
    arabic = "كيف يربط المقرر XI/16 بين القضاء على الفقر واستعادة النظم الإيكولوجية؟"
    assert retriever.lexical is not None and retriever.lexical.coverage(arabic) < 0.2
    assert _ids(retriever, arabic) == ["d1", "d2", "symbol-only"]


def test_a_named_decision_is_preferred_to_summaries_that_carry_its_symbol() -> None:
    records = {
        "summary": ("Resumen de la decisión sobre restauración.", _meta("sum-es", symbol="XI/16", language="es")),
        "decision": ("Urges Parties to restore ecosystems.", _meta("dec-en", symbol="XI/16", kind="decision")),
        "brief": ("Forest ecosystem restoration initiative.", _meta("brief", symbol="XII/19")),
        "other": ("Peatland rewetting in Germany.", _meta("case", kind="case-study")),
    }
    retriever = _retriever(records, ["summary", "other", "decision", "brief"], lexical_weight=0, crosslingual_weight=0)
    assert _ids(retriever, "¿Qué pide la decisión XI/16?")[0] == "decision"
    # With no decision text for XII/19 in the corpus, its brief is what the question names.
    assert _ids(retriever, "What does XII/19 welcome?")[0] == "brief"


def test_the_decision_asked_about_without_its_symbol_is_preferred_to_briefs() -> None:
    records = {
        "brief": ("Planning restoration: judging whether projects worked.", _meta("brief", symbol="XIII/5")),
        "decision": ("Methods for evaluating the success of restoration projects.", _meta("dec", kind="decision")),
    }
    retriever = _retriever(records, ["brief", "decision"], lexical_weight=0, crosslingual_weight=0)
    assert _ids(retriever, "Does the decision call for ways to judge whether projects worked?")[0] == "decision"
    # No decision in view: the order stays.
    assert _ids(retriever, "How do you judge whether restoration projects worked?")[0] == "brief"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Does the decision call for ways to judge success?", True),
        ("What does this decision ask of Parties?", True),
        ("开展恢复之前，决定要求怎样对待退化的驱动因素？", True),
        ("该决定是否提到韧性？", True),
        ("Que demande la décision sur les savoirs traditionnels ?", True),
        ("¿Qué pide la decisión sobre la restauración?", True),
        ("How do communities decide which land to restore?", False),
        ("如何决定恢复哪些地区？", False),
    ],
)
def test_questions_about_an_unnamed_decision_are_recognised(question: str, expected: bool) -> None:
    assert asks_about_a_decision(question) is expected


def test_a_named_paragraph_is_preferred() -> None:
    dec = {"symbol": "XI/16", "kind": "decision"}
    records = {
        "p1a": ("Implement earlier decisions on restoration.", _meta("dec", paragraph="1(a)", **dec)),
        "p2": ("Invites organizations to support restoration.", _meta("dec", paragraph="2", **dec)),
        "p2a": ("E-learning tools.", _meta("dec", paragraph="2(a)", **dec)),
    }
    retriever = _retriever(records, ["p1a", "p2a", "p2"], lexical_weight=0, crosslingual_weight=0)
    assert _ids(retriever, "Which organizations does paragraph 2 of decision XI/16 invite?")[0] == "p2"
    assert _ids(retriever, "第XI/16号决定第2(a)段说了什么？")[0] == "p2a"


def test_a_passage_stating_the_asked_kind_of_amount_is_preferred_among_close_ones() -> None:
    records = {
        "context": ("Villagers in 450 villages replanted mangroves in the delta.", _meta("case", locator="Context")),
        "scale": ("About 79 million mangroves were planted, equal to 7,920 ha.", _meta("case", locator="Scale")),
        "steppe": ("Seed mixes were sown on 3,000 ha of steppe.", _meta("steppe")),
    }
    retriever = _retriever(records, ["context", "scale", "steppe"], crosslingual_weight=0)
    result = retriever.search("How many hectares of mangroves were replanted?", k=3)
    # Of the two passages on the topic, the one stating an area comes first; the area
    # on another topic stays last.
    assert [s.chunk_id for s in result.sources] == ["scale", "context", "steppe"]
    # The premise check reads the passages as ranked before that preference.
    assert [s.chunk_id for s in result.topical] == ["context", "scale", "steppe"]
    # No amount asked: nothing changes, and the topical passages are the sources.
    plain = retriever.search("Where were mangroves replanted?", k=3)
    assert [s.chunk_id for s in plain.sources] == ["context", "scale", "steppe"]
    assert plain.topical == plain.sources


def test_a_list_is_preferred_among_close_passages_when_several_things_are_asked_for() -> None:
    records = {
        "context": ("The community began restoring its watershed in 1998.", _meta("case", locator="Context")),
        "measures": (
            "Measures taken:\n- check dams in gullies\n- social fencing of hillsides\n- 350 shallow wells",
            _meta("case", locator="Interventions"),
        ),
    }
    retriever = _retriever(records, ["context", "measures"], lexical_weight=0, crosslingual_weight=0)
    assert _ids(retriever, "Which measures did the community take to restore its watershed?") == ["measures", "context"]
    # One thing asked for: the order stays.
    assert _ids(retriever, "When did the community begin restoring its watershed?") == ["context", "measures"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which organizations does paragraph 2 of decision XI/16 invite?", {"2"}),
        ("What does para. 1(d) of XI/16 say?", {"1(d)"}),
        ("What does subparagraph 1 (b) ask?", {"1(b)"}),
        ("preambular paragraph 3", {"pp3"}),
        ("第XI/16号决定第1(a)段要求切实执行哪些规定？", {"1(a)"}),
        ("序言部分第2段", {"pp2"}),
        ("¿Qué organizaciones invita el párrafo 2 de la decisión XI/16?", {"2"}),
        ("Que dit le paragraphe 5 c) ?", {"5(c)"}),
        # Sub-paragraphs by their own names: apartado, inciso, alinéa, подпункт.
        ("¿Qué establece el apartado 3(b) de la decisión XI/16?", {"3(b)"}),
        ("Que demande l'alinéa 5 b) ?", {"5(b)"}),
        ("Что говорит подпункт 2(b)?", {"2(b)"}),
        ("ماذا تقول الفقرة 5 من المقرر XI/16؟", {"5"}),
        ("Which sub-paragraph deals with resilience?", set()),
        ("What is Target 2 of the framework?", set()),
    ],
)
def test_paragraph_references_are_read_from_questions(question: str, expected: set[str]) -> None:
    assert named_paragraphs(question) == expected


def test_filters_apply_to_both_retrievers() -> None:
    records = {
        "case": ("Mangrove planting in Senegal.", _meta("senegal", kind="case-study", ecosystem="mangroves")),
        "guide": ("Mangrove restoration guidance.", _meta("ramsar")),
    }
    retriever = _retriever(records, ["guide", "case"])
    assert _ids(retriever, "mangrove restoration", filters=Filters.of(kind="case-study")) == ["case"]
    assert _ids(retriever, "mangrove restoration", filters=Filters.of(kind=["guidance"])) == ["guide"]


def test_a_paragraph_and_its_translation_fill_one_slot_in_the_question_language() -> None:
    records = {
        "en": ("Identify the causes of degradation.", _meta("dec-en", paragraph="1(b)", translation_of="dec-zh")),
        "zh": ("查明退化的根本原因。", _meta("dec-zh", paragraph="1(b)", language="zh")),
        "other": ("Degradation of drylands.", _meta("ipbes")),
    }
    retriever = _retriever(records, ["en", "zh", "other"], crosslingual_weight=0)
    assert _ids(retriever, "退化的原因是什么？") == ["zh", "other"]
    assert _ids(retriever, "What causes degradation?") == ["en", "other"]


def test_a_signal_weighs_as_much_when_a_cross_lingual_list_adds_to_every_score() -> None:
    from assistant.retrieval.signals import bonus_unit

    settings = Settings()
    same_language = {"dense": 1.0, "lexical": 1.0, "crosslingual": 0.0}
    assert bonus_unit(same_language, settings) == pytest.approx(1 / (settings.rrf_k + 1))
    # A Spanish question over English text: BM25 reads half of it, the cross-lingual list
    # counts twice; every first rank is worth 3.5 units, so is a signal.
    other_language = {"dense": 1.0, "lexical": 0.5, "crosslingual": 2.0}
    assert bonus_unit(other_language, settings) == pytest.approx(1.75 / (settings.rrf_k + 1))


def test_a_reference_list_of_a_pdf_is_left_out_whatever_its_page() -> None:
    # A PDF's locators end in their page ("References (p. 12)"); the heading alone decides.
    records = {
        "refs": ("Smith (2020). Restoration of peatlands. Journal of Wetlands.", _meta("r", locator="References (p. 12)")),
        "body": ("Peatland restoration raises the water table.", _meta("b", locator="Methods (p. 3)")),
    }
    retriever = _retriever(records, ["refs", "body"])
    assert _ids(retriever, "peatland restoration") == ["body"]
    assert "refs" in _ids(retriever, "which references on peatland restoration does it cite?")
