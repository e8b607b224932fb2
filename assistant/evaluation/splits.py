"""Give eval items their split, and pick the gate's items from ``test``, deterministically.

Splits are balanced within each set and language and never move once given: new
items of a group go to its smaller side, ties broken by a hash of the item's id, so
adding items never turns a ``test`` item (whose failures nobody read) into ``dev``.

    python -m assistant.evaluation.splits assign evals/sets/new-set.jsonl   # fill missing splits
    python -m assistant.evaluation.splits gate evals/sets/*.jsonl --per-set xi16=16 ...  # gate ids
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.items import SPLITS, EvalItem, load_items

__all__ = ["assign_splits", "main", "pick_gate", "rewrite_with_splits"]

# The gate's size per set (42 items, about 50 s with --baselines on 2 cores).
GATE_PER_SET = {"xi16": 16, "guidance": 10, "case-studies": 9, "unanswerable": 7}


def _rank(set_name: str, item_id: str) -> str:
    return hashlib.blake2b(f"{set_name}|{item_id}".encode(), digest_size=8).hexdigest()


def _language(record: dict[str, Any]) -> str:
    turns = record.get("turns")
    if isinstance(turns, list) and turns and isinstance(turns[0], dict):
        return str(turns[0].get("language", "en"))  # a conversation: its opening language
    return str(record.get("language", "en"))


def assign_splits(records: list[dict[str, Any]], set_name: str) -> list[dict[str, Any]]:
    """Return the records with a ``split`` added where missing; others keep theirs.

    Within each language, items without a split are taken in hash order and each goes
    to the side with fewer items of that language; a tie goes to the side with fewer
    items in the whole set, then to the hash's parity. Field order is kept; ``split``
    is appended.
    """
    in_set = Counter(r["split"] for r in records if r.get("split") in SPLITS)
    by_language: dict[str, Counter[str]] = {}
    for record in records:
        counts = by_language.setdefault(_language(record), Counter())
        if record.get("split") in SPLITS:
            counts[record["split"]] += 1
    chosen: dict[int, str] = {}
    pending = [i for i, r in enumerate(records) if r.get("split") not in SPLITS]
    for index in sorted(pending, key=lambda i: _rank(set_name, str(records[i].get("id")))):
        counts = by_language[_language(records[index])]
        rank = int(_rank(set_name, str(records[index].get("id"))), 16)
        split = min(SPLITS, key=lambda s: (counts[s], in_set[s], (rank + SPLITS.index(s)) % 2))
        counts[split] += 1
        in_set[split] += 1
        chosen[index] = split
    return [
        {**r, "split": chosen[i]} if i in chosen else r for i, r in enumerate(records)
    ]


def rewrite_with_splits(path: Path) -> int:
    """Fill the missing splits of a JSON Lines set in place; return how many were added."""
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    updated = assign_splits(records, path.stem)
    added = sum(a != b for a, b in zip(records, updated, strict=True))
    if added:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in updated)
        path.write_text(text, encoding="utf-8")
    return added


def pick_gate(items: Sequence[EvalItem], per_set: dict[str, int]) -> list[tuple[str, list[str]]]:
    """Pick a balanced sample of ``test`` items per set, not by result.

    Each set's count is shared among its languages in proportion to their ``test``
    items (at least one each while the count allows), and within a language the items
    are taken evenly spaced in file order. Returns ``(set, ids)`` pairs in set order.
    """
    picked: list[tuple[str, list[str]]] = []
    for set_name, wanted in per_set.items():
        pool = [i for i in items if i.set_name == set_name and i.split == "test"]
        groups: dict[str, list[EvalItem]] = {}
        for item in pool:
            groups.setdefault(item.language, []).append(item)
        shares = _shares({k: len(v) for k, v in groups.items()}, min(wanted, len(pool)))
        chosen = {
            group[int((i + 0.5) * len(group) / shares[lang])].id
            for lang, group in groups.items()
            for i in range(shares[lang])
        }
        picked.append((set_name, [i.id for i in pool if i.id in chosen]))
    return picked


def _shares(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split ``total`` among groups by size (largest remainder), one each first if it fits."""
    base = dict.fromkeys(sizes, 1 if total >= len(sizes) else 0)
    left = total - sum(base.values())
    weight = sum(sizes[k] - base[k] for k in sizes) or 1
    exact = {k: left * (sizes[k] - base[k]) / weight for k in sizes}
    shares = {k: base[k] + int(exact[k]) for k in sizes}
    order = sorted(sizes, key=lambda k: (-(exact[k] - int(exact[k])), k))
    for k in order[: total - sum(shares.values())]:
        shares[k] += 1
    return {k: min(v, sizes[k]) for k, v in shares.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``assign`` (fill missing splits in place) or ``gate`` (print gate ids)."""
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.splits")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("assign", help="fill missing splits in place").add_argument(
        "sets", nargs="+", type=Path
    )
    gate = commands.add_parser("gate", help="print balanced gate ids from test items")
    gate.add_argument("sets", nargs="+", type=Path)
    gate.add_argument("--per-set", action="append", default=[], metavar="SET=N")
    args = parser.parse_args(argv)
    if args.command == "assign":
        for path in args.sets:
            print(f"{path}: {rewrite_with_splits(path)} split(s) added")
        return 0
    per_set = dict(GATE_PER_SET)
    if args.per_set:
        per_set = {k: int(v) for k, v in (p.split("=", 1) for p in args.per_set)}
    print("# Gate subset: a fixed, balanced sample of the eval sets' test items (see")
    print("# evals/README.md), picked evenly spaced within each set and language, not by result.")
    print("# Regenerate: python -m assistant.evaluation.splits gate evals/sets/*.jsonl")
    for set_name, ids in pick_gate(load_items(args.sets), per_set):
        print(f"# {set_name}.jsonl", *ids, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
