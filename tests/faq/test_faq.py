"""The FAQ builder: question wording, near-duplicates, stale checks, exports, CLI and tab.

Unit tests use hand-built passages, a hand-built FAQ file and the fake embedding;
the e2e tests build FAQs from the bundled corpus with the real model, rebuild a small
store after a document changes, drive the CLI and drive the FAQ tab over HTTP.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from memory_store import MemoryStore  # tests/ is on sys.path under pytest
from servers import free_port  # tests/ is on sys.path under pytest

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.faq.build import (
    FaqCitation,
    FaqEntry,
    FaqFile,
    FaqRequest,
    SourceRef,
    build_faq,
    check_faq,
    content_hash,
    merge_review,
    near_duplicates,
)
from assistant.faq.export import export_faq, to_markdown
from assistant.faq.questions import Passage, action_phrase, propose_seeds, zh_action_phrase
from assistant.store.records import Record

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
XI16_EN = "cbd-dec-xi-16-en"
XI16_ZH = "cbd-dec-xi-16-zh"

CHAPEAU_1 = (
    "1. Urges Parties, and encourages other Governments and relevant organizations, to work"
    " together to achieve Aichi Biodiversity Targets 14 and 15, by means of a range of"
    " activities, including:"
)
CHAPEAU_5 = (
    "5. Requests the Executive Secretary, subject to the availability of resources, and making"
    " use of the intersessional work:"
)


def _passage(chunk_id: str, text: str, position: int, **meta: Any) -> Passage:
    base = {"doc_id": "dec", "title": "Decision", "kind": "decision", "language": "en",
            "symbol": "XI/16", "paragraph": "", "locator": "", "context": "", "position": position}
    base.update(meta)
    return Passage(chunk_id, text, base)


# --- question wording (unit) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(c) Identifying degraded ecosystems that have potential for ecosystem restoration, bearing"
         " in mind that such areas may be inhabited;",
         "identifying degraded ecosystems that have potential for ecosystem restoration"),
        ("(e) When identifying degraded ecosystems to be restored, considering carrying out a social"
         " impact assessment to ensure that such projects have no negative impacts;",
         "considering carrying out a social impact assessment"),
        ("(c) In collaboration with relevant partners, to promote the development of a"
         " user-friendly, comprehensive web portal on ecosystem restoration as part of the"
         " clearing-house mechanism;",
         "promoting the development of a user-friendly, comprehensive web portal on ecosystem restoration"),
        ("(a) To convene regional and subregional capacity-building workshops and expert meetings,"
         " including with the participation of indigenous peoples;",
         "convening regional and subregional capacity-building workshops and expert meetings"),
        ("(b) Taking note of extreme weather events, to support the implementation of ecosystem"
         " restoration in order to mitigate the impacts;",
         "supporting the implementation of ecosystem restoration in view of extreme weather events"),
    ],
)
def test_action_phrase_takes_the_sub_paragraphs_own_words(text: str, expected: str) -> None:
    assert action_phrase(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(h) 根据 UNEP/CBD/COP/11/INF/17, 18 和 19 号资料文件，查明关于生态系统恢复的实用准则和执行工具中的差距，并提出弥补这些差距的方法；",
         "查明关于生态系统恢复的实用准则和执行工具中的差距"),
        ("(f) 查明生物多样性公约、联合国防治荒漠化公约、联合国气候变化框架公约、拉姆萨尔湿地公约和其他多边环境协定之间的合作机会，适当与可行时利用这些机会；",
         "查明生物多样性公约与其他多边环境协定之间的合作机会"),
        ("(c) 查明具有生态系统恢复潜力的已退化生态系统，同时铭记这种地区有可能为土著和地方社区居住或使用；",
         "查明具有生态系统恢复潜力的已退化生态系统"),
    ],
)
def test_zh_action_phrase(text: str, expected: str) -> None:
    assert zh_action_phrase(text) == expected


def test_seeds_from_a_decision_per_audience() -> None:
    passages = [
        _passage("c1", CHAPEAU_1, 0, paragraph="1", locator="para. 1"),
        _passage("c1c", "(c) Identifying degraded ecosystems that have potential for ecosystem"
                 " restoration, bearing in mind …;", 1, paragraph="1(c)", locator="para. 1(c)",
                 context=CHAPEAU_1),
        _passage("c5a", "(a) To convene regional and subregional capacity-building workshops;", 2,
                 paragraph="5(a)", locator="para. 5(a)", context=CHAPEAU_5),
        _passage("pp5", "Also recognizing that, particularly in the context of climate change,"
                 " restoring ecosystems fully to their original state is increasingly challenging,",
                 3, paragraph="pp5", locator="preambular para. 5"),
    ]
    by_key = {s.paragraph: s for s in propose_seeds(passages, audience="practitioners", language="en")}
    assert by_key["1(c)"].phrasings[0] == (
        "What does decision XI/16 urge Parties to do about identifying degraded ecosystems that have"
        " potential for ecosystem restoration?"
    )
    assert by_key["5(a)"].phrasings[0] == (
        "What does decision XI/16 request the Executive Secretary to do about convening regional"
        " and subregional capacity-building workshops?"
    )
    assert by_key["1"].phrasings[0] == (
        "Whom does decision XI/16 urge to work together to achieve Aichi Biodiversity Targets 14 and 15?"
    )
    assert by_key["pp5"].phrasings[0] == (
        "What does decision XI/16 recognize about restoring ecosystems fully to their original state?"
    )
    assert by_key["1(c)"].group == "Decision XI/16 — paragraph 1"
    assert by_key["pp5"].group == "Decision XI/16 — preamble"
    community = {s.paragraph: s for s in propose_seeds(passages, audience="communities", language="en")}
    assert community["5(a)"].phrasings[0].startswith("What does decision XI/16 ask the CBD Secretariat to do")
    policy = {s.paragraph: s for s in propose_seeds(passages, audience="policymakers", language="en")}
    assert policy["1(c)"].phrasings[0].startswith("Under decision XI/16, what are Parties urged to do on")


def test_seeds_from_a_case_study_skip_sources_and_merge_split_sections() -> None:
    meta = {"doc_id": "case-x", "title": "Mangroves of X", "kind": "case-study", "symbol": "", "country": "Senegal"}
    passages = [
        _passage("o", "Overview text.", 0, locator="Mangroves of X", **meta),
        _passage("d1", "Shrimp ponds replaced mangroves.", 1, locator="Drivers of degradation", **meta),
        _passage("d2", "Dams cut the sediment supply.", 2, locator="Drivers of degradation", **meta),
        _passage("l", "Plant where the hydrology is right.", 3, locator="Lessons", **meta),
        _passage("s", "- A source — https://example.org", 4, locator="Sources", **meta),
    ]
    seeds = propose_seeds(passages, audience="practitioners", language="en")
    by_locator = {s.locator: s for s in seeds}
    assert "Sources" not in by_locator
    assert by_locator["Drivers of degradation"].chunk_ids == ("d1", "d2")
    # The short place name leaves the section's own words to find the section; the title is the fallback.
    assert by_locator["Drivers of degradation"].phrasings[:2] == (
        "What were the drivers of degradation in Senegal?",
        "What drove degradation in Mangroves of X?",
    )
    assert seeds[0].locator in ("Drivers of degradation", "Lessons")  # what a case teaches comes first


def test_chinese_decision_seeds_use_chinese_wording() -> None:
    chapeau = "1. 敦促 各缔约方并鼓励 其他国家政府和有关组织共同努力，实现爱知生物多样性目标 14 和 15，包括："
    passages = [
        _passage("z1c", "(c) 查明具有生态系统恢复潜力的已退化生态系统，同时铭记这种地区有可能为土著和地方社区居住或使用；",
                 1, paragraph="1(c)", locator="para. 1(c)", context=chapeau, language="zh"),
    ]
    (seed,) = propose_seeds(passages, audience="practitioners", language="zh")
    assert seed.phrasings[0] == "根据第XI/16号决定，缔约方应如何查明具有生态系统恢复潜力的已退化生态系统？"
    assert "第XI/16号决定敦促缔约方在查明具有生态系统恢复潜力的已退化生态系统方面做什么？" in seed.phrasings
    assert seed.group == "第XI/16号决定 — 第1段"


# --- near-duplicates (unit, fake embedding) ---------------------------------------------------


def test_near_duplicates_ignore_shared_template_wording(fake_embeddings: Any) -> None:
    topics = ["degraded ecosystems", "traditional knowledge", "capacity building workshops",
              "poverty eradication", "social impact assessment", "resilience of ecosystems",
              "communication programmes", "web portal", "baseline information", "terminology"]
    questions = [f"What does decision XI/16 urge Parties to do about {t}?" for t in topics]
    questions.append("About degraded ecosystems, what does decision XI/16 urge Parties to do?")
    pairs = near_duplicates(fake_embeddings, questions, 0.9)
    assert [(i, j) for i, j, _ in pairs] == [(0, len(questions) - 1)]
    raw = fake_embeddings.encode(questions[:2], query=True)
    assert float(raw[0] @ raw[1]) > 0.5  # plain cosine would call distinct questions close


def _stored(passages: list[Passage]) -> MemoryStore:
    """Stored chunks of one case study, read through the store's interface as the builder does."""
    return MemoryStore(Record(p.chunk_id, p.text, dict(p.metadata)) for p in passages)


