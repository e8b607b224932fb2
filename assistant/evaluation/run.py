"""Run eval sets through the real pipeline and measure retrieval and answers.

Ranking metrics come from ranx. A retrieved chunk is relevant when its document and
paragraph, locator or page match a gold entry; translations of the same paragraph count
as one relevance unit, since the retriever deliberately keeps only one of them.
Conversations are asked turn by turn with the chat's history
(:mod:`assistant.evaluation.conversations`), and every answer's languages are checked
(:mod:`assistant.evaluation.checks`). Every figure is also given per split (``dev``, ``test``)
and per set, so a change is judged on ``test``.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.evaluation.checks import (
    DocIndex,
    answer_language_check,
    doc_index,
    refusal_by_type,
    sentence_quotes_passages,
)
from assistant.evaluation.conversations import chat_memory, conversation_summary, run_conversation
from assistant.evaluation.items import (
    SPLITS,
    EvalItem,
    EvalSetError,
    SetProblem,
    check_sets,
    count_questions,
    load_items,
    read_ids,
    select_items,
)
from assistant.evaluation.llm import llm_facts, llm_summary

__all__ = [
    "BASELINES",
    "EvalItem",
    "EvalRunError",
    "EvalSetError",
    "ItemResult",
    "SetProblem",
    "check_sets",
    "compile_metrics",
    "count_questions",
    "load_items",
    "ranx_qrels_and_run",
    "read_ids",
    "read_run",
    "retrieval_digest",
    "run_config",
    "run_eval",
    "select_items",
    "summarize",
    "write_results",
]

RANKING_DEPTH = 10
_MARKER = re.compile(r"\[(\d+)\]")
# Kept under its old name: the tests and the report read quoted sentences with it.
_sentence_supported = sentence_quotes_passages


@dataclass
class ItemResult:
    """Everything measured for one item."""

    id: str
    question: str
    language: str
    detected_language: str
    tags: list[str]
    answerable: bool
    answer: str
    supported: bool
    support: float
    citations: list[dict[str, Any]]
    retrieved: list[dict[str, Any]]
    relevant_keys: list[str]
    ranked_keys: list[str]
    metrics: dict[str, float | None] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    latency_ms: float = 0.0
    set_name: str = ""
    split: str = ""
    adversarial_type: str = ""
    # for a turn of a conversation: the conversation's id and the turn's number (from 1)
    conversation: str = ""
    turn: int = 0
    language_check: dict[str, Any] = field(default_factory=dict)
    # how the question was read: the earlier turns it came with, and the query searched
    condensation: dict[str, Any] = field(default_factory=dict)
    # what the language model did for this answer (assistant.evaluation.llm); empty without one
    llm: dict[str, Any] = field(default_factory=dict)


def _unit(doc_id: str, where: str, originals: dict[str, str]) -> str:
    return f"{originals.get(doc_id) or doc_id}|{where}"


def _gold_units(item: EvalItem, originals: dict[str, str]) -> set[str]:
    return {_unit(g["doc_id"], _gold_place(g), originals) for g in item.gold}


def _gold_place(entry: dict[str, str]) -> str:
    if entry.get("paragraph") or entry.get("locator"):
        return entry.get("paragraph") or entry["locator"]
    return f"page {entry['page']}" if entry.get("page") else "*"


def _ranked_units(
    retrieved: list[dict[str, Any]], gold: set[str], docs: DocIndex
) -> list[str]:
    """Map retrieved chunks to relevance units, first occurrence only."""
    units: list[str] = []
    for r in retrieved:
        doc = docs.originals.get(r["doc_id"]) or r["doc_id"]
        page = r.get("page") or docs.pages.get(r["chunk_id"])
        candidates = [f"{doc}|{r.get('paragraph')}", f"{doc}|{r.get('locator')}", f"{doc}|*"]
        if page:
            candidates.insert(2, f"{doc}|page {page}")
        unit = next((c for c in candidates if c in gold), f"{r['chunk_id']}|other")
        if unit not in units:
            units.append(unit)
    return units


def _key_fact_coverage(answer: str, facts: tuple[str, ...]) -> float | None:
    if not facts:
        return None
    text = answer.casefold()
    found = sum(any(alt.strip().casefold() in text for alt in fact.split("|")) for fact in facts)
    return found / len(facts)


def _answer_checks(
    answer: dict[str, Any], retrieved_ids: set[str]
) -> tuple[float | None, float | None]:
    """Citation validity and supported-sentence rate of one answer."""
    if not answer["supported"]:
        return None, None
    by_n = {c["n"]: c for c in answer["citations"]}
    markers = [int(m) for m in _MARKER.findall(answer["answer"])]
    valid = [n in by_n and by_n[n]["chunk_id"] in retrieved_ids for n in markers]
    validity = sum(valid) / len(valid) if valid else 0.0
    # A frame ("Decision XI/16, para. 1(g), addresses this:") names a source; it quotes nothing.
    sentences = [s for s in answer.get("sentences") or [] if not s.get("frame")]
    supported = []
    for sentence in sentences:
        cited = [by_n[n] for n in sentence.get("citations", []) if n in by_n]
        passages = [c["text"] + " " + c.get("context", "") for c in cited]
        supported.append(
            bool(cited)
            and sentence.get("supported", True)
            and _sentence_supported(sentence["text"], passages)
        )
    rate = sum(supported) / len(supported) if supported else 0.0
    return validity, rate


def run_eval(
    assistant: Any,
    items: list[EvalItem],
    *,
    on_item: Callable[[ItemResult, int, int], None] | None = None,
) -> list[ItemResult]:
    """Answer every item through the real pipeline and measure it.

    A conversation gives one result per turn, each asked with the earlier turns as
    history; ``on_item`` counts questions (turns included), not items.
    """
    docs = doc_index(assistant.store)
    total = count_questions(items)
    results: list[ItemResult] = []

    def measure(item: EvalItem, history: tuple[Any, ...] = ()) -> tuple[ItemResult, Any]:
        result, answer = _measure(assistant, item, docs, history)
        results.append(result)
        if on_item:
            on_item(result, len(results), total)
        return result, answer

    memory = chat_memory(assistant.settings) if hasattr(assistant, "settings") else None
    for item in items:
        if item.turns:
            for _ in run_conversation(item, measure, memory):
                pass
        else:
            measure(item)
    return results


def _measure(
    assistant: Any, item: EvalItem, docs: DocIndex, history: tuple[Any, ...]
) -> tuple[ItemResult, Any]:
    """Ask one question (with the conversation so far) and score its answer."""
    # Only a conversation's later turns pass history: a stand-in assistant need not take it.
    extra = {"history": history} if history else {}
    answer = assistant.ask(item.question, ranking_depth=RANKING_DEPTH, **extra)
    data = answer.to_dict()
    retrieved = data["trace"]["retrieved"]
    gold = _gold_units(item, docs.originals)
    ranked = _ranked_units(retrieved, gold, docs)
    used_ids = {r["chunk_id"] for r in retrieved if r.get("used")}
    validity, supported_rate = _answer_checks(data, used_ids)
    coverage = _key_fact_coverage(data["answer"], item.key_facts) if item.answerable else None
    language = answer_language_check(item.language, data, docs)
    result = ItemResult(
        id=item.id,
        question=item.question,
        language=item.language,
        detected_language=answer.language,
        tags=list(item.tags),
        answerable=item.answerable,
        answer=data["answer"],
        supported=answer.supported,
        support=float(data["trace"].get("support", 0.0)),
        citations=data["citations"] or data["related"],
        retrieved=retrieved,
        relevant_keys=sorted(gold),
        ranked_keys=ranked,
        latency_ms=float(data["trace"]["timings_ms"]["total"]),
        set_name=item.set_name,
        split=item.split,
        adversarial_type=item.adversarial_type,
        language_check=language,
        condensation={
            "history": [t.question for t in history],
            "follow_up": bool(data["trace"].get("follow_up", False)),
            "condensed_query": str(data["trace"].get("condensed_query", item.question)),
        },
        llm=llm_facts(data["trace"]),
    )
    result.metrics = {
        "key_fact_coverage": coverage,
        "citation_validity": validity,
        "supported_sentence_rate": supported_rate,
    }
    result.checks = {
        "refused_correctly": (not answer.supported) if not item.answerable else True,
        "answered": answer.supported if item.answerable else True,
        "hit@5": any(u in gold for u in ranked[:5]) if gold else True,
        "key_facts": coverage is None or coverage >= 0.5,
        "answer_language": bool(language["passed"]),
    }
    return result, answer


def ranx_qrels_and_run(
    results: Sequence[ItemResult], name: str | None = None
) -> tuple[Any, Any]:
    """Build ranx ``Qrels`` and ``Run`` from the items that have gold references.

    Each ranked relevance unit scores ``1/rank`` so ranx keeps our order; an item that
    retrieved nothing gets a placeholder so it still counts (as a miss).
    """
    from ranx import Qrels, Run

    scored = [r for r in results if r.relevant_keys]
    qrels = Qrels({r.id: {_fixed_width(k): 1 for k in r.relevant_keys} for r in scored})
    run_dict = {}
    for r in scored:
        ranked = r.ranked_keys[:RANKING_DEPTH]
        ranking = {_fixed_width(key): 1.0 / rank for rank, key in enumerate(ranked, start=1)}
        run_dict[r.id] = ranking or {_fixed_width("__none__"): 0.0}
    return qrels, Run(run_dict, name=name)


def _fixed_width(key: str) -> str:
    """Return a relevance unit's key as 16 hex digits, the same for the same key in every call.

    ranx stores document keys as NumPy strings as wide as the longest one, and numba
    compiles its helpers anew for every width: with our keys' varying lengths the test
    suite in a fresh environment ran about eight minutes longer than in a warm one. At one
    width they compile once (``compile_metrics``) and stay cached.
    """
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


RANX_METRICS = {
    "hit@1": "hit_rate@1",
    "hit@5": "hit_rate@5",
    "mrr@10": "mrr@10",
    "ndcg@10": "ndcg@10",
    "recall@5": "recall@5",
}


def _ranking_metrics(results: list[ItemResult]) -> dict[str, float | None]:
    from ranx import evaluate

    if not any(r.relevant_keys for r in results):
        return dict.fromkeys(RANX_METRICS)
    qrels, run = ranx_qrels_and_run(results)
    values = evaluate(qrels, run, list(RANX_METRICS.values()), make_comparable=True)
    return {ours: round(float(values[theirs]), 4) for ours, theirs in RANX_METRICS.items()}


def compile_metrics() -> None:
    """Compile ranx's metrics once, on two made-up items, through the path evals take.

    ranx compiles them with numba on first use and caches the result beside the
    package; ``make setup`` calls this so a new environment's first eval does not stall
    for about a minute after its last item.
    """
    import warnings

    from ranx import compare

    def item(item_id: str, ranked: list[str]) -> ItemResult:
        return ItemResult(item_id, "", "en", "en", [], True, "", True, 1.0, [], [], ["x"], ranked)

    one = [item("a", ["x", "z"]), item("b", ["z"])]
    two = [item("a", ["z"]), item("b", ["x"])]
    with warnings.catch_warnings():  # numba's notes on its own casts, while compiling
        warnings.simplefilter("ignore")
        _ranking_metrics(one)
        qrels, run_one = ranx_qrels_and_run(one, name="one")
        _, run_two = ranx_qrels_and_run(two, name="two")
        compare(qrels, [run_one, run_two], metrics=list(RANX_METRICS.values()), make_comparable=True)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 4) if present else None


def _block(results: list[ItemResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = sorted(r.latency_ms for r in results)

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(round(p * (len(latencies) - 1))))], 1)

    return {
        "n_items": len(results),
        "retrieval": _ranking_metrics(results),
        "answers": {
            "key_fact_coverage": _mean(r.metrics["key_fact_coverage"] for r in answerable),
            "citation_validity": _mean(r.metrics["citation_validity"] for r in results),
            "supported_sentence_rate": _mean(r.metrics["supported_sentence_rate"] for r in results),
            "refusal_accuracy": _mean(float(not r.supported) for r in unanswerable),
            "false_refusal_rate": _mean(float(not r.supported) for r in answerable),
            "answer_language": _mean(_as_float(r.checks.get("answer_language")) for r in results),
        },
        "latency": {"p50_ms": pct(0.5), "p95_ms": pct(0.95)},
    }


def _as_float(value: bool | None) -> float | None:
    return None if value is None else float(value)


def _by_language(results: list[ItemResult]) -> dict[str, Any]:
    languages = sorted({r.language for r in results})
    return {lang: _block([r for r in results if r.language == lang]) for lang in languages}


def summarize(results: list[ItemResult], config: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics with breakdowns by language, tag, split and set.

    ``splits`` holds ``dev`` and ``test`` (each with its own ``by_language``): a change
    is judged on ``test``. ``by_set`` gives each set (file stem) overall and per split;
    ``refusal_by_type`` the refusals per adversarial type; ``conversations`` the
    per-turn figures of conversation items.
    """
    summary = _block(results)
    tags = sorted({t for r in results for t in r.tags})
    summary["by_language"] = _by_language(results)
    summary["by_tag"] = {tag: _block([r for r in results if tag in r.tags]) for tag in tags}
    summary["splits"] = {}
    for split in SPLITS:
        part = [r for r in results if r.split == split]
        summary["splits"][split] = {**_block(part), "by_language": _by_language(part)}
    summary["by_set"] = {}
    for name in dict.fromkeys(r.set_name for r in results if r.set_name):
        in_set = [r for r in results if r.set_name == name]
        summary["by_set"][name] = {"all": _block(in_set)} | {
            split: _block([r for r in in_set if r.split == split]) for split in SPLITS
        }
    summary["refusal_by_type"] = refusal_by_type(results)
    summary["conversations"] = conversation_summary(results, _block)
    if (llm := llm_summary([r.llm for r in results])) is not None:
        summary["llm"] = llm
        summary["llm_by_split"] = {
            split: llm_summary([r.llm for r in results if r.split == split]) for split in SPLITS
        }
    summary["config"] = config
    return summary


