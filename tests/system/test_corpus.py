"""The bundled corpus: every file's front matter follows the design's schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.core.records import KINDS
from ingest.loaders import load_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
REQUIRED = ("doc_id", "title", "kind", "year", "language", "source")
ISO_639_1 = {"en", "zh", "es", "fr", "ru", "ar"}


def _front_matter(path: Path) -> dict[str, Any]:
    match = re.match(r"---\n(.*?)\n---\n", path.read_text(encoding="utf-8"), re.DOTALL)
    assert match, f"{path.name}: no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_front_matter_schema(path: Path) -> None:
    meta = _front_matter(path)
    for field in REQUIRED:
        assert meta.get(field) not in (None, ""), f"{path.name}: missing {field}"
    assert meta["kind"] in KINDS
    assert meta["language"] in ISO_639_1
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", meta["doc_id"])
    assert path.stem == meta["doc_id"]
    assert isinstance(meta["year"], int)
    if meta["kind"] == "case-study":
        for field in ("region", "country", "ecosystem"):
            assert meta.get(field), f"{path.name}: case studies need {field}"


def test_ids_unique_and_translations_resolve() -> None:
    metas = [_front_matter(p) for p in FILES]
    ids = [m["doc_id"] for m in metas]
    assert len(ids) == len(set(ids))
    for meta in metas:
        if meta.get("translation_of"):
            assert meta["translation_of"] in ids


def test_corpus_covers_the_required_kinds() -> None:
    kinds = [_front_matter(p)["kind"] for p in FILES]
    assert kinds.count("guidance") >= 10
    assert kinds.count("case-study") >= 12
    languages = {_front_matter(p)["language"] for p in FILES}
    assert {"en", "zh", "es", "fr"} <= languages


def test_chinese_original_is_verbatim_seed() -> None:
    seed = CORPUS.parents[1] / "shared" / "seed" / "decision-XI-16-ecosystem-restoration.zh.txt"
    if not seed.is_file():
        pytest.skip("the seed folder is not beside this checkout")
    text = (CORPUS / "decisions" / "cbd-dec-xi-16-zh.md").read_text(encoding="utf-8")
    assert text.endswith(seed.read_text(encoding="utf-8"))


def test_translation_has_every_paragraph_of_the_original() -> None:
    zh = load_document(CORPUS / "decisions" / "cbd-dec-xi-16-zh.md")
    en = load_document(CORPUS / "decisions" / "cbd-dec-xi-16-en.md")
    assert [s.paragraph for s in zh.sections] == [s.paragraph for s in en.sections]
    assert en.sections[0].text.startswith("Noting")
