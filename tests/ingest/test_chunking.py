"""Property tests of chunking: bounded, covering, unique and stable ids, decisions kept whole."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.core.records import DocumentMeta, LoadedDocument, Section
from ingest.chunking import chunk_document, chunk_id, longest_chunk, split_text

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

_ALPHABET = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII, incl. ". " and "; "
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK ideographs
    st.sampled_from(list("。！？；，、 \n\n\t")),  # CJK punctuation and separators
    st.characters(min_codepoint=0xC0, max_codepoint=0x17F),  # accented Latin
)
_TEXT = st.text(_ALPHABET, min_size=1, max_size=2500).filter(lambda t: t.strip())
_LOCATOR = st.sampled_from(["Intro", "Costs", "Lessons learned", "p. 1", "p. 2", "生态系统"])


@st.composite
def sections(draw: st.DrawFn, *, decision: bool | None = None) -> list[Section]:
    count = draw(st.integers(min_value=1, max_value=6))
    result = []
    for number in range(1, count + 1):
        is_paragraph = draw(st.booleans()) if decision is None else decision
        locator = f"para. {number}" if is_paragraph else draw(_LOCATOR)
        # Loaders give paginated sections a page locator ("p. 2"), never a shared heading.
        page = int(locator[3:]) if locator.startswith("p. ") else None
        result.append(
            Section(
                text=draw(_TEXT),
                locator=locator,
                paragraph=str(number) if is_paragraph else "",
                page=page,
            )
        )
    return result


_CHUNK_SIZE = st.integers(min_value=200, max_value=1500)
_OVERLAP = st.integers(min_value=0, max_value=150)


def _document(parts: list[Section], doc_id: str = "test-doc") -> LoadedDocument:
    return LoadedDocument(
        meta=DocumentMeta(doc_id=doc_id, title="Test"),
        sections=tuple(parts),
        content_hash="0" * 64,
        path="/tmp/test.md",
    )


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


@PROPERTY_SETTINGS
@given(parts=sections(), chunk_size=_CHUNK_SIZE, overlap=_OVERLAP)
def test_chunks_are_bounded_unique_and_ordered(
    parts: list[Section], chunk_size: int, overlap: int
) -> None:
    chunks = chunk_document(_document(parts), chunk_size, overlap)
    assert chunks
    assert all(len(c.text) <= longest_chunk(chunk_size) for c in chunks)
    assert all(c.text.strip() for c in chunks)
    ids = [c.chunk_id for c in chunks]
    assert len(set(ids)) == len(ids)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(c.chunk_id == chunk_id("test-doc", c.locator, c.text) for c in chunks)
    assert {c.locator for c in chunks} <= {s.locator for s in parts}


@PROPERTY_SETTINGS
@given(parts=sections(), chunk_size=_CHUNK_SIZE, overlap=_OVERLAP)
def test_chunking_is_deterministic(parts: list[Section], chunk_size: int, overlap: int) -> None:
    first = chunk_document(_document(parts), chunk_size, overlap)
    second = chunk_document(_document(list(parts)), chunk_size, overlap)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert first == second


@PROPERTY_SETTINGS
@given(parts=sections(), chunk_size=_CHUNK_SIZE, overlap=_OVERLAP)
def test_chunks_cover_every_section(parts: list[Section], chunk_size: int, overlap: int) -> None:
    chunks = chunk_document(_document(parts), chunk_size, overlap)
    for section in parts:
        same_place = [c for c in chunks if c.locator == section.locator and c.page == section.page]
        joined = _no_space("".join(c.text for c in same_place))
        # Every non-whitespace character, in order (overlap only repeats characters).
        assert _is_subsequence(_no_space(section.text), joined)
        if len(section.text) <= chunk_size:
            assert any(section.text.strip() in c.text for c in same_place)


@PROPERTY_SETTINGS
@given(text=_TEXT, chunk_size=_CHUNK_SIZE)
def test_split_text_without_overlap_loses_nothing(text: str, chunk_size: int) -> None:
    parts = split_text(text, chunk_size, 0)
    assert all(len(p) <= longest_chunk(chunk_size) for p in parts)
    assert _no_space("".join(parts)) == _no_space(text)


@PROPERTY_SETTINGS
@given(text=_TEXT, chunk_size=_CHUNK_SIZE, overlap=_OVERLAP)
def test_split_text_keeps_order(text: str, chunk_size: int, overlap: int) -> None:
    parts = split_text(text, chunk_size, overlap)
    assert all(len(p) <= longest_chunk(chunk_size) for p in parts)
    assert _is_subsequence(_no_space(text), _no_space("".join(parts)))
    if len(text) <= chunk_size:
        assert parts == [text]


@PROPERTY_SETTINGS
@given(parts=sections(decision=True), chunk_size=_CHUNK_SIZE, overlap=_OVERLAP)
def test_decision_paragraphs_are_never_merged(
    parts: list[Section], chunk_size: int, overlap: int
) -> None:
    chunks = chunk_document(_document(parts), chunk_size, overlap)
    by_paragraph = {s.paragraph: s for s in parts}
    assert {c.paragraph for c in chunks} == set(by_paragraph)
    for chunk in chunks:
        section = by_paragraph[chunk.paragraph]
        assert chunk.locator == section.locator
        assert chunk.text in section.text
        if len(section.text) <= chunk_size:
            assert chunk.text == section.text


@PROPERTY_SETTINGS
@given(
    doc_id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    locator=st.text(max_size=30),
    text=st.text(min_size=1, max_size=200),
)
def test_chunk_id_depends_on_doc_id_locator_and_text(doc_id: str, locator: str, text: str) -> None:
    base = chunk_id(doc_id, locator, text)
    assert base == chunk_id(doc_id, locator, text)
    assert len(base) == 32
    assert chunk_id(doc_id + "x", locator, text) != base
    assert chunk_id(doc_id, locator + "x", text) != base
    assert chunk_id(doc_id, locator, text + "x") != base


def test_short_sections_under_one_heading_are_packed() -> None:
    parts = [Section("First.", "Costs"), Section("Second.", "Costs"), Section("Third.", "Other")]
    chunks = chunk_document(_document(parts), 1000, 100)
    assert [(c.locator, c.text) for c in chunks] == [
        ("Costs", "First.\n\nSecond."),
        ("Other", "Third."),
    ]


def test_a_lead_in_goes_with_what_it_introduces() -> None:
    # The se.plan manual: "…can be summarized as follows:" and a list too long to share a chunk.
    lead = "The workflow to develop cropland opportunity cost can be summarized as follows:"
    steps = "\n".join(f"{n}. " + "The team estimated one more input of the model. " * 6 for n in range(1, 5))
    one_section = [Section(f"{lead}\n\n{steps}", "Cropland")]
    two_sections = [Section(lead, "Cropland"), Section(steps, "Cropland")]
    for sections in (one_section, two_sections):
        chunks = chunk_document(_document(sections), 500, 50)
        assert chunks[0].text.startswith(lead + "\n\n1. The team")
        assert all(len(c.text) <= longest_chunk(500) for c in chunks)
        assert sum(c.text.count(lead) for c in chunks) == 1


def test_sections_on_different_pages_are_not_packed() -> None:
    parts = [Section("One.", "Report", page=1), Section("Two.", "Report", page=2)]
    chunks = chunk_document(_document(parts), 1000, 100)
    assert [(c.text, c.page) for c in chunks] == [("One.", 1), ("Two.", 2)]


def test_decision_chunk_carries_paragraph_and_context() -> None:
    parts = [
        Section("1. Urges Parties to:", "para. 1", paragraph="1"),
        Section("(a) Restore;", "para. 1(a)", paragraph="1(a)", context="1. Urges Parties to:"),
        Section("(b) Report;", "para. 1(b)", paragraph="1(b)", context="1. Urges Parties to:"),
    ]
    chunks = chunk_document(_document(parts), 1000, 100)
    assert [c.paragraph for c in chunks] == ["1", "1(a)", "1(b)"]
    assert chunks[2].context == "1. Urges Parties to:"
    assert chunks[2].as_metadata()["paragraph"] == "1(b)"


def test_chunk_ids_differ_between_documents() -> None:
    parts = [Section("Same text.", "Intro")]
    first = chunk_document(_document(parts, "doc-a"), 1000, 0)
    second = chunk_document(_document(parts, "doc-b"), 1000, 0)
    assert first[0].chunk_id != second[0].chunk_id


def test_long_chinese_text_splits_at_sentence_ends() -> None:
    sentence = "生态系统恢复能够有助于气候变化缓解和适应、社会经济发展和粮食安全。"
    text = sentence * 30
    chunks = chunk_document(_document([Section(text, "生态系统")]), 300, 0)
    assert len(chunks) > 1
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)


def test_identical_text_under_one_locator_is_stored_once() -> None:
    parts = [
        Section("Same words.", "para. 1", paragraph="1"),
        Section("Same words.", "para. 1", paragraph="1"),
        Section("Same words.", "para. 2", paragraph="2"),
    ]
    chunks = chunk_document(_document(parts), 1000, 0)
    assert [(c.locator, c.position) for c in chunks] == [("para. 1", 0), ("para. 2", 1)]
