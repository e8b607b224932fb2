"""The refactor check: two runs compared item by item, timings ignored, content never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.same import differences, main


def _run(folder: Path, items: list[dict]) -> Path:
    folder.mkdir()
    (folder / "items.jsonl").write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    return folder


def _item(answer: str, latency: float = 1.0, **extra: object) -> dict:
    return {"id": "q1", "set_name": "s", "answer": answer, "latency_ms": {"total": latency},
            "metrics": {"hit@5": 1.0}, **extra}


def test_runs_that_differ_only_in_timings_are_the_same(tmp_path: Path) -> None:
    before = _run(tmp_path / "a", [_item("Para. 1(g) addresses this.", 10.0)])
    after = _run(tmp_path / "b", [_item("Para. 1(g) addresses this.", 99.0)])
    assert differences(before, after) == {}
    assert main([str(before), str(after)]) == 0


def test_a_changed_answer_is_named_by_field_without_its_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _run(tmp_path / "a", [_item("Para. 1(g) addresses this.")])
    after = _run(tmp_path / "b", [_item("Something else entirely.", citations=[])])
    assert differences(before, after) == {"q1:s": ["answer", "citations"]}
    assert main([str(before), str(after)]) == 1
    printed = capsys.readouterr().out
    assert "1 differ" in printed and "answer, citations" in printed
    assert "Something else" not in printed and "1(g)" not in printed


def test_an_item_only_one_run_has_is_reported_missing(tmp_path: Path) -> None:
    before = _run(tmp_path / "a", [_item("x")])
    after = _run(tmp_path / "b", [_item("x"), {**_item("y"), "id": "q2"}])
    assert differences(before, after) == {"q2:s": ["missing"]}
