"""A real report PDF (the IPBES dialogue on spatial planning) ingested and asked as a reader would."""

from __future__ import annotations

from typing import Any

import pytest

from real_documents import REALDOCS, assistant_over  # tests/ is on sys.path under pytest

REPORT = REALDOCS / "ipbes_ilk_dialogue_spatial_planning_2025_en.pdf"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not REPORT.is_file(), reason=f"real document not present: {REPORT}"),
]


@pytest.fixture(scope="module")
def report_assistant(tmp_path_factory: pytest.TempPathFactory, real_embeddings: Any) -> Any:
    return assistant_over(REPORT, tmp_path_factory.mktemp("ipbes-dialogue"), real_embeddings)


def test_a_story_cut_in_two_by_chunking_is_read_on(report_assistant: Any) -> None:
    # On by default (RA_READ_ON): the Taiwan example ends in the next chunk ("Ten years later …
    # young people have returned"); the run quoting "…came together" reaches the end of its
    # chunk and reads on into the next, each part cited to its own chunk.
    question = "After farm chemicals damaged the reefs in Taiwan, how did the communities and agencies respond, and what happened next?"
    answer = report_assistant.ask(question)
    assert answer.supported
    assert "Amis and Kabalam" in answer.text and "young people have returned" in answer.text
    assert answer.trace["retrieved"][0]["doc_id"] == answer.citations[0].doc_id
    assert answer.citations[0].chunk_id != answer.citations[1].chunk_id
    assert all(c.doc_id == answer.citations[0].doc_id for c in answer.citations[:2])


def test_overlapping_chunks_are_not_quoted_twice(report_assistant: Any) -> None:
    # The chunk about Bikin ends with "…a good example of co-management and co-creation of a
    # protected area." and the next opens with it; the second quote goes on from there.
    answer = report_assistant.ask("How is Bikin National Park in Russia co-managed with the Udege people?")
    assert answer.supported
    quoted = [s["text"] for s in answer.sentences if not s.get("frame")]
    assert len(quoted) == len(set(quoted))
    # The run ends the chunk, so it reads on into the next, from after the shared sentence.
    assert "accounting for over 70% of conservation actions" in answer.text


def test_an_area_written_in_words_answers_a_question_of_area(report_assistant: Any) -> None:
    # The report writes "approximately two million hectares of forest and biodiversity are
    # protected": no digits, yet it is the area asked for, not a reason to refuse.
    answer = report_assistant.ask("¿Cuántas hectáreas de bosque protege el Parque Nacional Bikin en Rusia?")
    assert answer.supported, answer.trace.get("refusal_reason")
    assert "two million hectares" in answer.text
