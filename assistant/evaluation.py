"""Run eval sets through the real pipeline and measure retrieval and answers.

Ranking metrics come from ranx. A retrieved chunk is relevant when its document and
paragraph (or locator) match a gold entry; translations of the same paragraph count
as one relevance unit, since the retriever deliberately keeps only one of them.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

__all__ = [
    "EvalItem",
    "ItemResult",
    "load_items",
    "run_eval",
    "summarize",
]

RANKING_DEPTH = 10
_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class EvalItem:
    """One eval question with its gold references and key facts (see DESIGN.md)."""

    id: str
    question: str
    language: str = "en"
    answerable: bool = True
    gold: tuple[dict[str, str], ...] = ()
    key_facts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


class EvalSetError(AssistantError):
    """An eval set line is malformed."""


def load_items(paths: Iterable[Path]) -> list[EvalItem]:
    """Read JSON Lines eval sets; raises :class:`EvalSetError` naming file and line."""
    items: list[EvalItem] = []
    seen: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise EvalSetError(f"{path}: cannot read ({e.strerror or e})") from e
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                raise EvalSetError(f"{where}: not valid JSON ({e.msg})") from e
            if not isinstance(data, dict) or not data.get("id") or not data.get("question"):
                raise EvalSetError(f"{where}: each item needs an 'id' and a 'question'")
            if data["id"] in seen:
                raise EvalSetError(f"{where}: duplicate id '{data['id']}'")
            seen.add(data["id"])
            gold = data.get("gold", [])
            if not isinstance(gold, list) or not all(isinstance(g, dict) and g.get("doc_id") for g in gold):
                raise EvalSetError(f"{where}: 'gold' must be a list of {{'doc_id', ...}} objects")
            items.append(
                EvalItem(
                    id=str(data["id"]),
                    question=str(data["question"]),
                    language=str(data.get("language", "en")),
                    answerable=bool(data.get("answerable", True)),
                    gold=tuple({k: str(v) for k, v in g.items()} for g in gold),
                    key_facts=tuple(str(f) for f in data.get("key_facts", [])),
                    tags=tuple(str(t) for t in data.get("tags", [])),
                )
            )
    return items


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


def _unit(doc_id: str, where: str, originals: dict[str, str]) -> str:
    return f"{originals.get(doc_id) or doc_id}|{where}"


def _gold_units(item: EvalItem, originals: dict[str, str]) -> set[str]:
    return {
        _unit(g["doc_id"], g.get("paragraph") or g.get("locator") or "*", originals) for g in item.gold
    }


def _ranked_units(retrieved: list[dict[str, Any]], gold: set[str], originals: dict[str, str]) -> list[str]:
    """Map retrieved chunks to relevance units, first occurrence only."""
    units: list[str] = []
    for r in retrieved:
        doc = originals.get(r["doc_id"]) or r["doc_id"]
        candidates = [f"{doc}|{r.get('paragraph')}", f"{doc}|{r.get('locator')}", f"{doc}|*"]
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


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _sentence_supported(sentence: str, passages: list[str]) -> bool:
    """Each quoted fragment of the sentence (split at ' … ') appears in a cited passage."""
    body = _squash(" ".join(passages))
    fragments = [f.strip(" .。;；,，:：") for f in _MARKER.sub("", sentence).split("…")]
    return all(_squash(f) in body for f in fragments if f)


def _answer_checks(answer: dict[str, Any], retrieved_ids: set[str]) -> tuple[float | None, float | None]:
    """Citation validity and supported-sentence rate of one answer."""
    if not answer["supported"]:
        return None, None
    by_n = {c["n"]: c for c in answer["citations"]}
    markers = [int(m) for m in _MARKER.findall(answer["answer"])]
    valid = [n in by_n and by_n[n]["chunk_id"] in retrieved_ids for n in markers]
    validity = sum(valid) / len(valid) if valid else 0.0
    sentences = answer.get("sentences") or []
    supported = []
    for sentence in sentences:
        cited = [by_n[n] for n in sentence.get("citations", []) if n in by_n]
        passages = [c["text"] + " " + c.get("context", "") for c in cited]
        supported.append(bool(cited) and sentence.get("supported", True) and _sentence_supported(sentence["text"], passages))
    rate = sum(supported) / len(supported) if supported else 0.0
    return validity, rate


def run_eval(
    assistant: Any,
    items: list[EvalItem],
    *,
    on_item: Callable[[ItemResult, int, int], None] | None = None,
) -> list[ItemResult]:
    """Answer every item through the real pipeline and measure it."""
    originals = _translation_map(assistant)
    results: list[ItemResult] = []
    for done, item in enumerate(items, start=1):
        answer = assistant.ask(item.question, ranking_depth=RANKING_DEPTH)
        data = answer.to_dict()
        retrieved = data["trace"]["retrieved"]
        gold = _gold_units(item, originals)
        ranked = _ranked_units(retrieved, gold, originals)
        used_ids = {r["chunk_id"] for r in retrieved if r.get("used")}
        validity, supported_rate = _answer_checks(data, used_ids)
        coverage = _key_fact_coverage(data["answer"], item.key_facts) if item.answerable else None
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
        }
        results.append(result)
        if on_item:
            on_item(result, done, len(items))
    return results


def _translation_map(assistant: Any) -> dict[str, str]:
    originals: dict[str, str] = {}
    for page in assistant.store.iter_records(include=["metadatas"]):
        for meta in page["metadatas"]:
            if meta.get("translation_of"):
                originals[str(meta["doc_id"])] = str(meta["translation_of"])
    return originals


def _ranking_metrics(results: list[ItemResult]) -> dict[str, float | None]:
    from ranx import Qrels, Run, evaluate

    scored = [r for r in results if r.relevant_keys]
    if not scored:
        return dict.fromkeys(("hit@1", "hit@5", "mrr@10", "ndcg@10", "recall@5"))
    qrels = Qrels({r.id: dict.fromkeys(r.relevant_keys, 1) for r in scored})
    run_dict = {}
    for r in scored:
        ranking = {key: 1.0 / rank for rank, key in enumerate(r.ranked_keys[:RANKING_DEPTH], start=1)}
        run_dict[r.id] = ranking or {"__none__": 0.0}
    run = Run(run_dict)
    names = {"hit@1": "hit_rate@1", "hit@5": "hit_rate@5", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10", "recall@5": "recall@5"}
    values = evaluate(qrels, run, list(names.values()), make_comparable=True)
    return {ours: round(float(values[theirs]), 4) for ours, theirs in names.items()}


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
        },
        "latency": {"p50_ms": pct(0.5), "p95_ms": pct(0.95)},
    }


def summarize(results: list[ItemResult], config: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics plus breakdowns by language and by tag."""
    summary = _block(results)
    languages = sorted({r.language for r in results})
    tags = sorted({t for r in results for t in r.tags})
    summary["by_language"] = {lang: _block([r for r in results if r.language == lang]) for lang in languages}
    summary["by_tag"] = {tag: _block([r for r in results if tag in r.tags]) for tag in tags}
    summary["config"] = config
    return summary


def write_results(results: list[ItemResult], summary: dict[str, Any], out: Path) -> None:
    """Write ``items.jsonl`` and ``summary.json`` to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "items.jsonl").open("w", encoding="utf-8") as handle:
        for r in results:
            handle.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
