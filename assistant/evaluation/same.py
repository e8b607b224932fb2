"""Whether two eval runs gave the same answers, item by item: the check of a pure refactor.

``python -m assistant.evaluation.same RUN_BEFORE RUN_AFTER`` compares the two runs'
``items.jsonl``: every field of every item (answer, citations, retrieved passages,
metrics, checks) except timings. It prints how many items differ and, for each, only the
names of the fields that differ (never their content, so a test item's answer is not read
while working); exit code 1 when any differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["differences", "main"]


def _timeless(value: Any) -> Any:
    """Drop timings (``latency_ms``, ``elapsed_ms``, ``*_s``): they differ from run to run."""
    if isinstance(value, dict):
        return {
            k: _timeless(v) for k, v in value.items()
            if not (k.endswith("_ms") or k.endswith("_s") or k in {"ms", "seconds"})
        }
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _items(run: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    items: dict[tuple[Any, ...], dict[str, Any]] = {}
    with (run / "items.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            items[(item["id"], item.get("turn", 0), item.get("set_name", ""))] = _timeless(item)
    return items


def differences(before: Path, after: Path) -> dict[str, list[str]]:
    """Return item id -> names of the fields that differ (``missing`` when only one run has it)."""
    a, b = _items(before), _items(after)
    found: dict[str, list[str]] = {}
    for key in sorted(a.keys() | b.keys(), key=str):
        name = ":".join(str(k) for k in key if k not in (0, ""))
        if key not in a or key not in b:
            found[name] = ["missing"]
        elif a[key] != b[key]:
            found[name] = sorted(f for f in a[key].keys() | b[key].keys() if a[key].get(f) != b[key].get(f))
    return found


def main(argv: list[str] | None = None) -> int:
    """Compare two run folders; print the count of differing items and their fields."""
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.same", description=__doc__)
    parser.add_argument("before", type=Path, help="run folder (with items.jsonl) before the change")
    parser.add_argument("after", type=Path, help="run folder after the change")
    args = parser.parse_args(argv)
    found = differences(args.before, args.after)
    total = len(_items(args.after))
    print(f"{total} items compared; {len(found)} differ")
    for name, fields in found.items():
        print(f"  {name}: {', '.join(fields)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
