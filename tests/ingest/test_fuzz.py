"""Fuzzing: the decision parser, the chunker and every loader survive arbitrary input.

Each parser either returns well-formed records or, for loaders, raises ``IngestError``
with a one-line reason; nothing else escapes (an unexpected exception would stop a
whole ingest batch).
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.core.errors import IngestError
from assistant.core.records import DocumentMeta, LoadedDocument, Section
from ingest.chunking import chunk_document, split_text
from ingest.decisions import find_decision_heading, join_lines, looks_like_decision, parse_decision
from ingest.loaders import SUPPORTED_SUFFIXES, load_document

# The example budget scales with the profile (see conftest): 150 in the gate, more in `make fuzz`.
_BUDGET = max(150, settings.default.max_examples)
FUZZ = settings(max_examples=_BUDGET)

# --- the decision parser -----------------------------------------------------------------

_DECISION_LINES = st.one_of(
    st.sampled_from(
        [
            "XI/16. Ecosystem restoration",
            "XI/16.生态系统恢复",
            "The Conference of the Parties,",
            "缔约方大会，",
            "Noting the importance of restoration,",
            "Also noting with concern the loss of habitat,",
            "注意到恢复的重要性，",
            "Recognizing",
            "",
            "   ",
            "- - -",
            "-----",
            "2020 targets were set.",
            "(i) a wrapped line",
        ]
    ),
    st.builds(lambda n, t: f"{n}. {t}", st.integers(0, 120), st.text(max_size=40)),
    st.builds(lambda n, t: f"[{n}. {t}", st.integers(0, 30), st.text(max_size=20)),
    st.builds(lambda c, t: f"({c}) {t}", st.sampled_from("abcdefghijklmnopqrstuvwxyzA1"), st.text(max_size=40)),
    st.text(max_size=80),
)
_DECISION = st.lists(_DECISION_LINES, max_size=60).map("\n".join)
_PARAGRAPH_ID = re.compile(r"^(pp[1-9]\d*|[1-9]\d*|[1-9]\d*\([a-z]\))$")


def _number(paragraph: str) -> int:
    return int(paragraph.split("(")[0])


@FUZZ
@given(text=_DECISION)
@example(text="The Conference of the Parties,\n1. A\n(a) B\n(c) C\n3. D\n2. E\n(a) F")
@example(text="1. A\n\x00\n(a)\n(b)")
def test_parse_decision_returns_well_formed_paragraphs_in_order(text: str) -> None:
    sections = parse_decision(text)
    paragraphs = [s.paragraph for s in sections]
    assert len(set(paragraphs)) == len(paragraphs)
    assert all(_PARAGRAPH_ID.match(p) for p in paragraphs), paragraphs
    preamble = [p for p in paragraphs if p.startswith("pp")]
    operative = [p for p in paragraphs if not p.startswith("pp")]
    assert paragraphs == preamble + operative  # preambular paragraphs come first
    assert preamble == [f"pp{i}" for i in range(1, len(preamble) + 1)]
    numbers = [_number(p) for p in operative]
    assert numbers == sorted(numbers)
    assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1))
    chapeaus = {s.paragraph: s.text for s in sections if s.paragraph.isdigit()}
    last_letter: dict[int, str] = {}
    for section in sections:
        assert section.text == section.text.strip()
        if "(" in section.paragraph:
            number, letter = _number(section.paragraph), section.paragraph[-2]
            expected = chr(ord(last_letter[number]) + 1) if number in last_letter else "a"
            assert letter == expected
            last_letter[number] = letter
            assert section.context == chapeaus[str(number)]
            assert section.locator == f"para. {section.paragraph}"
        else:
            assert section.context == ""


@FUZZ
@given(text=st.text(max_size=400))
def test_decision_detection_never_fails(text: str) -> None:
    heading = find_decision_heading(text)
    if looks_like_decision(text):
        assert heading is not None
    if heading is not None:
        assert heading.symbol in text and heading.title


@FUZZ
@given(lines=st.lists(st.text(max_size=30), max_size=20))
def test_join_lines_keeps_every_visible_character(lines: list[str]) -> None:
    joined = join_lines(lines)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", "".join(line.strip() for line in lines))


# --- the chunker -------------------------------------------------------------------------

_ANY_TEXT = st.text(min_size=1, max_size=3000).filter(lambda t: t.strip())


@FUZZ
@given(
    texts=st.lists(_ANY_TEXT, min_size=1, max_size=5),
    locators=st.lists(st.text(max_size=20), min_size=1, max_size=3),
    chunk_size=st.integers(200, 1200),
    overlap=st.integers(0, 400),
)
def test_chunker_bounds_any_unicode(texts: list[str], locators: list[str], chunk_size: int, overlap: int) -> None:
    sections = tuple(
        Section(text=text, locator=locators[i % len(locators)], paragraph=str(i + 1) if i % 2 else "")
        for i, text in enumerate(texts)
    )
    document = LoadedDocument(
        meta=DocumentMeta(doc_id="fuzz", title="Fuzz"), sections=sections, content_hash="0" * 64, path="fuzz.md"
    )
    chunks = chunk_document(document, chunk_size, overlap)
    assert chunks
    assert all(0 < len(c.text) <= chunk_size and c.text.strip() for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))


@FUZZ
@given(
    text=st.text(alphabet=st.sampled_from(["x", "\u3002", " ", "\n", "é", "\u200b", "\U0001f331"]), max_size=5000),
    chunk_size=st.integers(200, 600),
)
def test_split_text_bounds_separator_heavy_text(text: str, chunk_size: int) -> None:
    parts = split_text(text, chunk_size, 50)
    assert all(len(p) <= chunk_size for p in parts)
    assert re.sub(r"\s", "", "".join(parts)).count("x") >= re.sub(r"\s", "", text).count("x")


# --- the loaders ---------------------------------------------------------------------------


def _load(suffix: str, data: bytes) -> LoadedDocument | None:
    """Load bytes as a file with ``suffix``: a document, or ``None`` after a clean IngestError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            document = load_document(path)
        except IngestError as e:
            assert e.reason and "\n" not in e.reason, e.reason
            return None
    assert document.sections and all(s.text.strip() for s in document.sections)
    for section in document.sections:
        assert not re.search(r"[\x00-\x08\x0e-\x1f\x7f]", section.text), section.text
    return document


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_any_bytes_load_or_fail_cleanly(data: bytes, suffix: str) -> None:
    _load(suffix, data)