class _ScriptedAssistant:
    """Answers by keyword, with the citations a real pipeline would give."""

    def __init__(self, passages: list[Passage], embeddings: Any, replies: dict[str, tuple[str, list[str]]]) -> None:
        self.store, self.embeddings, self.replies = _stored(passages), embeddings, replies
        self.passages = passages
        self.settings = Settings(embedding_model="fake-test-model")
        self.asked: list[str] = []

    def ask(self, question: str, *, filters: Any = None, k: int | None = None) -> Any:
        from assistant.core.records import Answer, Citation

        self.asked.append(question)
        by_id = {p.chunk_id: p for p in self.passages}
        for word, (text, chunk_ids) in self.replies.items():
            if word in question:
                citations = tuple(
                    Citation(n=n, chunk_id=cid, doc_id="case-x", title="Mangroves of X", kind="case-study",
                             symbol="", locator=by_id[cid].meta("locator"), paragraph="", language="en",
                             text=by_id[cid].text, relevance=1.0)
                    for n, cid in enumerate(chunk_ids, start=1)
                )
                return Answer(text=text, supported=True, language="en", citations=citations)
        return Answer(text="The corpus does not cover this question.", supported=False, language="en", citations=())


def test_builder_keeps_supported_merges_same_answers_and_drops_the_rest(fake_embeddings: Any) -> None:
    meta = {"doc_id": "case-x", "title": "Mangroves of X", "kind": "case-study", "symbol": "", "country": "Senegal"}
    passages = [
        _passage("d", "Shrimp ponds replaced mangroves.", 1, locator="Drivers of degradation", **meta),
        _passage("i", "Villagers replanted mangroves.", 2, locator="Interventions", **meta),
        _passage("l", "Plant where the hydrology is right.", 3, locator="Lessons", **meta),
        _passage("c", "Planting cost little.", 4, locator="Costs", **meta),
    ]
    assistant = _ScriptedAssistant(passages, fake_embeddings, {
        "drivers": ("Shrimp ponds replaced mangroves. [1]", ["d"]),
        # A different question answered with the very same text is one entry, two phrasings.
        "interventions": ("Shrimp ponds replaced mangroves. [1]", ["d", "i"]),
        "costs": ("Planting cost little. [1]", ["c"]),
    })
    faq = build_faq(assistant, FaqRequest(doc_ids=["case-x"], n=10))
    assert [e.locator for e in faq.entries] == ["Drivers of degradation", "Costs"]
    assert faq.summary == {"proposed": 4, "asked": 5, "kept": 2, "dropped": 1, "merged": 1}
    assert faq.entries[0].alternates == ["What restoration interventions were used in Senegal?"]
    assert [(d.locator, d.reason) for d in faq.dropped] == [("Lessons", "the pipeline found no support")]
    assert faq.entries[1].sources[0].content_hash == content_hash("Planting cost little.")
    assert len(assistant.asked) == 5  # the unsupported question was tried in two phrasings


