"""Run eval sets through the real pipeline and measure retrieval and answers.

Ranking metrics come from ranx. A retrieved chunk is relevant when its document and
paragraph (or locator) match a gold entry; translations of the same paragraph count
as one relevance unit, since the retriever deliberately keeps only one of them.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.sentence_vectors import MARKUP

__all__ = [
    "BASELINES",
    "EvalItem",
    "EvalRunError",
    "EvalSetError",
    "ItemResult",
    "SetProblem",
    "check_sets",
    "compile_metrics",
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
    for where, parsed in _scan(paths):
        if isinstance(parsed, str):
            raise EvalSetError(f"{where}: {parsed}")
        items.append(parsed)
    return items


@dataclass(frozen=True)
class SetProblem:
    """One problem found in an eval set, at ``file:line``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_sets(paths: Iterable[Path], store: Any | None = None) -> list[SetProblem]:
    """Find every format problem in the sets and, given a store, every gold reference it lacks.

    A gold entry must name a ``doc_id`` in the store; a ``paragraph`` or ``locator`` it
    names must belong to a chunk of that document.
    """
    docs: set[str] = set()
    places: set[tuple[str, str, str]] = set()
    for page in store.iter_records(include=["metadatas"]) if store is not None else ():
        for meta in page["metadatas"]:
            doc_id = str(meta.get("doc_id", ""))
            docs.add(doc_id)
            places.add((doc_id, "paragraph", str(meta.get("paragraph", ""))))
            places.add((doc_id, "locator", str(meta.get("locator", ""))))
    problems: list[SetProblem] = []
    for where, parsed in _scan(paths):
        if isinstance(parsed, str):
            problems.append(SetProblem(where, parsed))
        elif store is not None:
            problems.extend(SetProblem(where, m) for m in _missing_gold(parsed, docs, places))
    return problems


def _missing_gold(
    item: EvalItem, docs: set[str], places: set[tuple[str, str, str]]
) -> Iterator[str]:
    for entry in item.gold:
        doc_id = entry["doc_id"]
        if doc_id not in docs:
            yield f"item '{item.id}': gold doc_id '{doc_id}' is not in the store"
            continue
        for key in ("paragraph", "locator"):
            if key in entry and (doc_id, key, entry[key]) not in places:
                yield f"item '{item.id}': no chunk of '{doc_id}' has {key} '{entry[key]}'"


def _scan(paths: Iterable[Path]) -> Iterator[tuple[str, EvalItem | str]]:
    """Yield ``(file:line, item)`` for good lines and ``(file:line, problem)`` for bad ones."""
    seen: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            yield str(path), f"cannot read ({getattr(e, 'strerror', None) or e})"
            continue
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            parsed = _parse_item(line)
            if isinstance(parsed, EvalItem):
                if parsed.id in seen:
                    parsed = f"duplicate id '{parsed.id}'"
                else:
                    seen.add(parsed.id)
            yield where, parsed


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _parse_item(line: str) -> EvalItem | str:
    """Parse one JSON line into an item, or return what is wrong with it."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        return f"not valid JSON ({e.msg} at column {e.colno})"
    if not isinstance(data, dict) or not data.get("id") or not data.get("question"):
        return "each item needs an 'id' and a 'question'"
    gold = data.get("gold", [])
    if not isinstance(gold, list) or not all(
        isinstance(g, dict) and isinstance(g.get("doc_id"), str) and g["doc_id"] for g in gold
    ):
        return "'gold' must be a list of {'doc_id', ...} objects"
    for key in ("key_facts", "tags"):
        if not _is_str_list(data.get(key, [])):
            return f"'{key}' must be a list of strings"
    if not isinstance(data.get("answerable", True), bool):
        return "'answerable' must be true or false"
    return EvalItem(
        id=str(data["id"]),
        question=str(data["question"]),
        language=str(data.get("language", "en")),
        answerable=data.get("answerable", True),
        gold=tuple({k: str(v) for k, v in g.items()} for g in gold),
        key_facts=tuple(data.get("key_facts", [])),
        tags=tuple(data.get("tags", [])),
    )


def read_ids(path: Path) -> list[str]:
    """Read item ids, one a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalSetError(f"{path}: cannot read ({e.strerror or e})") from e
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def select_items(
    items: list[EvalItem], ids: list[str] | None = None, limit: int | None = None
) -> list[EvalItem]:
    """Keep the items named in ``ids`` (in set order), then the first ``limit`` of them.

    Raises:
        EvalSetError: an id names no item of the sets.

    """
    if ids is not None:
        known = {item.id for item in items}
        missing = [i for i in ids if i not in known]
        if missing:
            raise EvalSetError(f"ids not found in the eval sets: {', '.join(missing)}")
        wanted = set(ids)
        items = [item for item in items if item.id in wanted]
    return items[:limit] if limit is not None else items


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
        _unit(g["doc_id"], g.get("paragraph") or g.get("locator") or "*", originals)
        for g in item.gold
    }


def _ranked_units(
    retrieved: list[dict[str, Any]], gold: set[str], originals: dict[str, str]
) -> list[str]:
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
    # Whitespace, Markdown emphasis and list markers do not change what a passage says
    # (the composer quotes "**2022:** launch" as "2022: launch", and a list inline).
    return re.sub(r"\s+", "", MARKUP.sub("", text)).casefold()


def _sentence_supported(sentence: str, passages: list[str]) -> bool:
    """Each quoted fragment of the sentence (split at ' … ') appears in a cited passage."""
    body = _squash(" ".join(passages))
    fragments = [f.strip(" .。;；,，:：") for f in _MARKER.sub("", sentence).split("…")]
    return all(_squash(f) in body for f in fragments if f)


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
    sentences = answer.get("sentences") or []
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
        },
        "latency": {"p50_ms": pct(0.5), "p95_ms": pct(0.95)},
    }


def summarize(results: list[ItemResult], config: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics plus breakdowns by language and by tag."""
    summary = _block(results)
    languages = sorted({r.language for r in results})
    tags = sorted({t for r in results for t in r.tags})
    summary["by_language"] = {
        lang: _block([r for r in results if r.language == lang]) for lang in languages
    }
    summary["by_tag"] = {tag: _block([r for r in results if tag in r.tags]) for tag in tags}
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
    from assistant.embeddings import model_id

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