_MARKDOWN = (
    "---\ndoc_id: fuzz-doc\ntitle: Fuzz\nkind: guidance\nlanguage: en\nyear: 2020\n---\n"
    "# Title\n\nFirst paragraph about mangroves.\n\n## Costs\n\nLow costs.\n"
)


@st.composite
def _mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@FUZZ
@given(data=_mutated(_MARKDOWN.encode()))
def test_mutated_markdown_loads_or_fails_cleanly(data: bytes) -> None:
    _load(".md", data)


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in ("Restoration of degraded drylands.", "Farmers protect tree stumps."):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Mangroves", level=1)
    document.add_paragraph("Local fishers guard the young trees.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_control_characters_in_pdf_text_are_dropped() -> None:
    """Regression (found by the fuzzer): a damaged PDF's text layer can hold NUL bytes."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(False)
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "Farmers protect tree stumps.")
    data = bytes(pdf.output()).replace(b"(Farmers", b"(\\000\\001mers")
    document = _load(".pdf", data)
    assert document is not None
    assert [s.text for s in document.sections] == ["mers protect tree stumps."]


@pytest.mark.parametrize(("suffix", "make"), [(".pdf", _pdf), (".docx", _docx)])
def test_mutated_pdf_and_docx_load_or_fail_cleanly(suffix: str, make: object) -> None:
    original = make()  # type: ignore[operator]
    assert _load(suffix, original) is not None

    @settings(max_examples=max(80, _BUDGET // 4))
    @given(data=_mutated(original))
    def check(data: bytes) -> None:
        _load(suffix, data)

    check()