# --- exports (unit, hand-built FAQ) -----------------------------------------------------------


def _citation(n: int, chunk_id: str, locator: str, text: str = "passage text") -> FaqCitation:
    return FaqCitation(n=n, chunk_id=chunk_id, doc_id="dec", title="Decision <XI/16>", locator=locator,
                       paragraph=locator.removeprefix("para. "), language="en", text=text)


def _entry(entry_id: str, status: str, group: str, question: str, answer: str,
           citations: list[FaqCitation], **extra: Any) -> FaqEntry:
    return FaqEntry(
        id=entry_id, question=question, answer=answer, citations=citations, group=group,
        language="en", audience="practitioners", doc_id="dec", locator=citations[0].locator,
        sources=[SourceRef(chunk_id=c.chunk_id, doc_id="dec", locator=c.locator, content_hash="x") for c in citations],
        status=status, **extra,
    )


@pytest.fixture
def sample_faq() -> FaqFile:
    a, b, c = _citation(1, "ca", "para. 1(a)"), _citation(2, "cb", "para. 1(b)"), _citation(1, "cc", "para. 5(a)")
    entries = [
        _entry("faq-1", "approved", "Paragraph 1", "What about <b>causes</b>?",
               "1. Urges Parties … (b) Addressing causes. [2] Also (a) implementing. [1]", [a, b]),
        _entry("faq-2", "draft", "Paragraph 1", "What about (a)?", "Implementing decisions. [1]",
               [_citation(1, "ca", "para. 1(a)")], stale=True, stale_reason="source changed: dec para. 1(a)"),
        _entry("faq-3", "rejected", "Paragraph 5", "Rejected question?", "Workshops. [1]", [c]),
        _entry("faq-4", "approved", "Paragraph 5", "Generated?", "Workshops. [1]", [c],
               edited_question="Edited question?", edited_answer="An edited answer without markers."),
    ]
    return FaqFile(title="FAQ & test", request=FaqRequest(n=4), language="en", entries=entries)


