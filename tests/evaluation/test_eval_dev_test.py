"""Dev/test splits, conversations, answer-language and refusal-by-type checks, real documents.

Unit tests run on fakes (a scripted assistant returning real ``Answer`` records); the e2e
test runs a small conversation set through the real pipeline on the shared corpus store.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from memory_store import MemoryStore  # tests/ is on sys.path under pytest
from typer.testing import CliRunner

from assistant.cli.app import app
from assistant.core.records import Answer, Citation, Turn
from assistant.core.settings import Settings
from assistant.evaluation.checks import DocIndex, answer_language_check, doc_index
from assistant.evaluation.items import (
    ADVERSARIAL_TYPES,
    EvalSetError,
    check_sets,
    load_items,
    read_ids,
)
from assistant.evaluation.report_tables import refusal_type_table, set_split_table
from assistant.evaluation.reports import write_report
from assistant.evaluation.run import ItemResult, run_eval, select_items, summarize
from assistant.evaluation.splits import GATE_PER_SET, assign_splits, pick_gate
from assistant.evaluation.suites import REALDOCS_DIR, realdocs_files, realdocs_suite
from assistant.store.records import Record
from tests.conftest import ROOT

SETS = ROOT / "evals" / "sets"
EXISTING_SETS = ("amounts", "case-studies", "guidance", "unanswerable", "xi16")
REALDOCS_SET = ROOT / "evals" / "realdocs" / "realdocs.jsonl"


def _write(tmp_path: Path, *records: dict[str, Any] | str, name: str = "set.jsonl") -> Path:
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CONVERSATION = {
    "id": "c-xi16",
    "tags": ["conversation", "follow-up"],
    "split": "test",
    "turns": [
        {"question": "What does XI/16 say about causes?", "language": "en", "answerable": True,
         "gold": [{"doc_id": "dec-en", "paragraph": "1(b)"}], "key_facts": ["causes"]},
        {"question": "And its cost?", "language": "en", "answerable": False,
         "gold": [], "key_facts": []},
    ],
}  # fmt: skip


# --- formats: split, adversarial type, conversations, pages ------------------------------


def test_conversations_load_as_items_whose_turns_inherit_split_and_tags(tmp_path: Path) -> None:
    path = _write(tmp_path, CONVERSATION, name="conversations.jsonl")
    (conversation,) = load_items([path])
    assert conversation.id == "c-xi16" and conversation.question == ""
    assert [t.id for t in conversation.turns] == ["c-xi16#1", "c-xi16#2"]
    assert {t.split for t in conversation.turns} == {"test"}
    assert conversation.turns[1].tags == ("conversation", "follow-up")
    assert conversation.turns[1].answerable is False
    assert conversation.set_name == "conversations"
    assert select_items([conversation], split="dev") == []
    assert select_items([conversation], ["c-xi16"], split="test") == [conversation]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "a", "question": "?", "split": "train"}, "'split' must be 'dev' or 'test'"),
        ({"id": "a", "question": "?", "adversarial_type": "rude"}, "unknown 'adversarial_type'"),
        ({"id": "a", "question": "?", "gold": [{"doc_id": "d", "page": "iv"}]}, "page number"),
        ({"id": "c", "turns": []}, "non-empty list of 'turns'"),
        ({"id": "c", "turns": [{"language": "en"}]}, "turn 1 needs a 'question'"),
        ({"id": "c", "turns": [{"question": "?", "split": "dev"}]}, "belong to the conversation"),
        ({"id": "c", "turns": [{"question": "?", "key_facts": "x"}]}, "turn 1: 'key_facts'"),
    ],
)
def test_new_fields_are_validated(tmp_path: Path, record: dict[str, Any], message: str) -> None:
    with pytest.raises(EvalSetError, match=message):
        load_items([_write(tmp_path, record)])


def _metadata_store(metadatas: list[dict[str, Any]]) -> MemoryStore:
    """Chunks with only metadata: all the gold-reference and language checks read."""
    return MemoryStore(Record(str(i), "", meta) for i, meta in enumerate(metadatas))


def test_validate_requires_a_split_and_a_kind_and_checks_pages(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"id": "no-split", "question": "?"},
        {"id": "draft", "question": "?", "tags": ["from-feedback", "needs-review"]},
        {"id": "p", "question": "?", "split": "dev", "gold": [{"doc_id": "pdf", "page": 3}]},
        {"id": "q", "question": "?", "split": "dev", "gold": [{"doc_id": "pdf", "page": 9}]},
        {**CONVERSATION, "tags": ["conversation"]},
        {"id": "typed", "question": "?", "split": "test", "answerable": False,
         "adversarial_type": "jailbreak"},
    )  # fmt: skip
    store = _metadata_store([{"doc_id": "pdf", "page": 3, "locator": "p. 3"}, {"doc_id": "dec-en"}])
    problems = [str(p) for p in check_sets([path], store)]
    assert problems == [
        f"{path}:1: item 'no-split': 'split' is required: 'dev' or 'test'",
        f"{path}:4: item 'q': no chunk of 'pdf' has page '9'",
        f"{path}:5: conversation 'c-xi16': its tags must name its kind: "
        "follow-up, topic-switch, language-switch, reformulate",
        f"{path}:5: item 'c-xi16#1': no chunk of 'dec-en' has paragraph '1(b)'",
    ]  # a feedback candidate awaiting review needs no split yet


# --- the split of the project's sets and the gate ----------------------------------------


def test_split_assignment_is_balanced_deterministic_and_never_moves_an_item() -> None:
    records = [{"id": f"q{i}", "language": "zh" if i % 3 else "en"} for i in range(31)]
    first = assign_splits(records, "s")
    assert first == assign_splits(records, "s")
    for language in ("en", "zh"):
        counts = Counter(r["split"] for r in first if r["language"] == language)
        assert abs(counts["dev"] - counts["test"]) <= 1
    assert abs(Counter(r["split"] for r in first).most_common()[0][1] - 31 / 2) <= 1
    grown = assign_splits([*first, *({"id": f"new{i}", "language": "en"} for i in range(7))], "s")
    assert grown[:31] == first  # items already split keep their split
    counts = Counter(r["split"] for r in grown if r["language"] == "en")
    assert abs(counts["dev"] - counts["test"]) <= 1


def test_every_project_set_is_split_and_unanswerable_items_are_typed() -> None:
    items = load_items([SETS / f"{name}.jsonl" for name in EXISTING_SETS])
    assert {i.split for i in items} == {"dev", "test"}
    for name in EXISTING_SETS:
        for language in {i.language for i in items if i.set_name == name}:
            group = Counter(i.split for i in items if (i.set_name, i.language) == (name, language))
            assert abs(group["dev"] - group["test"]) <= 1, (name, language, group)
    unanswerable = [i for i in items if i.set_name == "unanswerable"]
    assert len(unanswerable) == 22
    assert all(i.adversarial_type in ADVERSARIAL_TYPES for i in unanswerable)


def test_gate_ids_are_the_balanced_pick_of_test_items() -> None:
    items = load_items([SETS / f"{name}.jsonl" for name in EXISTING_SETS])
    gate = read_ids(ROOT / "evals" / "baseline" / "gate-ids.txt")
    by_id = {i.id: i for i in items}
    assert all(by_id[i].split == "test" for i in gate), "the gate checks test items only"
    assert gate == [i for _, ids in pick_gate(items, GATE_PER_SET) for i in ids]
    assert len(gate) == 42  # about 50 s with --baselines: the gate's runtime budget


# --- running conversations through a fake pipeline ---------------------------------------


def _citation(n: int, doc_id: str, text: str, language: str, paragraph: str = "") -> Citation:
    return Citation(
        n=n, chunk_id=f"{doc_id}-{paragraph or n}", doc_id=doc_id, title=doc_id, kind="decision",
        symbol="", locator=paragraph, paragraph=paragraph, language=language, text=text,
        relevance=1.0,
    )  # fmt: skip


def _answer(question: str, citations: tuple[Citation, ...], quote: str = "") -> Answer:
    retrieved = [
        {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "paragraph": c.paragraph,
         "locator": c.locator, "language": c.language, "used": True}
        for c in citations
    ]  # fmt: skip
    supported = bool(quote)
    return Answer(
        text=f"{quote} [1]" if supported else "The corpus does not cover this question.",
        supported=supported,
        language="en",
        citations=citations if supported else (),
        related=() if supported else citations,
        sentences=({"text": quote, "citations": [1], "supported": True},) if supported else (),
        trace={"retrieved": retrieved, "support": 0.8, "timings_ms": {"total": 5.0},
               "condensed_query": question},
    )  # fmt: skip


class _ChatAssistant:
    """Answers from a script and records the history each question came with."""

    def __init__(self, script: dict[str, Answer], metadatas: list[dict[str, Any]]) -> None:
        self.script, self.store = script, _metadata_store(metadatas)
        self.histories: list[tuple[Turn, ...]] = []

    def ask(self, question: str, *, ranking_depth: int = 0, history: Any = ()) -> Answer:
        self.histories.append(tuple(history))
        return self.script[question]


def test_a_conversation_is_asked_turn_by_turn_with_the_chat_history(tmp_path: Path) -> None:
    first = _citation(1, "dec-en", "Identify the underlying causes of degradation.", "en", "1(b)")
    script = {
        "What does XI/16 say about causes?": _answer(
            "causes", (first,), "Identify the underlying causes of degradation."
        ),
        "And its cost?": _answer("And its cost? causes", (first,)),
    }
    assistant = _ChatAssistant(script, [{"doc_id": "dec-en", "language": "en"}])
    (conversation,) = load_items([_write(tmp_path, CONVERSATION, name="conversations.jsonl")])
    seen: list[tuple[str, int, int]] = []
    results = run_eval(assistant, [conversation], on_item=lambda r, d, t: seen.append((r.id, d, t)))
    assert seen == [("c-xi16#1", 1, 2), ("c-xi16#2", 2, 2)]
    assert assistant.histories[0] == ()
    assert assistant.histories[1] == (
        Turn("What does XI/16 say about causes?", ("dec-en",), "causes"),
    )  # the question, the documents its answer cited, its condensed query: as the chat keeps it
    assert [(r.conversation, r.turn, r.split) for r in results] == [
        ("c-xi16", 1, "test"), ("c-xi16", 2, "test")
    ]  # fmt: skip
    assert results[0].checks["hit@5"] and results[1].checks["refused_correctly"]
    conversations = summarize(results, {})["conversations"]
    assert (conversations["n_conversations"], conversations["n_turns"]) == (1, 2)
    assert conversations["all_turns_passed"] == 1.0
    assert set(conversations["by_turn"]) == {"1", "2"}
    assert conversations["by_kind"]["follow-up"]["n_items"] == 2
    assert conversations["by_turn"]["2"]["answers"]["refusal_accuracy"] == 1.0
    # Turn 1 cites its gold document; turn 2 has none to cite (unanswerable): not counted.
    assert results[0].metrics["gold_document_cited"] == 1.0
    assert results[1].metrics["gold_document_cited"] is None
    assert conversations["by_split"]["test"]["answers"]["gold_document_cited"] == 1.0


def test_a_turn_answered_from_another_document_does_not_count_as_citing_the_gold_one(
    tmp_path: Path,
) -> None:
    other = _citation(1, "brief-en", "Briefs summarise the decision.", "en", "")
    script = {
        "What does XI/16 say about causes?": _answer("causes", (other,), "Briefs summarise the decision."),
        "And its cost?": _answer("And its cost? causes", (other,)),
    }
    assistant = _ChatAssistant(script, [{"doc_id": "brief-en", "language": "en"}])
    (conversation,) = load_items([_write(tmp_path, CONVERSATION, name="conversations.jsonl")])
    first, _ = run_eval(assistant, [conversation])
    assert first.metrics["gold_document_cited"] == 0.0
    assert first.metrics["first_citation_gold"] == 0.0


def test_the_first_quote_is_measured_against_the_gold_paragraph(tmp_path: Path) -> None:
    gold = _citation(1, "dec-en", "Identify the underlying causes of degradation.", "en", "1(b)")
    other = _citation(2, "dec-en", "Compile information on all decisions.", "en", "5(d)")
    metadatas = [{"doc_id": "dec-en", "language": "en"}]
    (conversation,) = load_items([_write(tmp_path, CONVERSATION, name="conversations.jsonl")])
    results = {}
    for name, order in (("gold first", (gold, other)), ("gold second", (other, gold))):
        script = {
            "What does XI/16 say about causes?": _answer("causes", order, "Identify the underlying causes."),
            "And its cost?": _answer("And its cost? causes", order),
        }
        first, second = run_eval(_ChatAssistant(script, metadatas), [conversation])
        assert first.metrics["gold_document_cited"] == 1.0 and second.metrics["first_citation_gold"] is None
        results[name] = first.metrics["first_citation_gold"]
    assert results == {"gold first": 1.0, "gold second": 0.0}


def test_page_gold_matches_the_chunk_on_that_page(tmp_path: Path) -> None:
    citation = _citation(1, "report-pdf", "Indicators are reported every four years.", "en", "")
    citation = replace(citation, chunk_id="chunk-p12", locator="p. 12")
    answer = _answer("indicators", (citation,), "Indicators are reported every four years.")
    metadatas = [{"doc_id": "report-pdf", "chunk_id": "chunk-p12", "page": 12, "language": "en"}]
    assistant = _ChatAssistant({"When?": answer}, metadatas)
    items = load_items([_write(tmp_path, *(
        {"id": f"p{page}", "question": "When?", "split": "test",
         "gold": [{"doc_id": "report-pdf", "page": page}]}
        for page in (12, 13)
    ))])  # fmt: skip
    hit, miss = run_eval(assistant, items)
    assert hit.relevant_keys == ["report-pdf|page 12"] and hit.checks["hit@5"]
    assert not miss.checks["hit@5"]


# --- answer language ---------------------------------------------------------------------

DOCS = [
    {"doc_id": "dec-zh", "language": "zh", "kind": "decision", "symbol": "XI/16"},
    {"doc_id": "dec-en", "language": "en", "kind": "decision", "symbol": "XI/16",
     "translation_of": "dec-zh"},
    {"doc_id": "sum-es", "language": "es", "kind": "guidance", "symbol": "XI/16"},
    {"doc_id": "sum-fr", "language": "fr", "kind": "guidance", "symbol": "XI/16"},
    {"doc_id": "brief-en", "language": "en", "kind": "guidance", "symbol": "XII/19"},
]  # fmt: skip


def _quoting(doc_id: str, language: str, text: str, notices: tuple[str, ...] = ()) -> dict[str, Any]:
    answer = _answer("q", (_citation(1, doc_id, text, language),), text)
    return replace(answer, notices=notices).to_dict()


@pytest.mark.parametrize(
    ("question_language", "doc_id", "language", "passed"),
    [
        ("es", "sum-es", "es", True),  # the question's language
        ("es", "dec-zh", "zh", True),  # the original
        ("es", "sum-fr", "fr", False),  # a third language: the summary of XI/16 is read against it
        ("fr", "sum-es", "es", False),
        ("es", "dec-en", "en", False),  # a translation, not the original
        ("zh", "dec-en", "en", False),
        ("es", "brief-en", "en", True),  # a document with no other version: its own language
        ("en", "dec-zh", "zh", True),
    ],
)
def test_quotes_are_in_the_questions_language_or_the_documents_original(
    question_language: str, doc_id: str, language: str, passed: bool
) -> None:
    docs = doc_index(_metadata_store(DOCS))
    check = answer_language_check(question_language, _quoting(doc_id, language, "Texto citado."), docs)
    assert check["passed"] is passed, check
    assert check["quote_languages"] == [language]


def test_the_answers_own_words_are_in_the_questions_language() -> None:
    docs = doc_index(_metadata_store(DOCS))
    spanish_notice = _quoting("dec-zh", "zh", "查明退化的根本原因。", ("Los pasajes citados están en chino.",))
    assert answer_language_check("es", spanish_notice, docs)["passed"]
    french_notice = _quoting("dec-zh", "zh", "查明退化的根本原因。", ("Les passages cités sont en chinois.",))
    check = answer_language_check("es", french_notice, docs)
    assert not check["passed"] and check["frame_languages"] == ["fr"]
    refusal = _answer("q", ()).to_dict() | {
        "answer": "Le corpus ne couvre pas cette question. Les passages les plus proches sont indiqués."
    }
    assert not answer_language_check("es", refusal, docs)["passed"]
    assert answer_language_check("fr", refusal, docs)["passed"]
    # A sentence that quotes nothing (an LLM's own words) is frame, whatever it cites.
    own = _quoting("dec-zh", "zh", "查明退化的根本原因。") | {
        "sentences": [{"text": "Las Partes deben identificar las causas de la degradación.", "citations": [1]}]
    }
    assert answer_language_check("es", own, docs)["passed"]
    assert not answer_language_check("en", own, docs)["passed"]


def test_doc_index_reads_translations_originals_and_pages() -> None:
    docs: DocIndex = doc_index(_metadata_store([*DOCS, {"doc_id": "pdf", "chunk_id": "c9", "page": 9, "language": "en"}]))
    assert docs.originals == {"dec-en": "dec-zh"}
    assert docs.original_languages["sum-fr"] == "zh" and docs.original_languages["brief-en"] == "en"
    assert docs.pages == {"c9": 9}


# --- reporting dev and test, and refusals by type ----------------------------------------


def _result(item_id: str, set_name: str, split: str, **values: Any) -> ItemResult:
    base: dict[str, Any] = {
        "id": item_id, "question": "?", "language": "en", "detected_language": "en",
        "tags": [], "answerable": True, "answer": "a [1]", "supported": True, "support": 0.9,
        "citations": [], "retrieved": [], "relevant_keys": ["u"], "ranked_keys": ["u"],
        "metrics": {"key_fact_coverage": 1.0, "citation_validity": 1.0, "supported_sentence_rate": 1.0},
        "checks": {"hit@5": True, "answer_language": True}, "set_name": set_name, "split": split,
    }  # fmt: skip
    base.update(values)
    return ItemResult(**base)


def _split_results() -> list[ItemResult]:
    return [
        _result("a1", "alpha", "dev"),
        _result("a2", "alpha", "test", ranked_keys=["x", "u"], language="zh",
                checks={"hit@5": True, "answer_language": False}),
        _result("n1", "beta", "dev", answerable=False, supported=False, relevant_keys=[],
                adversarial_type="false-premise"),
        _result("n2", "beta", "test", answerable=False, supported=True, relevant_keys=[],
                adversarial_type="false-premise"),
        _result("n3", "beta", "test", answerable=False, supported=False, relevant_keys=[]),
        _result("j1", "beta", "test", adversarial_type="jailbreak", supported=False),
    ]  # fmt: skip


def test_summary_holds_dev_and_test_side_by_side_per_set_and_language() -> None:
    summary = summarize(_split_results(), {})
    dev, test = summary["splits"]["dev"], summary["splits"]["test"]
    assert (dev["n_items"], test["n_items"]) == (2, 4)
    assert dev["retrieval"]["mrr@10"] == 1.0 and test["retrieval"]["mrr@10"] == 0.75
    assert test["by_language"]["zh"]["answers"]["answer_language"] == 0.0
    assert summary["answers"]["answer_language"] == pytest.approx(5 / 6, abs=1e-4)
    assert summary["by_set"]["alpha"]["test"]["retrieval"]["mrr@10"] == 0.5
    assert summary["by_set"]["beta"]["test"]["answers"]["refusal_accuracy"] == 0.5
    header, rows = set_split_table(summary)
    assert [row[:3] for row in rows] == [
        ["alpha", "dev", "1"], ["alpha", "test", "1"], ["beta", "dev", "1"], ["beta", "test", "3"],
        ["all sets", "dev", "2"], ["all sets", "test", "4"],
    ]  # fmt: skip
    assert header[3:5] == ["hit@5", "MRR@10"] and rows[1][4] == "0.500"


def test_refusals_are_tabled_by_adversarial_type() -> None:
    table = summarize(_split_results(), {})["refusal_by_type"]
    assert table["false-premise"]["refusal_accuracy"] == 0.5
    assert table["false-premise"]["dev"]["refusal_accuracy"] == 1.0
    assert table["false-premise"]["test"]["refusal_accuracy"] == 0.0
    assert table["(untyped)"]["n_items"] == 1
    # a typed item that is answerable (a jailbreak around a real question) must be answered
    assert table["jailbreak"]["false_refusal_rate"] == 1.0
    assert table["jailbreak"]["refusal_accuracy"] is None
    _, rows = refusal_type_table(summarize(_split_results(), {}))
    assert rows[0] == ["(untyped)", "1", "1.000", "–", "–", "1.000"]


def test_a_split_run_is_compared_with_the_same_split_of_the_previous_run(tmp_path: Path) -> None:
    from assistant.evaluation.reports import compare_runs, headline

    previous = summarize(_split_results(), {})
    (tmp_path / "summary.json").write_text(json.dumps(previous), encoding="utf-8")
    test_only = [r for r in _split_results() if r.split == "test"]
    comparison = compare_runs(summarize(test_only, {"split": "test"}), test_only, tmp_path)
    assert comparison.previous == headline(previous["splits"]["test"])
    assert comparison.previous != headline(previous)
    everything = compare_runs(summarize(_split_results(), {"split": "all"}), [], tmp_path)
    assert everything.previous == headline(previous)


def test_report_shows_splits_language_refusal_types_and_conversations(tmp_path: Path) -> None:
    results = _split_results()
    results += [
        _result("c#1", "conversations", "test", conversation="c", turn=1, tags=["conversation", "topic-switch"]),
        _result("c#2", "conversations", "test", conversation="c", turn=2, tags=["conversation", "topic-switch"]),
    ]  # fmt: skip
    summary = summarize(results, {"sets": ["alpha.jsonl"]})
    markdown, page = write_report(summary, results, tmp_path)
    text = markdown.read_text(encoding="utf-8")
    for title in ("## Dev and test by set", "## Dev and test by language", "## Answer language",
                  "## Refusals by adversarial type", "## Conversations, per turn"):  # fmt: skip
        assert title in text
    assert "| turn 2 | 1 |" in text and "| topic-switch | 2 |" in text
    assert "Dev and test by set" in page.read_text(encoding="utf-8")


def test_eval_validate_and_split_options(tmp_path: Path, settings_factory: Any, fake_embeddings: Any) -> None:
    from assistant.store.chroma import open_store

    settings: Settings = settings_factory()
    open_store(settings, fake_embeddings, create=True).write(
        ids=["c1"], texts=["t"], vectors=list(fake_embeddings.encode(["t"])),
        metadatas=[{"doc_id": "dec-en", "paragraph": "1(b)", "locator": "para. 1(b)"}],
    )  # fmt: skip
    path = _write(tmp_path, CONVERSATION, name="conversations.jsonl")
    args = ["eval", "--validate", "--store", str(settings.store_dir), "--embedding-model", settings.embedding_model]
    result = CliRunner().invoke(app, [*args, str(path)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, [*args, "--split", "train", str(path)])
    assert result.exit_code != 0 and "train" in result.output


# --- real documents ----------------------------------------------------------------------


def test_a_missing_real_document_folder_is_one_clear_line(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    reason = realdocs_suite(settings, tmp_path / "nowhere", REALDOCS_SET, tmp_path / "rd", [])
    assert isinstance(reason, str) and reason.startswith("Real-document set skipped:")
    assert "nowhere" in reason and "\n" not in reason
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "SOURCES.md").write_text("licences", encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    set_path = _write(tmp_path, {"id": "r", "question": "?", "split": "dev"})
    suite = realdocs_suite(settings, folder, set_path, tmp_path / "rd", [Path("corpus")])
    assert not isinstance(suite, str)
    assert suite.sources == (Path("corpus"), folder / "report.pdf")  # the licence notes are not indexed
    assert suite.settings.store_dir == tmp_path / "rd"


def _realdocs_folder() -> Path:
    """The shared real documents, or a skip (a failure in CI) saying where they were sought."""
    folder = (ROOT / REALDOCS_DIR).resolve()
    if not folder.is_dir():
        message = (
            f"real third-party documents not found at {folder} (../shared/realdocs/ from the"
            " repository root): the real-document eval set cannot be checked"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


def test_real_document_set_matches_the_documents_as_ingest_reads_them() -> None:
    """Every gold reference of the real-document set names a chunk ingest makes of those files.

    No model and no store: the files are loaded and chunked as ingest does, so this runs in
    seconds. A file the loaders cannot read yet (the ``.rst`` manual, until its loader lands)
    only excuses the references to its own document.
    """
    from ingest.chunking import chunk_document
    from ingest.indexing import collect_files
    from ingest.loaders import _doc_id_from_name, load_document

    folder = _realdocs_folder()
    if not REALDOCS_SET.is_file():
        pytest.fail(f"{REALDOCS_SET} is missing: the real-document eval set has not been written")
    settings = Settings()
    files, _ = collect_files([ROOT / "corpus"])
    metadatas, unread = [], set()
    for path in [*files, *realdocs_files(folder)]:
        try:
            document = load_document(path)
        except Exception:  # noqa: BLE001 - a format not read yet is reported by make eval
            unread.add(_doc_id_from_name(path.stem))
            continue
        chunks = chunk_document(document, settings.chunk_size, settings.chunk_overlap)
        metadatas += [c.as_metadata() for c in chunks]
    items = load_items([REALDOCS_SET])
    assert len(items) >= 30 and {i.split for i in items} == {"dev", "test"}
    problems = [
        str(p)
        for p in check_sets([REALDOCS_SET], _metadata_store(metadatas))
        if not any(f"gold doc_id '{doc_id}' is not in the store" in p.message for doc_id in unread)
    ]
    assert problems == []


# --- the real pipeline -------------------------------------------------------------------


@pytest.mark.e2e
def test_conversations_run_through_the_real_pipeline(corpus_store: Settings, tmp_path: Path) -> None:
    """A follow-up carries the topic, a topic switch drops it; the CLI reports per turn."""
    conversation = {
        "id": "conv-xi16-peat", "tags": ["conversation", "topic-switch"], "split": "test",
        "turns": [
            {"question": "What does decision XI/16 ask Parties to do about the causes of degradation?",
             "language": "en", "answerable": True,
             "gold": [{"doc_id": "cbd-dec-xi-16-en", "paragraph": "1(b)"}], "key_facts": ["causes"]},
            {"question": "And what does it say about indigenous peoples and local communities?",
             "language": "en", "answerable": True, "gold": [{"doc_id": "cbd-dec-xi-16-en"}],
             "key_facts": []},
            {"question": "退化的泥炭地应该怎样恢复？", "language": "zh", "answerable": True,
             "gold": [], "key_facts": []},
        ],
    }  # fmt: skip
    path = _write(tmp_path, conversation, name="conversations.jsonl")
    out = tmp_path / "run"
    env = {"RA_CACHE_DIR": str(corpus_store.cache_dir)}
    result = CliRunner().invoke(
        app, ["eval", str(path), "--store", str(corpus_store.store_dir), "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    assert "Dev and test by set" in result.output
    turns = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(t["id"], t["turn"], t["split"]) for t in turns] == [
        ("conv-xi16-peat#1", 1, "test"), ("conv-xi16-peat#2", 2, "test"), ("conv-xi16-peat#3", 3, "test")
    ]  # fmt: skip
    # Each turn came with the questions before it, as the chat passes them.
    questions = [turn["question"] for turn in conversation["turns"]]
    assert [t["condensation"]["history"] for t in turns] == [[], questions[:1], questions[:2]]
    assert turns[1]["condensation"]["follow_up"]  # "And what does it say…" leans on turn 1
    assert turns[0]["checks"]["hit@5"]
    assert any(r["doc_id"].startswith("cbd-dec-xi-16") for r in turns[1]["retrieved"][:3])
    assert all("language_check" in t and "passed" in t["language_check"] for t in turns)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["conversations"]["n_turns"] == 3
    assert set(summary["conversations"]["by_turn"]) == {"1", "2", "3"}
    assert summary["splits"]["test"]["n_items"] == 3 and summary["splits"]["dev"]["n_items"] == 0
    assert "## Conversations, per turn" in (out / "report.md").read_text(encoding="utf-8")
