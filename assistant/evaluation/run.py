"""Run eval sets through the real pipeline and measure retrieval and answers.

Ranking metrics come from ranx. A retrieved chunk is relevant when its document and
paragraph, locator or page match a gold entry; translations of the same paragraph count
as one relevance unit, since the retriever deliberately keeps only one of them.
Conversations are asked turn by turn with the chat's history
(:mod:`assistant.evaluation.conversations`), and every answer's languages are checked
(:mod:`assistant.evaluation.checks`). Every figure is also given per split (``dev``, ``test``)
and per set, so a change is judged on ``test``.

The item results and run folders live in :mod:`assistant.evaluation.results`, the
figures in :mod:`assistant.evaluation.metrics`; their public names are importable from
here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.checks import (
    DocIndex,
    answer_language_check,
    doc_index,
    sentence_quotes_passages,
)
from assistant.evaluation.conversations import chat_memory, run_conversation
from assistant.evaluation.items import (
    EvalItem,
    EvalSetError,
    SetProblem,
    check_sets,
    count_questions,
    load_items,
    read_ids,
    select_items,
)
from assistant.evaluation.llm import llm_facts
from assistant.evaluation.metrics import (
    RANKING_DEPTH,
    compile_metrics,
    ranx_qrels_and_run,
    retrieval_digest,
    summarize,
)
from assistant.evaluation.results import EvalRunError, ItemResult, read_run, write_results

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

_MARKER = re.compile(r"\[(\d+)\]")
# Kept under its old name: the tests and the report read quoted sentences with it.
_sentence_supported = sentence_quotes_passages


def _unit(doc_id: str, where: str, originals: dict[str, str]) -> str:
    return f"{originals.get(doc_id) or doc_id}|{where}"


def _gold_units(item: EvalItem, originals: dict[str, str]) -> set[str]:
    return {_unit(g["doc_id"], _gold_place(g), originals) for g in item.gold}


def _gold_place(entry: dict[str, str]) -> str:
    if entry.get("paragraph") or entry.get("locator"):
        return entry.get("paragraph") or entry["locator"]
    return f"page {entry['page']}" if entry.get("page") else "*"


def _ranked_units(retrieved: list[dict[str, Any]], gold: set[str], docs: DocIndex) -> list[str]:
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
    """Share of ``facts`` the answer states (any ``|`` alternative, case and spacing aside).

    The quote's Markdown (a "> " at each line, a list item's "- ") is layout, not words:
    a fact spanning two items of a quoted list is still stated.
    """
    if not facts:
        return None
    text = _plain(answer)
    found = sum(any(_plain(alt) in text for alt in fact.split("|")) for fact in facts)
    return found / len(facts)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", _QUOTE_LAYOUT.sub(" ", text)).strip().casefold()


_QUOTE_LAYOUT = re.compile(r"^[ \t]*>[ \t]?(?:[-*+][ \t]+)?", re.MULTILINE)


def _gold_document_cited(item: EvalItem, answer: dict[str, Any], docs: DocIndex) -> float | None:
    """1.0 when the answer cites a gold document (or a translation of one), else 0.0.

    A conversation's turn is answered from the right document or not, whatever the
    paragraph: the per-turn view of "did the chat stay on (or move to) the right text".
    """
    gold = {docs.originals.get(g["doc_id"]) or g["doc_id"] for g in item.gold}
    if not gold:
        return None
    cited = {docs.originals.get(c.get("doc_id", "")) or c.get("doc_id", "") for c in answer["citations"]}
    return float(bool(gold & cited))


def _first_citation_gold(answer: dict[str, Any], gold: set[str], docs: DocIndex) -> float | None:
    """1.0 when an answer's first quoted passage is a gold unit, else 0.0 (``None``: refused or no gold).

    Key facts do not care in which order passages are quoted; a reader does: the first
    quote is the one read, and it should be the passage that answers.
    """
    if not answer["supported"] or not gold or not answer["citations"]:
        return None
    first = answer["citations"][0]["chunk_id"]
    entry = next((r for r in answer["trace"]["retrieved"] if r["chunk_id"] == first), None)
    return None if entry is None else float(_ranked_units([entry], gold, docs)[0] in gold)


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
        "gold_document_cited": _gold_document_cited(item, data, docs) if item.answerable else None,
        "first_citation_gold": _first_citation_gold(data, gold, docs) if item.answerable else None,
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


# The single retrievers an eval can measure beside the configuration (``--baselines``):
# the dense ranking alone (without its cross-lingual second reading) and BM25 alone.
# Every other retrieval setting is the configuration's own, so the comparison isolates
# fusion; answers are extractive, since only a baseline's ranking metrics are kept (an
# LLM would be called twice more for nothing).
BASELINES: dict[str, dict[str, Any]] = {
    "dense": {"retrieval_mode": "dense", "crosslingual_weight": 0.0, "answer_mode": "extractive"},
    "bm25": {"retrieval_mode": "lexical", "answer_mode": "extractive"},
}


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