# The single retrievers an eval can measure beside the configuration (``--baselines``):
# the dense ranking alone (without its cross-lingual second reading) and BM25 alone.
# Every other retrieval setting is the configuration's own, so the comparison isolates
# fusion; answers are extractive, since only a baseline's ranking metrics are kept (an
# LLM would be called twice more for nothing).
BASELINES: dict[str, dict[str, Any]] = {
    "dense": {"retrieval_mode": "dense", "crosslingual_weight": 0.0, "answer_mode": "extractive"},
    "bm25": {"retrieval_mode": "lexical", "answer_mode": "extractive"},
}


def retrieval_digest(summary: dict[str, Any]) -> dict[str, Any]:
    """Return a summary's ranking metrics, overall and by language and tag (a baseline's record)."""

    def block(b: dict[str, Any]) -> dict[str, Any]:
        return {"n_items": b.get("n_items"), "retrieval": b.get("retrieval", {})}

    return {
        **block(summary),
        "by_language": {k: block(v) for k, v in summary.get("by_language", {}).items()},
        "by_tag": {k: block(v) for k, v in summary.get("by_tag", {}).items()},
        "splits": {k: block(v) for k, v in summary.get("splits", {}).items()},
        "by_set": {
            name: {k: block(v) for k, v in parts.items()}
            for name, parts in summary.get("by_set", {}).items()
        },
    }


