"""An eval run's item results, and the run folder they are written to and read from.

Apart from the harness so the reports, the comparison and the UI read a finished run
(``items.jsonl``, ``summary.json``) without importing what runs one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError

__all__ = ["EvalRunError", "ItemResult", "read_run", "write_results"]


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
