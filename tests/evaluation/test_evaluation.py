"""The eval harness: set parsing, metrics computed by hand, reports, and the quality gate."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from memory_store import MemoryStore  # tests/ is on sys.path under pytest
from typer.testing import CliRunner

from assistant.cli.app import app
from assistant.core.settings import Settings
from assistant.evaluation.reports import (
    baseline_rows,
    compare_runs,
    headline,
    worst_items,
    write_report,
)
from assistant.evaluation.run import (
    EvalItem,
    EvalRunError,
    EvalSetError,
    ItemResult,
    check_sets,
    compile_metrics,
    load_items,
    ranx_qrels_and_run,
    read_ids,
    read_run,
    run_eval,
    select_items,
    summarize,
    write_results,
)
from assistant.store.records import Record
from tests.conftest import FAKE_MODEL, ROOT, FakeEmbeddings

BASELINE = ROOT / "evals" / "baseline"
GATE_TOLERANCE = 0.03
# a tag (not escaped text) that loads something over the network
_REMOTE_SRC = re.compile(r"""<[^<>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
# metric -> whether higher is better
GATED = {
    "hit@5": True,
    "mrr@10": True,
    "key_fact_coverage": True,
    "citation_validity": True,
    "refusal_accuracy": True,
    "false_refusal_rate": False,
}


def _write(tmp_path: Path, *lines: str | dict[str, Any]) -> Path:
    path = tmp_path / "set.jsonl"
    text = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "q1", "question": "What?", "gold": [{"doc_id": "d", "paragraph": "1"}], "split": "dev"}


# --- loading and checking sets -----------------------------------------------------------


def test_load_items_reads_fields_and_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        GOOD,
        "",
        {"id": "q2", "question": "¿Qué?", "language": "es", "answerable": False, "tags": ["x"]},
    )
    first, second = load_items([path])
    assert first == EvalItem(
        id="q1", question="What?", gold=({"doc_id": "d", "paragraph": "1"},), split="dev"
    )
    assert first.set_name == "set"  # the file stem
    assert (second.language, second.answerable, second.tags) == ("es", False, ("x",))
    assert second.gold == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "q2", "question": ', ":2: not valid JSON"),
        ({"question": "no id"}, ":2: each item needs an 'id' and a 'question'"),
        ({"id": "q1", "question": "again"}, ":2: duplicate id 'q1'"),
        ({"id": "q2", "question": "?", "gold": [{"paragraph": "1"}]}, ":2: 'gold' must be"),
        ({"id": "q2", "question": "?", "gold": {"doc_id": "d"}}, ":2: 'gold' must be"),
        ({"id": "q2", "question": "?", "key_facts": "one fact"}, "'key_facts' must be a list"),
        ({"id": "q2", "question": "?", "answerable": "no"}, "'answerable' must be true or false"),
    ],
)
def test_load_items_names_file_and_line_of_errors(
    tmp_path: Path, line: str | dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, GOOD, line)
    with pytest.raises(EvalSetError, match=re.escape(message)) as caught:
        load_items([path])
    assert str(caught.value).startswith(f"{path}:")


def test_load_items_missing_file_is_a_set_error(tmp_path: Path) -> None:
    with pytest.raises(EvalSetError, match="cannot read"):
        load_items([tmp_path / "missing.jsonl"])


def _metadata_store(metadatas: list[dict[str, Any]]) -> MemoryStore:
    """Chunks with only metadata: all the gold-reference checks read."""
    return MemoryStore(Record(str(i), "", meta) for i, meta in enumerate(metadatas))


