"""Tables of an eval summary beside the headline, for the terminal and both reports.

Dev and test per set and per language, the answer-language check, refusals by
adversarial type, and conversations per turn.

Each function returns ``(header, rows)`` of display strings, so the terminal (rich),
``report.md`` and ``report.html`` show the same figures.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "SPLIT_COLUMNS",
    "conversation_table",
    "language_split_table",
    "language_check_table",
    "refusal_type_table",
    "sections",
    "set_split_table",
]

# (column, summary section, key): the headline of a set and split
SPLIT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("hit@5", "retrieval", "hit@5"),
    ("MRR@10", "retrieval", "mrr@10"),
    ("key facts", "answers", "key_fact_coverage"),
    ("refusal acc.", "answers", "refusal_accuracy"),
    ("false refusals", "answers", "false_refusal_rate"),
    ("answer language", "answers", "answer_language"),
)
Table = tuple[list[str], list[list[str]]]


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.3f}"


def _cells(block: dict[str, Any] | None) -> list[str]:
    block = block or {}
    values = [_fmt(block.get(section, {}).get(key)) for _, section, key in SPLIT_COLUMNS]
    return [str(block.get("n_items", 0)), *values]


def set_split_table(summary: dict[str, Any]) -> Table:
    """Dev and test side by side for each set (file stem), then for all sets together."""
    header = ["set", "split", "n", *(c for c, _, _ in SPLIT_COLUMNS)]
    rows: list[list[str]] = []
    for name, parts in (summary.get("by_set") or {}).items():
        for split in ("dev", "test"):
            if (parts.get(split) or {}).get("n_items"):
                rows.append([name, split, *_cells(parts[split])])
    for split, block in (summary.get("splits") or {}).items():
        if block.get("n_items"):
            rows.append(["all sets", split, *_cells(block)])
    unsplit = summary.get("n_items", 0) - sum(
        b.get("n_items", 0) for b in (summary.get("splits") or {}).values()
    )
    if unsplit > 0:
        rows.append(["all sets", "all", *_cells(summary)])
    return header, rows


def language_split_table(summary: dict[str, Any]) -> Table:
    """Dev and test side by side for each question language."""
    header = ["language", "split", "n", *(c for c, _, _ in SPLIT_COLUMNS)]
    splits = summary.get("splits") or {}
    languages = sorted({lang for block in splits.values() for lang in block.get("by_language", {})})
    rows = [
        [lang, split, *_cells(splits[split]["by_language"][lang])]
        for lang in languages
        for split in ("dev", "test")
        if lang in (splits.get(split) or {}).get("by_language", {})
    ]
    return header, rows


def language_check_table(summary: dict[str, Any]) -> Table:
    """Answer-language pass rate overall and per language, all items and per split."""
    header = ["language", "n", "pass rate", "dev", "test"]
    splits = summary.get("splits") or {}

    def rate(block: dict[str, Any] | None) -> str:
        return _fmt(((block or {}).get("answers") or {}).get("answer_language"))

    rows = [["all", str(summary.get("n_items", 0)), rate(summary),
             *(rate(splits.get(s)) for s in ("dev", "test"))]]  # fmt: skip
    for lang, block in (summary.get("by_language") or {}).items():
        per_split = [rate((splits.get(s) or {}).get("by_language", {}).get(lang)) for s in ("dev", "test")]
        rows.append([lang, str(block.get("n_items", 0)), rate(block), *per_split])
    return header, rows


def refusal_type_table(summary: dict[str, Any]) -> Table:
    """Refusal accuracy (and false refusals of answerable typed items) per adversarial type."""
    header = ["type", "n", "refusal acc.", "false refusals", "dev refusal acc.", "test refusal acc."]
    rows = []
    for kind, row in (summary.get("refusal_by_type") or {}).items():
        rows.append([
            kind, str(row.get("n_items", 0)), _fmt(row.get("refusal_accuracy")),
            _fmt(row.get("false_refusal_rate")),
            *(_fmt((row.get(s) or {}).get("refusal_accuracy")) for s in ("dev", "test")),
        ])  # fmt: skip
    return header, rows


def conversation_table(summary: dict[str, Any]) -> Table:
    """Per-turn figures of conversations: all turns, by turn number and by kind."""
    header = ["turns", "n", *(c for c, _, _ in SPLIT_COLUMNS), "gold doc cited"]
    conversations = summary.get("conversations") or {}
    if not conversations:
        return header, []

    def cells(block: dict[str, Any] | None) -> list[str]:
        cited = (block or {}).get("answers", {}).get("gold_document_cited")
        return [*_cells(block), _fmt(cited)]

    rows = [["all turns", *cells(conversations.get("overall"))]]
    rows += [[f"{split} turns", *cells(b)] for split, b in conversations.get("by_split", {}).items()]
    rows += [[f"turn {n}", *cells(b)] for n, b in conversations.get("by_turn", {}).items()]
    rows += [[kind, *cells(b)] for kind, b in conversations.get("by_kind", {}).items()]
    return header, rows


def _share(conversations: dict[str, Any]) -> str:
    value = conversations.get("all_turns_passed")
    return "–" if value is None else f"{value:.0%}"


def sections(summary: dict[str, Any]) -> list[tuple[str, str, Table]]:
    """List the report's sections beyond the headline as ``(title, note, table)``, if not empty."""
    conversations = summary.get("conversations") or {}
    found = [
        ("Dev and test by set",
         "Tune on dev; a change is judged on test (evals/README.md).", set_split_table(summary)),
        ("Dev and test by language", "", language_split_table(summary)),
        ("Answer language",
         "Share of answers whose own words are in the question's language and whose quotes"
         " are in the question's language or the cited document's original language.",
         language_check_table(summary)),
        ("Refusals by adversarial type", "", refusal_type_table(summary)),
        ("Conversations, per turn",
         f"{conversations.get('n_conversations', 0)} conversations, "
         f"{conversations.get('n_turns', 0)} turns; every turn passed every check (hit@5,"
         f" refusal, key facts, answer language) in {_share(conversations)} of them.",
         conversation_table(summary)),
    ]  # fmt: skip
    return [(title, note, table) for title, note, table in found if table[1]]
