"""The chunk continuing the best passage's section: brought in, and read on into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answering.extractive import ExtractiveComposer
from assistant.core.records import Source
from assistant.core.settings import Settings
from assistant.retrieval.continuations import join_continuations, section
from assistant.retrieval.hybrid import Retrieval

STORY = [
    ("Wetlands (p. 3)", "Coastal fishermen noticed damage to the reefs, and the communities came together to plan land and sea as one."),
    ("Wetlands (p. 4)", "Ten years later young people have returned to the villages. Elders teach them to grow tea."),
    ("Forests (p. 4)", "Forest councils meet every spring."),
]


@dataclass
class FakeLexical:
    """The parts of the lexical index that continuations read."""

    ids: list[str] = field(default_factory=lambda: [f"c{i}" for i in range(len(STORY))])
    texts: list[str] = field(default_factory=lambda: [text for _, text in STORY])
    metadatas: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"doc_id": "report", "locator": locator, "position": i, "language": "en", "paragraph": ""}
            for i, (locator, _) in enumerate(STORY)
        ]
    )

    def position(self, chunk_id: str) -> int | None:
        return self.ids.index(chunk_id) if chunk_id in self.ids else None

    def document_positions(self, doc_id: str) -> list[int]:
        return [2, 0, 1]  # index order need not be document order


def _source(i: int, **meta: Any) -> Source:
    lexical = FakeLexical()
    return Source(lexical.ids[i], lexical.texts[i], {**lexical.metadatas[i], **meta}, relevance=1.0, similarity=0.9)


def _retrieval(*sources: Source, vector: np.ndarray | None = None) -> Retrieval:
    return Retrieval(list(sources), np.zeros(3, dtype=np.float32) if vector is None else vector, "en")


def test_a_section_is_its_locator_without_the_page() -> None:
    assert section({"locator": "3.6 Engagement in planning (p. 26)"}) == "3.6 Engagement in planning"
    assert section({"locator": "Scale and timeline"}) == "Scale and timeline"


def test_the_chunk_continuing_the_best_passages_section_joins_after_the_others() -> None:
    joined = join_continuations(_retrieval(_source(0), _source(2)), FakeLexical())
    # It takes no other passage's place or rank: the composer reads it as the best one read on.
    assert [s.chunk_id for s in joined.sources] == ["c0", "c2", "c1"]
    assert joined.continuations == {"c0": "c1"}
    assert joined.sources[2].metadata["locator"] == "Wetlands (p. 4)"  # cited to its own chunk


def test_a_continuation_ranked_already_keeps_its_rank() -> None:
    joined = join_continuations(_retrieval(_source(0), _source(2), _source(1)), FakeLexical())
    assert [s.chunk_id for s in joined.sources] == ["c0", "c2", "c1"]
    assert joined.continuations == {"c0": "c1"}
    ahead = join_continuations(_retrieval(_source(0), _source(1), _source(2)), FakeLexical())
    assert [s.chunk_id for s in ahead.sources] == ["c0", "c1", "c2"]


def test_no_continuation_across_sections_nor_for_a_numbered_paragraph() -> None:
    last = join_continuations(_retrieval(_source(1)), FakeLexical())
    assert [s.chunk_id for s in last.sources] == ["c1"] and not last.continuations  # the next is another section
    paragraph = join_continuations(_retrieval(_source(0, paragraph="5")), FakeLexical())
    assert [s.chunk_id for s in paragraph.sources] == ["c0"]
    assert join_continuations(_retrieval(_source(0)), None).sources == [_source(0)]


def test_a_run_reaching_the_end_of_its_chunk_reads_on(fake_embeddings: Any) -> None:
    question = "Coastal fishermen noticed damage to the reefs: what did the communities plan?"
    vector = fake_embeddings.encode([question], query=True)[0]
    retrieval = join_continuations(_retrieval(_source(0), vector=vector), FakeLexical())
    settings = Settings(embedding_model="fake", answer_passages=1)
    answer = ExtractiveComposer(fake_embeddings, settings).compose(question, retrieval)
    assert "came together" in answer.text and "young people have returned" in answer.text
    assert [c.chunk_id for c in answer.citations][:2] == ["c0", "c1"]
    off = ExtractiveComposer(fake_embeddings, settings).compose(question, _retrieval(_source(0), vector=retrieval.query_vector))
    assert "young people" not in off.text


def test_reading_on_skips_the_sentence_two_overlapping_chunks_share(fake_embeddings: Any) -> None:
    # Chunks overlap: the sentence that ends one opens the next; read on, it is said once.
    lexical = FakeLexical(
        texts=[
            "Coastal fishermen noticed damage to the reefs, and the communities came together to plan land and sea.",
            "Coastal fishermen noticed damage to the reefs, and the communities came together to plan land and sea."
            " Ten years later young people have returned.",
            "Forest councils meet every spring.",
        ]
    )
    question = "Coastal fishermen noticed damage to the reefs: what did the communities plan?"
    vector = fake_embeddings.encode([question], query=True)[0]
    lead = Source("c0", lexical.texts[0], dict(lexical.metadatas[0]), relevance=1.0, similarity=0.9)
    retrieval = join_continuations(_retrieval(lead, vector=vector), lexical)
    settings = Settings(embedding_model="fake", answer_passages=1)
    answer = ExtractiveComposer(fake_embeddings, settings).compose(question, retrieval)
    assert "young people have returned" in answer.text
    assert answer.text.count("came together") == 1