def test_check_sets_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        GOOD,
        "{broken",
        {"id": "q3", "question": "?", "split": "test", "gold": [{"doc_id": "nowhere"}]},
        {"id": "q4", "question": "?", "split": "test", "gold": [{"doc_id": "d", "paragraph": "9(z)"}]},
        {"id": "q5", "question": "?", "split": "test", "gold": [{"doc_id": "d", "locator": "Costs"}]},
        {"id": "q6", "question": "?", "split": "test", "gold": [{"doc_id": "d", "locator": "Nope"}]},
    )
    store = _metadata_store(
        [
            {"doc_id": "d", "paragraph": "1", "locator": "para. 1"},
            {"doc_id": "d", "locator": "Costs"},
        ]
    )
    problems = [str(p) for p in check_sets([path], store)]
    assert problems == [
        f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:3: item 'q3': gold doc_id 'nowhere' is not in the store",
        f"{path}:4: item 'q4': no chunk of 'd' has paragraph '9(z)'",
        f"{path}:6: item 'q6': no chunk of 'd' has locator 'Nope'",
    ]
    assert [p.where for p in check_sets([path])] == [f"{path}:2"]  # no store: format only


def test_validate_command_checks_a_real_store(
    tmp_path: Path, settings_factory: Any, fake_embeddings: FakeEmbeddings
) -> None:
    from assistant.store.chroma import open_store

    settings: Settings = settings_factory()
    store = open_store(settings, fake_embeddings, create=True)
    store.write(
        ids=["c1"],
        texts=["text"],
        metadatas=[{"doc_id": "d", "paragraph": "1", "locator": "para. 1"}],
        vectors=list(fake_embeddings.encode(["text"])),
    )
    good = _write(tmp_path, GOOD)
    store_args = ["--store", str(settings.store_dir), "--embedding-model", FAKE_MODEL]
    args = ["eval", "--validate", *store_args]
    result = CliRunner().invoke(app, [*args, str(good)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "b", "question": "?", "gold": [{"doc_id": "x"}]}) + "\n")
    result = CliRunner().invoke(app, [*args, str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: item 'b': gold doc_id 'x' is not in the store" in result.output


def test_select_items_by_ids_and_limit(tmp_path: Path) -> None:
    items = [EvalItem(id=f"q{i}", question="?") for i in range(5)]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# gate\nq3\n\nq1  # comment\n", encoding="utf-8")
    assert [i.id for i in select_items(items, read_ids(ids_file))] == ["q1", "q3"]
    assert [i.id for i in select_items(items, limit=2)] == ["q0", "q1"]
    with pytest.raises(EvalSetError, match="q9"):
        select_items(items, ["q1", "q9"])


# --- measuring items through a fake pipeline ---------------------------------------------


class _FakeAnswer:
    def __init__(self, text: str, supported: bool, retrieved: list[dict[str, Any]]) -> None:
        self.text, self.supported, self.language = text, supported, "en"
        self.retrieved = retrieved

    def to_dict(self) -> dict[str, Any]:
        first = self.retrieved[0] if self.retrieved else None
        citations = (
            [{"n": 1, "chunk_id": first["chunk_id"], "text": "Restore peat bogs.", "context": ""}]
            if first and self.supported
            else []
        )
        return {
            "answer": self.text,
            "supported": self.supported,
            "citations": citations,
            "related": [],
            "sentences": [{"text": self.text, "citations": [1], "supported": True}]
            if self.supported
            else [],
            "trace": {"retrieved": self.retrieved, "support": 0.9, "timings_ms": {"total": 12.0}},
        }


class _FakeAssistant:
    """Scripted answers keyed by question; translation metadata from a metadata store."""

    def __init__(self, script: dict[str, _FakeAnswer], metadatas: list[dict[str, Any]]) -> None:
        self.script = script
        self.store = _metadata_store(metadatas)

    def ask(self, question: str, *, ranking_depth: int = 0) -> _FakeAnswer:
        return self.script[question]


def _chunk(chunk_id: str, doc_id: str, paragraph: str = "", locator: str = "") -> dict[str, Any]:
    return {
        "chunk_id": chunk_id,
        "doc_id": doc_id,
        "paragraph": paragraph,
        "locator": locator,
        "used": True,
    }


def test_translation_pairs_count_as_one_relevance_unit_and_key_fact_alternatives() -> None:
    item = EvalItem(
        id="xi16-1b",
        question="causes?",
        gold=({"doc_id": "dec-en", "paragraph": "1(b)"}, {"doc_id": "dec-zh", "paragraph": "1(b)"}),
        key_facts=("underlying causes|root causes", "direct causes|proximate causes", "peat"),
    )
    retrieved = [
        _chunk("c-en", "dec-en", "1(b)"),
        _chunk("c-zh", "dec-zh", "1(b)"),
        _chunk("c-other", "dec-en", "2"),
    ]
    answer = _FakeAnswer("Address the ROOT causes and the proximate causes. [1]", True, retrieved)
    assistant = _FakeAssistant(
        {"causes?": answer},
        [{"doc_id": "dec-en", "translation_of": "dec-zh"}, {"doc_id": "dec-zh"}],
    )
    (result,) = run_eval(assistant, [item])
    assert result.relevant_keys == ["dec-zh|1(b)"]  # both languages: one unit
    assert result.ranked_keys == ["dec-zh|1(b)", "c-other|other"]
    assert result.metrics["key_fact_coverage"] == pytest.approx(2 / 3)  # "peat" missing
    assert result.checks == {
        "refused_correctly": True,
        "answered": True,
        "hit@5": True,
        "key_facts": True,
        "answer_language": True,  # an English sentence of its own for an English question
    }
    retrieval = summarize([result], {})["retrieval"]
    assert retrieval["recall@5"] == 1.0  # one unit found, not one of two


def test_refusals_are_checked_against_answerability() -> None:
    items = [
        EvalItem(id="na", question="risotto?", answerable=False),
        EvalItem(id="fa", question="peat?", gold=({"doc_id": "d"},)),
    ]
    refusal = _FakeAnswer("The corpus does not cover this.", False, [_chunk("c", "d")])
    results = run_eval(_FakeAssistant({"risotto?": refusal, "peat?": refusal}, []), items)
    assert [r.checks["refused_correctly"] for r in results] == [True, True]
    assert [r.checks["answered"] for r in results] == [True, False]
    answers = summarize(results, {})["answers"]
    assert (answers["refusal_accuracy"], answers["false_refusal_rate"]) == (1.0, 1.0)


# --- metrics against values computed by hand --------------------------------------------


def _result(item_id: str, relevant: list[str], ranked: list[str], **fields: Any) -> ItemResult:
    values: dict[str, Any] = {
        "id": item_id,
        "question": f"question {item_id}",
        "language": "en",
        "detected_language": "en",
        "tags": ["t"],
        "answerable": True,
        "answer": "answer [1]",
        "supported": True,
        "support": 0.9,
        "citations": [],
        "retrieved": [],
        "relevant_keys": relevant,
        "ranked_keys": ranked,
        "metrics": dict.fromkeys(
            ("key_fact_coverage", "citation_validity", "supported_sentence_rate"), 1.0
        ),
        "checks": {"hit@5": True, "refused_correctly": True, "answered": True, "key_facts": True},
        "latency_ms": 100.0,
    }
    values.update(fields)
    return ItemResult(**values)


def _hand_made() -> list[ItemResult]:
    return [
        _result("a", ["a"], ["a", "x", "y"], latency_ms=10.0),
        _result("b", ["b1", "b2"], ["x", "b1", "y", "z", "w", "b2"], latency_ms=20.0),
        _result("c", ["c"], [f"x{i}" for i in range(10)] + ["c"], latency_ms=30.0),
        _result("e", ["e"], [], latency_ms=40.0),
        _result("no-gold", [], ["x"], answerable=False, supported=False, latency_ms=50.0),
    ]


def test_ranking_metrics_match_hand_computation() -> None:
    summary = summarize(_hand_made(), {"sets": ["hand.jsonl"]})
    # four items have gold: a (rank 1), b (ranks 2 and 6 of two), c (rank 11: a miss), e (nothing)
    ndcg_b = (1 / math.log2(3) + 1 / math.log2(7)) / (1 + 1 / math.log2(3))
    assert summary["retrieval"] == pytest.approx(
        {
            "hit@1": 1 / 4,
            "hit@5": 2 / 4,
            "mrr@10": (1 + 1 / 2) / 4,
            "ndcg@10": round((1 + ndcg_b) / 4, 4),
            "recall@5": (1 + 1 / 2) / 4,
        },
        abs=1e-4,
    )
    assert summary["answers"]["refusal_accuracy"] == 1.0
    assert summary["answers"]["false_refusal_rate"] == 0.0
    assert summary["latency"] == {"p50_ms": 30.0, "p95_ms": 50.0}
    assert summary["n_items"] == 5 and summary["by_tag"]["t"]["n_items"] == 5
    assert summary["config"] == {"sets": ["hand.jsonl"]}


def test_ranx_sees_keys_of_one_width_whatever_their_length() -> None:
    # numba compiles ranx's helpers once per key width: one width means one compilation.
    short = _result("s", ["a"], ["a", "b"])
    long = _result("l", ["cbd-dec-xi-16-en|2(g)"], ["case-gondwana-link-australia|Drivers", "cbd-dec-xi-16-en|2(g)"])
    widths = set()
    for results in ([short], [long], [short, long]):
        qrels, run = ranx_qrels_and_run(results)
        for ranking in [*qrels.to_dict().values(), *run.to_dict().values()]:
            widths |= {len(key) for key in ranking}
    assert widths == {16}
    # The same unit gets the same key in separate calls (compare_runs builds two runs).
    assert ranx_qrels_and_run([long])[1].to_dict()["l"] == ranx_qrels_and_run([short, long])[1].to_dict()["l"]
    assert summarize([short, long], {})["retrieval"]["mrr@10"] == pytest.approx((1 + 1 / 2) / 2)


def test_compiling_the_metrics_ahead_is_quiet_and_changes_no_figure() -> None:
    # make setup calls it; numba's notes about its own casts must not reach the user.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compile_metrics()
    assert caught == []
    assert summarize(_hand_made(), {})["retrieval"]["mrr@10"] == pytest.approx((1 + 1 / 2) / 4)


# --- reports -----------------------------------------------------------------------------


def _run_dir(tmp_path: Path, name: str, results: list[ItemResult]) -> tuple[Path, dict[str, Any]]:
    summary = summarize(results, {"sets": ["hand.jsonl"], "support_threshold": 0.5})
    write_results(results, summary, tmp_path / name)
    return tmp_path / name, summary


def test_read_run_round_trips_and_rejects_other_folders(tmp_path: Path) -> None:
    results = _hand_made()
    run, summary = _run_dir(tmp_path, "run", results)
    assert read_run(run) == (json.loads(json.dumps(summary)), results)
    with pytest.raises(EvalRunError, match="not an eval run folder"):
        read_run(tmp_path)


def test_report_is_self_contained_and_escaped(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script> & <img src=http://example.org/x.png>"
    results = _hand_made()
    results[1] = replace(results[1], question=hostile, answer=hostile)
    results[1].checks["hit@5"] = False
    results.append(
        _result("leak", [], [], answerable=False, checks={"refused_correctly": False}, support=0.7)
    )
    run, summary = _run_dir(tmp_path, "run", results)
    markdown, page = write_report(summary, results, run)
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert not _REMOTE_SRC.search(text)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert text.count('src="data:image/png;base64,') == 3
    assert "## Worst items" in markdown.read_text(encoding="utf-8")
    assert {i.id for i in worst_items(results)} == {"b", "leak"}


def test_baselines_are_tabled_beside_the_configuration_with_the_gap_to_the_best(tmp_path: Path) -> None:
    def block(n: int, hit5: float | None, mrr: float | None) -> dict[str, Any]:
        return {"n_items": n, "retrieval": {"hit@5": hit5, "mrr@10": mrr}, "answers": {}, "latency": {}}

    summary = {
        **block(3, 0.9, 0.8),
        "by_language": {"en": block(2, 1.0, 0.9)},
        "by_tag": {"xi-16": block(2, 0.8, 0.7), "unanswerable": block(1, None, None)},
        "baselines": {
            "dense": {"settings": {"retrieval_mode": "dense"}, **block(3, 0.7, 0.6),
                      "by_language": {"en": block(2, 0.5, 0.5)}, "by_tag": {"xi-16": block(2, 0.8, 0.75)}},
            "bm25": {"settings": {"retrieval_mode": "lexical"}, **block(3, 0.9, 0.5),
                     "by_language": {"en": block(2, 1.0, 0.4)}, "by_tag": {"xi-16": block(2, 0.9, 0.6)}},
        },
    }  # fmt: skip
    rows = baseline_rows(summary)
    assert rows == [
        ["all", "", "3", "0.900/0.800", "0.700/0.600", "0.900/0.500", "≥ best"],
        ["language", "en", "2", "1.000/0.900", "0.500/0.500", "1.000/0.400", "≥ best"],
        ["tag", "xi-16", "2", "0.800/0.700", "0.800/0.750", "0.900/0.600", "hit@5 −0.100; MRR −0.050"],
    ]  # a group with no gold (unanswerable) has no row
    assert baseline_rows({**summary, "baselines": {}}) == []
    markdown, _ = write_report(summary, [], tmp_path)
    text = markdown.read_text(encoding="utf-8")
    assert "## Retrievers side by side" in text and "`retrieval_mode=lexical`" in text


def test_worst_items_are_failures_ranked_by_how_many_checks_failed() -> None:
    results = _hand_made()
    results[0] = replace(
        results[0],
        checks={"hit@5": False, "answered": False, "refused_correctly": True, "key_facts": False},
    )
    results[1] = replace(results[1], checks={"hit@5": False})
    worst = worst_items(results)
    assert [i.id for i in worst] == ["a", "b"]


def test_compare_lists_flips_and_tests_significance(tmp_path: Path) -> None:
    before = [
        replace(r, checks={**r.checks, "hit@5": r.id not in {"c", "e"}}) for r in _hand_made()
    ]
    previous, _ = _run_dir(tmp_path, "before", before)
    after = [
        replace(r, ranked_keys=r.relevant_keys or r.ranked_keys, checks={**r.checks, "hit@5": True})
        for r in before
    ]
    after[-1] = replace(after[-1], supported=True)
    summary = summarize(after, {"sets": ["hand.jsonl"]})
    comparison = compare_runs(summary, after, previous)
    assert comparison.changed == [
        ("c", "hit@5 gained"),
        ("e", "hit@5 gained"),
        ("no-gold", "now answered"),
    ]
    assert comparison.paired_items == 4
    assert set(comparison.significance) == {"hit@5", "mrr@10", "ndcg@10"}
    assert (comparison.previous["hit@5"], comparison.current["hit@5"]) == (0.5, 1.0)
    assert comparison.config_changes == [("support_threshold", "0.5", "–")]
    _, page = write_report(summary, after, tmp_path / "after", compare=previous)
    text = page.read_text(encoding="utf-8")
    assert "Compared with" in text and "hit@5 gained" in text


def test_compare_with_a_summary_only_folder_gives_headline_deltas(tmp_path: Path) -> None:
    results = _hand_made()
    summary = summarize(results, {})
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    comparison = compare_runs(summary, results, tmp_path)
    assert comparison.previous == comparison.current
    assert (comparison.changed, comparison.significance) == ([], {})
    assert "no items.jsonl" in comparison.significance_note


# --- the quality gate (real model, real store) -------------------------------------------


def _gate_failures(summary: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    now, then = headline(summary), headline(baseline)
    failures = []
    for metric, higher in GATED.items():
        value, reference = now[metric], then[metric]
        if reference is None:
            continue
        if value is None:
            failures.append(f"{metric} is missing (baseline {reference:.3f})")
        elif higher and value < reference - GATE_TOLERANCE:
            failures.append(f"{metric} dropped to {value:.3f} from baseline {reference:.3f}")
        elif not higher and value > reference + GATE_TOLERANCE:
            failures.append(f"{metric} rose to {value:.3f} from baseline {reference:.3f}")
    return failures


def test_gate_compares_each_metric_with_tolerance() -> None:
    baseline = {
        "retrieval": {"hit@5": 0.8, "mrr@10": 0.6},
        "answers": {"key_fact_coverage": 0.5, "false_refusal_rate": 0.1, "refusal_accuracy": None},
    }
    ok = {
        "retrieval": {"hit@5": 0.775, "mrr@10": 0.7},
        "answers": {"key_fact_coverage": 0.5, "false_refusal_rate": 0.12, "refusal_accuracy": 0.0},
    }
    assert _gate_failures(ok, baseline) == []
    worse = {
        "retrieval": {"hit@5": 0.7, "mrr@10": 0.6},
        "answers": {"key_fact_coverage": 0.5, "false_refusal_rate": 0.2},
    }
    assert _gate_failures(worse, baseline) == [
        "hit@5 dropped to 0.700 from baseline 0.800",
        "false_refusal_rate rose to 0.200 from baseline 0.100",
    ]


@pytest.mark.e2e
def test_gate_subset_holds_the_baseline(corpus_store: Settings, tmp_path: Path) -> None:
    """Eval the gate ids with the default configuration; no headline metric may drop."""
    out = tmp_path / "gate-run"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RA_")}
    env["RA_CACHE_DIR"] = str(corpus_store.cache_dir)
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable, "-m", "assistant", "eval",
            *sorted(str(p) for p in (ROOT / "evals" / "sets").glob("*.jsonl")),
            "--ids", str(BASELINE / "gate-ids.txt"),
            "--store", str(corpus_store.store_dir),
            "--out", str(out), "--baselines",
        ],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=560,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    baseline = json.loads((BASELINE / "gate-summary.json").read_text(encoding="utf-8"))
    assert summary["n_items"] == baseline["n_items"]
    print(f"gate: {summary['n_items']} items in {elapsed:.0f} s")

    failures = _gate_failures(summary, baseline)
    if failures:
        pytest.fail(
            "quality gate failed (tolerance ±0.03; report: "
            f"{out / 'report.html'}):\n  " + "\n  ".join(failures)
        )

    # The single retrievers ran on the same items, and fusion is at least as good as either.
    singles = summary["baselines"]
    assert singles["dense"]["settings"]["retrieval_mode"] == "dense"
    assert singles["bm25"]["n_items"] == summary["n_items"]
    for name, single in singles.items():
        assert summary["retrieval"]["hit@5"] >= single["retrieval"]["hit@5"], name
    assert "Retrievers side by side" in result.stdout
    assert "## Retrievers side by side" in (out / "report.md").read_text(encoding="utf-8")

    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert not _REMOTE_SRC.search(page), "report.html must be self-contained"


def test_quoted_sentence_without_markdown_emphasis_counts_as_supported() -> None:
    from assistant.evaluation.run import _sentence_supported

    passage = "- **2022:** named a World Restoration Flagship.\n- **Cost:** USD 4.3 billion a year."
    assert _sentence_supported("2022: named a World Restoration Flagship. [1]", [passage])
    assert _sentence_supported("1. Urges … Cost: USD 4.3 billion a year. [1]", ["1. Urges Parties", passage])
    assert not _sentence_supported("Cost: USD 9 billion a year. [1]", [passage])


def test_a_list_quoted_inline_counts_as_supported_but_not_a_reordered_one() -> None:
    from assistant.evaluation.run import _sentence_supported

    passage = "Six attributes:\n\n- absence of threats;\n- physical conditions;\n1) species composition."
    assert _sentence_supported(
        "Six attributes: absence of threats; physical conditions; species composition. [1]", [passage]
    )
    assert not _sentence_supported("Six attributes: physical conditions; absence of threats. [1]", [passage])


def test_key_facts_are_read_through_the_quotes_layout() -> None:
    from assistant.evaluation.run import _key_fact_coverage

    answer = (
        "The guidance [1] addresses this:\n> six key attributes:\n> - absence of threats;\n"
        "> - physical conditions. [1]"
    )
    assert _key_fact_coverage(answer, ("absence of threats; physical conditions",)) == 1.0
    assert _key_fact_coverage(answer, ("Physical  Conditions|none", "species composition")) == 0.5
    assert _key_fact_coverage(answer, ()) is None


def test_ablation_sets_each_bonus_to_zero_and_reports_its_change() -> None:
    from assistant.evaluation.ablation import ablated_weights, ablation_digest, ablation_rows

    weights = ablated_weights(Settings(language_weight=0.0, figure_bonus=0.04))
    assert weights["figure_bonus"] == 0.04 and weights["paragraph_weight"] == 1.0
    # The retrievers' own weights are what --baselines measures; a weight at 0 has nothing to remove.
    assert not {"dense_weight", "lexical_weight", "language_weight", "sentence_overlap_weight"} & set(weights)
    full = {"splits": {"dev": {"n_items": 4, "answers": {"key_fact_coverage": 0.75, "refusal_accuracy": 0.5,
                                                         "false_refusal_rate": 0.0}, "retrieval": {"hit@5": 1.0}},
                       "test": {"n_items": 2, "answers": {"key_fact_coverage": 1.0, "refusal_accuracy": None,
                                                          "false_refusal_rate": 0.0}, "retrieval": {"hit@5": 1.0}}}}
    without = json.loads(json.dumps(full))
    without["splits"]["test"]["answers"]["key_fact_coverage"] = 0.5
    digest = ablation_digest(without, full, 0.04)
    assert digest["test"]["key_fact_coverage"] == {"without": 0.5, "delta": -0.5}
    assert digest["dev"]["key_fact_coverage"]["delta"] == 0.0 and digest["test"]["n_items"] == 2
    row = ablation_rows({"ablation": {"figure_bonus": digest}})[0]
    assert row == ["figure_bonus", "0.04", "+.000/-.500", "+.000/–", "+.000/+.000", "+.000/+.000"]


@pytest.mark.e2e
def test_eval_ablate_runs_the_items_once_per_weight(corpus_store: Settings, tmp_path: Path) -> None:
    from assistant.evaluation.ablation import ablated_weights

    ids = tmp_path / "ids.txt"
    items = [json.loads(line) for line in (ROOT / "evals" / "sets" / "unanswerable.jsonl").open(encoding="utf-8")]
    items += [json.loads(line) for line in (ROOT / "evals" / "sets" / "xi16.jsonl").open(encoding="utf-8")]
    picked = [i["id"] for split in ("dev", "test") for i in [x for x in items if x["split"] == split][::20][:4]]
    ids.write_text("\n".join(picked), encoding="utf-8")
    out = tmp_path / "ablate-run"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RA_")}
    env["RA_CACHE_DIR"] = str(corpus_store.cache_dir)
    result = subprocess.run(
        [
            sys.executable, "-m", "assistant", "eval",
            *sorted(str(p) for p in (ROOT / "evals" / "sets").glob("*.jsonl")),
            "--ids", str(ids), "--store", str(corpus_store.store_dir), "--out", str(out), "--ablate",
        ],
        capture_output=True, text=True, cwd=ROOT, env={**env, "COLUMNS": "160"}, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ablation = summary["ablation"]
    assert set(ablation) == set(ablated_weights(Settings()))
    for name, digest in ablation.items():
        for split in ("dev", "test"):
            block = digest[split]
            assert block["n_items"] == summary["splits"][split]["n_items"], name
            full = summary["splits"][split]["answers"]["key_fact_coverage"]
            assert block["key_fact_coverage"]["delta"] == pytest.approx(block["key_fact_coverage"]["without"] - full)
    assert "Each weight set to 0" in result.stdout
    assert "## What each weight earns" in (out / "report.md").read_text(encoding="utf-8")