def test_markdown_groups_by_topic_with_footnotes(sample_faq: FaqFile) -> None:
    text = to_markdown(sample_faq)
    assert text.index("## Paragraph 1") < text.index("## Paragraph 5")
    assert "Rejected question?" not in text
    assert "### What about &lt;b&gt;causes&lt;/b&gt;?" in text  # document text never becomes HTML
    assert "1\\. Urges Parties" in text  # not turned into a numbered list
    assert "(b) Addressing causes. [^1]" in text and "implementing. [^2]" in text
    assert "[^1]: Decision &lt;XI/16&gt;, para. 1(b)." in text
    assert "[^2]: Decision &lt;XI/16&gt;, para. 1(a)." in text
    assert text.count("[^2]:") == 1  # one number per passage, however often cited
    assert "### What about (a)? _(draft)_" in text and "Implementing decisions. [^2]" in text
    assert "**Stale — review:** source changed: dec para. 1(a)" in text
    assert "### Edited question?" in text and "An edited answer without markers.[^3]" in text
    approved = to_markdown(sample_faq, approved_only=True)
    assert "What about (a)?" not in approved and "Edited question?" in approved


def test_csv_json_and_docx_exports(sample_faq: FaqFile, tmp_path: Path) -> None:
    from docx import Document

    paths = {s: export_faq(sample_faq, tmp_path / f"faq.{s}") for s in ("csv", "json", "docx")}
    with paths["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["faq-1", "faq-2", "faq-4"]
    assert rows[0]["sources"] == "[1] Decision <XI/16>, para. 1(a); [2] Decision <XI/16>, para. 1(b)"
    assert rows[1]["stale"] == "yes" and rows[2]["question"] == "Edited question?"

    handout = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [e["id"] for e in handout["entries"]] == ["faq-1", "faq-2", "faq-4"]
    assert handout["entries"][0]["citations"][1]["locator"] == "para. 1(b)"

    document = Document(str(paths["docx"]))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert ("Title", "FAQ & test") in headings
    assert ("Heading 1", "Paragraph 1") in headings and ("Heading 1", "Sources") in headings
    assert ("Heading 2", "What about (a)? (draft)") in headings
    assert not any("Rejected" in text for _, text in headings)
    superscripts = [r.text for p in document.paragraphs for r in p.runs if r.font.superscript]
    assert superscripts[:2] == ["1", "2"]
    texts = [p.text for p in document.paragraphs]
    assert "1. Decision <XI/16>, para. 1(b)." in texts

    faq_file = export_faq(sample_faq, tmp_path / "faq.faq.json")
    assert FaqFile.load(faq_file).entries[2].status == "rejected"  # the FAQ file keeps everything


def test_unknown_format_and_foreign_json_are_clear_errors(sample_faq: FaqFile, tmp_path: Path) -> None:
    with pytest.raises(AssistantError, match="use .md, .csv, .json or .docx"):
        export_faq(sample_faq, tmp_path / "faq.pdf")
    other = tmp_path / "other.json"
    other.write_text('{"entries": []}', encoding="utf-8")
    with pytest.raises(AssistantError, match="not a FAQ file"):
        FaqFile.load(other)


# --- building from the bundled corpus (e2e) ---------------------------------------------------


@pytest.fixture(scope="module")
def xi16_faq(corpus_assistant: Any) -> FaqFile:
    return build_faq(corpus_assistant, FaqRequest(doc_ids=[XI16_EN], n=15))


@pytest.mark.e2e
def test_decision_faq_covers_paragraphs_with_cited_answers(xi16_faq: FaqFile, corpus_assistant: Any) -> None:
    entries = xi16_faq.entries
    assert len(entries) == 15
    assert xi16_faq.summary["kept"] == 15 and xi16_faq.language == "en"
    for entry in entries:
        assert entry.citations, entry.question
        assert all(c.doc_id == XI16_EN for c in entry.citations)
        assert entry.paragraph in {c.paragraph for c in entry.citations}  # cites where it came from
        assert all(f"[{c.n}]" in entry.answer for c in entry.citations)
        assert all(len(s.content_hash) == 16 for s in entry.sources)
    cited = {c.paragraph for e in entries for c in e.citations}
    assert len(cited) >= 12
    groups = {e.group for e in entries}
    assert "Decision XI/16 — preamble" in groups and len(groups) >= 4
    questions = [e.question for e in entries]
    assert len(set(questions)) == len(questions)
    assert near_duplicates(corpus_assistant.embeddings, questions, corpus_assistant.settings.faq_duplicate_similarity) == []
    assert len({e.id for e in entries}) == len(entries)


@pytest.mark.e2e
def test_real_model_merges_paraphrases_not_template_siblings(xi16_faq: FaqFile, corpus_assistant: Any) -> None:
    questions = [e.question for e in xi16_faq.entries]
    target = next(q for q in questions if "identifying degraded ecosystems" in q)
    paraphrase = "How does decision XI/16 expect Parties to go about identifying degraded ecosystems that have potential for ecosystem restoration?"
    threshold = corpus_assistant.settings.faq_duplicate_similarity
    pairs = near_duplicates(corpus_assistant.embeddings, [*questions, paraphrase], threshold)
    assert [(questions[i] if i < len(questions) else paraphrase, j) for i, j, _ in pairs] == [(target, len(questions))]


@pytest.mark.e2e
def test_chinese_faq_from_the_chinese_original(corpus_assistant: Any) -> None:
    faq = build_faq(corpus_assistant, FaqRequest(doc_ids=[XI16_ZH], language="zh", n=5))
    assert faq.language == "zh" and len(faq.entries) == 5
    for entry in faq.entries:
        assert "第XI/16号决定" in entry.question and entry.question.endswith("？")
        assert entry.citations and {c.language for c in entry.citations} == {"zh"}
    assert "常见问题" in faq.title


@pytest.mark.e2e
def test_english_document_with_chinese_questions_follows_the_translation(corpus_assistant: Any) -> None:
    faq = build_faq(corpus_assistant, FaqRequest(doc_ids=[XI16_EN], language="zh", n=2))
    assert {e.doc_id for e in faq.entries} == {XI16_ZH}


@pytest.mark.e2e
def test_unsupported_language_and_empty_scope_are_clear_errors(corpus_assistant: Any) -> None:
    with pytest.raises(AssistantError, match="no text in 'fr'"):
        build_faq(corpus_assistant, FaqRequest(doc_ids=["case-fmnr-niger"], language="fr", n=2))
    with pytest.raises(AssistantError, match="no passages"):
        build_faq(corpus_assistant, FaqRequest(doc_ids=["no-such-doc"], n=2))


@pytest.mark.e2e
def test_topic_scope_keeps_questions_on_topic(corpus_assistant: Any) -> None:
    faq = build_faq(corpus_assistant, FaqRequest(kinds=["case-study"], topic="mangroves", n=3))
    assert len(faq.entries) == 3
    # Each question is drawn from a mangrove case study ("group" is its title).
    assert all("mangrove" in e.group.lower() for e in faq.entries), [e.group for e in faq.entries]
    assert any("mangrove" in e.answer.lower() for e in faq.entries)


# --- stale check after a document changes (e2e) -----------------------------------------------


@pytest.mark.e2e
def test_changed_document_makes_its_entries_stale(tmp_path: Path, real_embeddings: Any) -> None:
    from assistant.pipeline import build_assistant
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("case-fmnr-niger.md", "case-senegal-mangroves.md"):
        shutil.copy(CORPUS / "case-studies" / name, docs / name)
    settings = Settings(store_dir=tmp_path / "store", cache_dir=tmp_path / "cache")
    store = open_store(settings, real_embeddings, create=True)
    assert not ingest_paths([docs], settings, store, real_embeddings).failed
    assistant = build_assistant(settings, real_embeddings)
    request = FaqRequest(kinds=["case-study"], n=6)
    faq = build_faq(assistant, request)
    assert {e.doc_id for e in faq.entries} == {"case-fmnr-niger", "case-senegal-mangroves"}
    drivers = next(e for e in faq.entries if e.doc_id == "case-fmnr-niger" and e.locator == "Drivers of degradation")
    drivers.status, drivers.edited_answer = "approved", "Drought, tree loss and tree tenure."
    other = next(e for e in faq.entries if e.doc_id == "case-senegal-mangroves")
    other.status, other.reviewer_note = "rejected", "too technical"
    assert check_faq(faq, store) == []  # nothing changed yet

    path = docs / "case-fmnr-niger.md"
    original = path.read_text(encoding="utf-8")
    changed = original.replace("29–49 per cent lower", "30–50 per cent lower")
    assert changed != original
    path.write_text(changed, encoding="utf-8")
    report = ingest_paths([docs], settings, store, real_embeddings)
    assert report.count("updated") == 1

    touched = {e.id for e in faq.entries if any(s.locator == "Drivers of degradation" and s.doc_id == "case-fmnr-niger" for s in e.sources)}
    newly = check_faq(faq, store)
    assert {e.id for e in newly} == touched and drivers.id in touched
    for entry in faq.entries:
        assert entry.stale == (entry.id in touched), entry.question
    assert "source changed: case-fmnr-niger Drivers of degradation" in drivers.stale_reason
    assert drivers.status == "approved" and drivers.edited_answer  # the review is kept

    # A rebuild over the changed store carries the review over.
    previous = FaqFile.model_validate_json(faq.model_dump_json())
    for entry in previous.entries:
        entry.stale, entry.stale_reason = False, ""
    rebuilt = build_faq(build_assistant(settings, real_embeddings), request, previous=previous)
    by_id = {e.id: e for e in rebuilt.entries}
    assert by_id[drivers.id].stale and by_id[drivers.id].status == "approved"
    assert by_id[drivers.id].edited_answer == "Drought, tree loss and tree tenure."
    assert "30–50 per cent" in by_id[drivers.id].answer
    assert by_id[drivers.id].previous_answer and "29–49 per cent" in by_id[drivers.id].previous_answer
    assert by_id[other.id].status == "rejected" and not by_id[other.id].stale
    assert by_id[other.id].reviewer_note == "too technical"


def test_merge_review_keeps_unchanged_entries_as_reviewed(sample_faq: FaqFile) -> None:
    # Every source is gone from this store: all old entries are kept, flagged stale.
    fresh = FaqFile(request=FaqRequest(n=4), language="en", entries=[])
    merged = merge_review(fresh, sample_faq, MemoryStore())
    assert [e.id for e in merged.entries] == [e.id for e in sample_faq.entries]
    assert all(e.stale and "removed" in e.stale_reason for e in merged.entries)
    assert merged.entries[3].edited_question == "Edited question?"


def test_check_faq_tells_changed_sources_from_removed_ones(sample_faq: FaqFile) -> None:
    def chunk(chunk_id: str, locator: str, text: str) -> Record:
        return Record(chunk_id, text, {"doc_id": "dec", "locator": locator})

    for entry in sample_faq.entries:
        entry.stale, entry.stale_reason = False, ""
        entry.sources = [s.model_copy(update={"content_hash": content_hash("same")}) for s in entry.sources]
    # ca is as built; cb's text changed; cc is gone but another chunk holds its paragraph.
    store = MemoryStore([chunk("ca", "para. 1(a)", "same"), chunk("cb", "para. 1(b)", "new"),
                         chunk("cc-2", "para. 5(a)", "same")])
    newly = check_faq(sample_faq, store)
    assert [e.id for e in newly] == ["faq-1", "faq-3", "faq-4"]
    assert sample_faq.entries[0].stale_reason == "source changed: dec para. 1(b)"
    assert not sample_faq.entries[1].stale
    assert sample_faq.entries[2].stale_reason == "source changed: dec para. 5(a)"
    store.delete(["cc-2"])
    check_faq(sample_faq, store)
    assert sample_faq.entries[3].stale_reason == "source removed: dec para. 5(a)"


# --- CLI (e2e) --------------------------------------------------------------------------------


@pytest.mark.e2e
def test_cli_builds_checks_and_exports(corpus_store: Settings, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from assistant.cli.app import app

    runner = CliRunner()
    env = {"RA_CACHE_DIR": str(corpus_store.cache_dir)}
    common = ["--store", str(corpus_store.store_dir)]
    out = tmp_path / "xi16.md"
    result = runner.invoke(
        app, ["faq", "--doc", XI16_EN, "-n", "3", "--out", str(out), "--out", str(tmp_path / "xi16.docx"), *common],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "kept" in result.output and "xi16.faq.json" in result.output
    faq_file = tmp_path / "xi16.faq.json"
    faq = FaqFile.load(faq_file)
    assert len(faq.entries) == 3
    assert "[^1]:" in out.read_text(encoding="utf-8") and (tmp_path / "xi16.docx").stat().st_size > 0

    check = runner.invoke(app, ["faq", "--check", str(faq_file), *common], env=env)
    assert check.exit_code == 0, check.output
    assert "0 stale" in check.output

    faq.entries[0].status = "approved"
    faq.entries[1].status = "rejected"
    faq.save(faq_file)
    handout = tmp_path / "handout.csv"
    exported = runner.invoke(app, ["faq", "--from", str(faq_file), "--approved-only", "--out", str(handout)])
    assert exported.exit_code == 0, exported.output
    with handout.open(encoding="utf-8-sig", newline="") as handle:
        assert [r["id"] for r in csv.DictReader(handle)] == [faq.entries[0].id]

    missing = runner.invoke(app, ["faq", "--doc", XI16_EN, *common], env=env)
    assert missing.exit_code == 2 and "--out" in missing.output
    bad = runner.invoke(app, ["faq", "--doc", "no-such-doc", "--out", str(tmp_path / "x.md"), *common], env=env)
    assert bad.exit_code == 1 and "no passages" in bad.output


# --- the FAQ tab over HTTP (e2e) --------------------------------------------------------------


@pytest.fixture(scope="module")
def faq_tab_url(corpus_assistant: Any) -> Iterator[str]:
    import gradio as gr

    from assistant.ui.app import close_app
    from assistant.ui.faq_tab import render_faq_tab

    with gr.Blocks() as demo, gr.Tab("FAQ"):
        render_faq_tab(corpus_assistant, corpus_assistant.settings)
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        close_app(demo)


@pytest.mark.e2e
def test_faq_tab_builds_and_offers_downloads(faq_tab_url: str) -> None:
    from docx import Document
    from gradio_client import Client

    client = Client(faq_tab_url, verbose=False)
    summary, table, entries, md, csv_path, json_path, docx_path, faq_path = client.predict(
        [XI16_EN], "", "", "practitioners", "", 3, api_name="/faq_build"
    )
    assert "**3** questions kept" in summary
    assert len(table["data"]) == 3 and table["headers"][:3] == ["id", "group", "question"]
    assert "ra-card" in entries and "<script" not in entries
    assert Path(md).read_text(encoding="utf-8").count("### ") == 3
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    assert len(json.loads(Path(json_path).read_text(encoding="utf-8"))["entries"]) == 3
    assert sum(p.style.name == "Heading 2" for p in Document(docx_path).paragraphs) == 3
    assert len(FaqFile.load(Path(faq_path)).entries) == 3


@pytest.mark.e2e
def test_faq_tab_reports_errors(faq_tab_url: str) -> None:
    from gradio_client import Client

    client = Client(faq_tab_url, verbose=False)
    with pytest.raises(Exception, match="no text in 'zh'"):
        client.predict(["case-fmnr-niger"], "", "", "practitioners", "zh", 2, api_name="/faq_build")
