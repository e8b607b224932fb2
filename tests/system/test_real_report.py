"""A real report PDF (the IPBES dialogue on spatial planning) ingested and asked as a reader would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.core.settings import Settings

REPORT = (
    Path(__file__).resolve().parents[2].parent / "shared" / "realdocs" / "ipbes_ilk_dialogue_spatial_planning_2025_en.pdf"
)
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not REPORT.is_file(), reason=f"real document not present: {REPORT}"),
]


@pytest.fixture(scope="module")
def report_assistant(tmp_path_factory: pytest.TempPathFactory, real_embeddings: Any) -> Any:
    from assistant.pipeline import build_assistant
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    base = tmp_path_factory.mktemp("ipbes-dialogue")
    settings = Settings(store_dir=base / "store", cache_dir=base / "cache")
    report = ingest_paths([REPORT], settings, open_store(settings, real_embeddings, create=True), real_embeddings)
    assert not report.failed, report.failed
    return build_assistant(settings, real_embeddings)


def test_a_story_cut_in_two_by_chunking_is_read_on(report_assistant: Any) -> None:
    # The Taiwan example ends in the next chunk ("Ten years later … young people have
    # returned"); the answer reads on into it, each part cited to its own chunk.
    question = (
        "In Taiwan, two Indigenous groups share a landscape and seascape. "
        "What did they do about the damaged reefs, and what came of it?"
    )
    answer = report_assistant.ask(question)
    assert answer.supported
    assert "Amis and Kabalam" in answer.text and "young people have returned" in answer.text
    assert answer.trace["retrieved"][0]["doc_id"] == answer.citations[0].doc_id
    assert answer.citations[0].chunk_id != answer.citations[1].chunk_id
    assert all(c.doc_id == answer.citations[0].doc_id for c in answer.citations[:2])