def write_results(results: list[ItemResult], summary: dict[str, Any], out: Path) -> None:
    """Write ``items.jsonl`` and ``summary.json`` to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "items.jsonl").open("w", encoding="utf-8") as handle:
        for r in results:
            handle.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )


class EvalRunError(AssistantError):
    """A previous run folder is missing or unreadable."""


def read_run(
    run_dir: Path, *, require_items: bool = True
) -> tuple[dict[str, Any], list[ItemResult]]:
    """Read ``summary.json`` and ``items.jsonl`` written by :func:`write_results`.

    With ``require_items=False`` a folder holding only ``summary.json`` (such as
    ``evals/baseline``) reads as a run with no item results.
    """
    items_path = run_dir / "items.jsonl"
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        if not require_items and not items_path.exists():
            return summary, []
        lines = items_path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalRunError(
            f"{run_dir} is not an eval run folder (needs summary.json and items.jsonl): "
            f"{e.strerror or e}"
        ) from e
    except json.JSONDecodeError as e:
        raise EvalRunError(f"{run_dir}/summary.json is not valid JSON ({e.msg})") from e
    names = {f.name for f in fields(ItemResult)}
    results: list[ItemResult] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            results.append(ItemResult(**{k: v for k, v in data.items() if k in names}))
        except (json.JSONDecodeError, TypeError) as e:
            raise EvalRunError(f"{run_dir}/items.jsonl:{number}: not an item result ({e})") from e
    return summary, results


def run_config(assistant: Any, set_paths: Sequence[Path], **extra: Any) -> dict[str, Any]:
    """Describe what a run measured: settings, model, corpus and sets (for ``summary.json``)."""
    from assistant.store.embeddings import model_id

    settings = assistant.settings
    fingerprint = settings.quality_fingerprint()
    return {
        "settings": fingerprint,
        "embedding_model": model_id(settings.embedding_model),
        "corpus_fingerprint": assistant.store.fingerprint(),
        "sets": [p.name for p in set_paths],
        # the threshold in force (the fingerprint resolves a calibrated default)
        "support_threshold": fingerprint.get("support_threshold"),
        "ranking_depth": RANKING_DEPTH,
        **extra,
    }
