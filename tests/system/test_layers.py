"""The package layout holds: each package imports only the packages below it.

Read from the code's own imports (ast), so a change that reaches upwards, or speaks
Chroma outside the store package, fails here with the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> the project packages it may import (README, "How it works").
ALLOWED: dict[str, set[str]] = {
    "language": set(),
    "core": {"language"},
    "store": {"core", "language"},
    "retrieval": {"core", "language"},
    "ingest": {"core", "language", "store"},
    "answering": {"core", "language", "retrieval", "store"},
    "faq": {"core", "language", "retrieval", "answering"},
    "pipeline": {"core", "language", "store", "retrieval", "answering"},
    "evaluation": {"core", "language", "store", "retrieval", "answering", "pipeline", "ingest"},
    "bench": {"core", "language", "store", "retrieval", "answering", "pipeline", "ingest"},
    "services": {"core", "language", "store", "retrieval", "answering", "pipeline", "ingest", "evaluation"},
    "ui": {"core", "language", "store", "retrieval", "answering", "pipeline", "faq", "evaluation", "services"},
    "cli": {
        "core", "language", "store", "retrieval", "answering", "pipeline", "ingest", "faq",
        "evaluation", "bench", "services", "ui",
    },
}


def _package(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return "ingest" if parts[0] == "ingest" else parts[1]  # assistant/<package>/… or assistant/pipeline


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _target(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "ingest":
        return "ingest"
    if parts[0] == "assistant" and len(parts) > 1:
        return parts[1]
    return None


SOURCES = sorted(
    p for p in [*(ROOT / "assistant").rglob("*.py"), *(ROOT / "ingest").rglob("*.py")]
    if p.parent != ROOT / "assistant"  # the package root: public API and entry point
    or p.stem == "pipeline"
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_packages_below_its_own(path: Path) -> None:
    package = _package(path)
    upward = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if (target := _target(module)) not in (None, package) and target not in ALLOWED[package]
    ]
    assert not upward, f"{package} may import only {sorted(ALLOWED[package])}"


def test_only_the_store_package_speaks_chroma() -> None:
    speaking = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in SOURCES
        if _package(path) != "store"
        for line, module in _imports(path)
        if module.split(".")[0] in {"chromadb", "langchain_chroma"}
    ]
    assert not speaking


def test_every_package_is_placed() -> None:
    packages = {_package(p) for p in SOURCES}
    assert packages <= set(ALLOWED), packages - set(ALLOWED)
