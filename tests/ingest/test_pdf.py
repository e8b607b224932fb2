"""PDFs read as a person reads them: real third-party documents and built fixtures."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.core.records import Chunk, LoadedDocument, Section
from assistant.language.sentences import split_sentences
from ingest.chunking import chunk_document
from ingest.formats.pdf_text import join_text
from ingest.loaders import load_document

REALDOCS = Path(__file__).resolve().parents[2].parent / "shared" / "realdocs"
REAL_PDFS = sorted(REALDOCS.glob("*.pdf")) if REALDOCS.is_dir() else []
DECISION_16_31 = REALDOCS / "cbd_cop16_dec31_gbf_monitoring_framework_en.pdf"
needs_realdocs = pytest.mark.skipif(
    not REAL_PDFS, reason=f"real documents not present ({REALDOCS} has no PDF)"
)
_SENTENCE_END = re.compile(r"[.;:!?)\]”\"’…]$|[。；：！？]$")


def _is_note(locator: str) -> bool:
    return ", note " in locator


def _is_table(text: str) -> bool:
    return text.startswith("|")


# --- the real documents -----------------------------------------------------------------


@pytest.fixture(scope="module", params=REAL_PDFS, ids=lambda p: p.stem)
def real(request: pytest.FixtureRequest) -> tuple[Path, LoadedDocument, list[Chunk]]:
    path: Path = request.param
    document = load_document(path)
    return path, document, chunk_document(document, 1000, 100)


def _running_lines(path: Path) -> tuple[set[str], str]:
    """Lines pypdf finds at the top or foot of many pages (what a reader skips), and the
    text of the pages without those bands (where the same words may be said in earnest)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    counts: Counter[str] = Counter()
    middle: list[str] = []
    for page in reader.pages:
        lines = [ln.strip() for ln in (page.extract_text() or "").splitlines() if ln.strip()]
        counts.update(set(lines[:2] + lines[-2:]))
        middle += lines[2:-2]
    least = max(3, len(reader.pages) // 3)
    running = {line for line, n in counts.items() if n >= least and len(line) >= 8}
    return running, re.sub(r"\s+", " ", " ".join(middle))


@needs_realdocs
def test_no_chunk_holds_a_running_header_or_footer(real: tuple) -> None:
    path, _, chunks = real
    running, body = _running_lines(path)
    assert running, "pypdf should see the document's running lines"
    text = re.sub(r"\s+", " ", " ".join(c.text for c in chunks))
    for line in running:
        # The words of a running head may also be said in the body: no more often than there.
        assert text.count(line) <= body.count(line), f"running line {line!r} in the text"


@needs_realdocs
def test_no_chunk_holds_a_page_number_line(real: tuple) -> None:
    path, document, chunks = real
    total = len(document.sections) and max(s.page or 0 for s in document.sections)
    for chunk in chunks:
        assert not re.search(r"(^|\n)\s*\d{1,3}(\s*/\s*\d{1,3})?\s*($|\n)", chunk.text), (
            chunk.locator
        )
        # "n/32" footers of a 32-page document, even run into a sentence
        assert not re.search(rf"\b\d{{1,2}}/{total}\b(?!\.\d)", chunk.text) or total < 10, (
            chunk.locator
        )


@needs_realdocs
def test_footnotes_are_notes_of_their_page_not_body_text(real: tuple) -> None:
    _, document, chunks = real
    notes = [s for s in document.sections if _is_note(s.locator)]
    assert len(notes) >= 10, "both real documents have footnotes"
    body = [c.text for c in chunks if not _is_note(c.locator)]
    for note in notes:
        assert note.page is not None and note.locator.startswith(f"p. {note.page}, note ")
        text = note.text.split(" ", 1)[1]
        assert all(text not in chunk for chunk in body), f"{note.locator} runs into the body"


@needs_realdocs
def test_body_sentences_are_whole_not_pieces_of_lines(real: tuple) -> None:
    _, document, _ = real
    body = [s for s in document.sections if not _is_note(s.locator) and not _is_table(s.text)]
    broken = 0
    sentences = 0
    for section in body:
        if section.locator.startswith(("p. 1", "p. 2", "Table of Contents")):
            continue  # title and contents pages: a line each, as printed
        assert "\n" not in section.text, f"{section.locator}: lines not joined"
        pieces = split_sentences(section.text)
        sentences += len(pieces)
        broken += sum(1 for p in pieces[:-1] if not _SENTENCE_END.search(p))
    assert sentences > 50
    # A sentence cut at a line break ends without punctuation; allow headings run in.
    assert broken / sentences < 0.03, f"{broken} of {sentences} sentences cut mid-line"


@needs_realdocs
def test_no_chunk_is_a_table_of_contents(real: tuple) -> None:
    # A reader skips the contents page: its entries say where text is, not what it says.
    _, _, chunks = real
    for chunk in chunks:
        entries = [line for line in chunk.text.split("\n") if re.search(r"(…|\.{3,})\s*\d{1,4}$", line.strip())]
        assert len(entries) < 3, chunk.locator


@pytest.mark.skipif(not (REALDOCS / "ipbes_ilk_dialogue_spatial_planning_2025_en.pdf").is_file(), reason="no IPBES report")
def test_bold_headings_of_a_page_in_smaller_type_head_their_text() -> None:
    # The IPBES report's page 2 is set a point smaller than its body: "Acknowledgements" in
    # bold at that size heads its paragraph; it was read as the paragraph's first word.
    document = load_document(REALDOCS / "ipbes_ilk_dialogue_spatial_planning_2025_en.pdf")
    thanks = next(s for s in document.sections if s.locator == "Acknowledgements (p. 2)")
    assert thanks.text.startswith("IPBES would like to thank the Tharu community")
    assert not any(s.text.startswith(("Acknowledgements IPBES", "Disclaimer The text")) for s in document.sections)
    # The contents page, in bold at that size too, is still no section.
    assert not any("… 33" in s.locator or "… 2" in s.text for s in document.sections)


def test_a_page_of_contents_entries_is_skipped_and_body_text_kept() -> None:
    from ingest.formats.pdf_layout import Block
    from ingest.formats.pdf_sections import pdf_sections
    from ingest.formats.pdf_text import PdfText
    from ingest.limits import FileBudget, FileLimits

    contents = [Block("heading", "Contents", 2, 1)] + [
        Block("text", entry, 2) for entry in ("1 Introduction … 3", "2 Methods ..... 5", "3 Results . . . . 9")
    ]
    body = [
        Block("heading", "1 Introduction", 3, 1),
        Block("text", "Restoration began in 2010 … and the survey of page 3 followed in 12", 3),
        Block("text", "Farmers build stone bunds along the contours.", 3),
    ]
    reading = PdfText(pages=3, title="Report", blocks=contents + body)
    sections = pdf_sections(reading, FileBudget(Path("report.pdf"), FileLimits())).sections
    texts = [s.text for s in sections]
    assert not any("Methods" in t for t in texts)
    # One line ending in a number on a page of body text is no contents entry.
    assert texts == [b.text for b in body if b.kind == "text"]


@needs_realdocs
def test_every_chunk_says_its_page(real: tuple) -> None:
    _, _, chunks = real
    for chunk in chunks:
        assert chunk.page is not None
        assert f"p. {chunk.page}" in chunk.locator


# --- decision 16/31 ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def decision() -> LoadedDocument:
    if not DECISION_16_31.is_file():
        pytest.skip(f"decision 16/31 not present at {DECISION_16_31}")
    return load_document(DECISION_16_31)


def test_16_31_is_a_decision_with_its_symbol_and_year(decision: LoadedDocument) -> None:
    assert decision.meta.kind == "decision"
    assert decision.meta.symbol == "16/31"
    assert decision.meta.year == 2025
    assert decision.meta.doc_id == "cbd-cop16-dec31-gbf-monitoring-framework-en"
    assert decision.meta.title.startswith("Monitoring framework for the Kunming-Montreal")


def test_16_31_numbered_paragraphs(decision: LoadedDocument) -> None:
    paragraphs = [s.paragraph for s in decision.sections if s.paragraph]
    operative = [p for p in paragraphs if p.isdigit()]
    assert operative == [str(n) for n in range(1, 33)]
    assert [p for p in paragraphs if p.startswith("pp")] == [f"pp{n}" for n in range(1, 14)]
    assert [p for p in paragraphs if p.startswith("27(")] == ["27(a)", "27(b)", "27(c)"]
    assert [p for p in paragraphs if p.startswith("30(")] == [f"30({c})" for c in "abcd"]
    by_id = {s.paragraph: s for s in decision.sections if s.paragraph}
    assert by_id["27"].locator == "para. 27 (p. 5)"
    assert by_id["27(b)"].context.startswith("27. Requests the Executive Secretary")
    assert by_id["1"].text.startswith("1. Endorses the technical updates")
    assert "1.1, 7.2 (as identified in annex I)" in by_id["30(a)"].text


def test_16_31_title_block_says_where_and_when(decision: LoadedDocument) -> None:
    opening = decision.sections[0]
    assert opening.page == 1 and not opening.paragraph
    assert "Rome, 25–27 February 2025" in opening.text
    assert "Sixteenth meeting, second resumed session" in opening.text


def test_16_31_annex_tables_are_markdown_rows(decision: LoadedDocument) -> None:
    tables = [s for s in decision.sections if ", table " in s.locator]
    annexes = {s.locator.split(",")[0] for s in tables}
    assert annexes == {"annex I", "annex II", "annex III"}
    annex_1 = [s for s in tables if s.locator.startswith("annex I, table 1 ")]
    assert annex_1 and annex_1[0].locator == "annex I, table 1 (p. 6)"
    assert annex_1[0].text.startswith("| Goal/target | Headline or binary indicator |\n|---|---|")
    rows = [row for s in annex_1 for row in s.text.splitlines()]
    assert "| 2 | 2.1 Area under restoration |" in rows
    annex_2 = "\n".join(s.text for s in tables if s.locator.startswith("annex II,"))
    target_2 = next(
        r for r in annex_2.splitlines() if r.startswith("| 2 | 2.1 Area under restoration")
    )
    cells = [c.strip() for c in target_2.strip("|").split("|")]
    assert cells[3] == "2.CT.1 Proportion of land that is degraded over total land area"
    assert cells[4].startswith("2.CY.1 Global Ecosystem Restoration Index")
    assert "By type of restoration activity" in cells[2]
    # The subscript of CO2 stays in its word; the compound broken at a cell's line end is whole.
    assert "16.CY.4 CO2 emission per unit of value added" in annex_2
    assert "value added 2" not in annex_2
    assert "benefit-sharing instruments" in annex_2 and "benefit- sharing" not in annex_2


# --- built fixtures ---------------------------------------------------------------------


def _fixture_pdf(path: Path) -> Path:
    """A three-page report: running header, page numbers, headings, a footnote, a
    hyphenated word, a two-column page and a ruled table."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, "Field Manual on Dryland Restoration - draft for review", align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, str(self.page_no()), align="C")

    pdf = Report()
    pdf.set_auto_page_break(False)
    body = (
        "Restoration of degraded drylands starts with soil and water. Farmers build "
        "stone bunds along the contours so that runoff slows and sinks in. "
    )
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "1 Water harvesting", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, body * 4 + "Grazing is managed by the community.")
    pdf.ln(4)
    pdf.multi_cell(
        0, 5.5, "Half-moons catch rain for trees; the practice is described in the regional guide."
    )
    pdf.ln(4)
    # A word hyphenated at a line end, which the document also spells whole elsewhere.
    pdf.cell(0, 5.5, "Each plot is monitored for regener-", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5.5, "ation of native grasses every season.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 5.5, "Natural regeneration is cheaper than planting.")
    pdf.set_y(-40)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, "1 Regional guide to half-moons, second edition, 2019.")
    for _ in range(2):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, "2 Two columns", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        top = pdf.get_y()
        pdf.set_xy(10, top)
        left = "Left column text about seed banks keeps going. " * 12
        pdf.multi_cell(90, 5.5, left + "Left column ends here.")
        pdf.set_xy(110, top)
        right = "Right column text about grazing plans keeps going. " * 12
        pdf.multi_cell(90, 5.5, right + "Right column ends here.")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "3 Costs", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    with pdf.table(col_widths=(40, 60, 50)) as table:
        for row in (
            ("Practice", "Cost per hectare", "Labour"),
            ("Stone bunds", "120 USD", "30 days"),
            ("Half-moons", "80 USD", "20 days"),
        ):
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.ln(6)
    pdf.multi_cell(0, 5.5, "Costs vary with the distance to stones.")
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> LoadedDocument:
    return load_document(_fixture_pdf(tmp_path_factory.mktemp("pdf") / "field-manual.pdf"))


def _texts(document: LoadedDocument) -> list[Section]:
    return [s for s in document.sections if not _is_note(s.locator)]


def test_built_running_header_and_page_numbers_removed(built: LoadedDocument) -> None:
    for section in built.sections:
        assert "draft for review" not in section.text
        assert not re.fullmatch(r"\d+", section.text.strip())


def test_built_year_is_not_a_year_the_text_mentions(built: LoadedDocument) -> None:
    # Page 1 opens with a heading and body text; the footnote's "2019" dates a source.
    assert built.meta.year is None


def test_built_headings_become_locators_with_pages(built: LoadedDocument) -> None:
    locators = [s.locator for s in _texts(built)]
    assert "1 Water harvesting (p. 1)" in locators
    assert "2 Two columns (p. 2)" in locators
    assert any(loc.startswith("3 Costs, table 1 (p. 4)") for loc in locators)


def test_built_lines_joined_and_hyphenation_undone(built: LoadedDocument) -> None:
    text = " ".join(s.text for s in _texts(built))
    assert "monitored for regeneration of native grasses" in text
    assert "Half-moons catch rain" in text  # a real hyphen stays
    first = next(s for s in _texts(built) if s.text.startswith("Restoration of degraded"))
    assert "\n" not in first.text and first.text.endswith("Grazing is managed by the community.")


def test_built_footnote_is_a_note_of_its_page(built: LoadedDocument) -> None:
    notes = [s for s in built.sections if _is_note(s.locator)]
    assert [(n.locator, n.text) for n in notes] == [
        ("p. 1, note 1", "1 Regional guide to half-moons, second edition, 2019.")
    ]
    assert all("second edition" not in s.text for s in _texts(built))


def test_built_two_columns_read_in_order(built: LoadedDocument) -> None:
    page = [s.text for s in _texts(built) if s.page == 2]
    joined = " ".join(page)
    assert joined.index("Left column ends here.") < joined.index("Right column text")
    assert "seed banks keeps going. Right column" not in joined.replace("\n", " ")[:200]
    assert any(
        t.startswith("Left column text") and t.endswith("Left column ends here.") for t in page
    )


def test_built_table_is_markdown_rows(built: LoadedDocument) -> None:
    table = next(s for s in built.sections if ", table 1" in s.locator)
    assert table.text.splitlines() == [
        "| Practice | Cost per hectare | Labour |",
        "|---|---|---|",
        "| Stone bunds | 120 USD | 30 days |",
        "| Half-moons | 80 USD | 20 days |",
    ]
    after = [s.text for s in _texts(built) if s.page == 4 and not _is_table(s.text)]
    assert after == ["Costs vary with the distance to stones."]


def test_join_text_keeps_compounds_and_cjk() -> None:
    vocabulary = {"benefit-sharing", "restoration"}
    assert join_text(["access and benefit-", "sharing"], vocabulary) == "access and benefit-sharing"
    assert (
        join_text(["ecosystem restor-", "ation works"], vocabulary) == "ecosystem restoration works"
    )
    assert join_text(["生态系统恢复", "将在实现"], set()) == "生态系统恢复将在实现"


def _decision_pdf(path: Path) -> Path:
    """A two-page decision in the CBD layout: symbol header, paragraphs, a note, an annex table."""
    from fpdf import FPDF

    class Decision(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Times", size=9)
                self.cell(0, 6, "CBD/COP/DEC/16/99")
                self.ln(10)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Times", size=9)
            self.cell(0, 6, f"{self.page_no()}/3", align="R")

    pdf = Decision()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Times", size=11)
    for line in (
        "Conference of the Parties to the Convention on Biological Diversity",
        "Sixteenth meeting",
        "Rome, 25-27 February 2025",
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Times", "B", 11)
    pdf.cell(0, 6, "16/99. Restoration of inland waters", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", "I", 11)
    pdf.cell(0, 6, "The Conference of the Parties,", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", size=11)
    paragraphs = ["Recalling decision 15/4 on the framework,"] + [
        f"{n}. {verb} Parties to restore rivers and lakes, " + "and to monitor them " * 12 + ";"
        for n, verb in enumerate(["Encourages", "Invites", "Urges", "Requests"], start=1)
    ]
    for text in paragraphs:
        pdf.ln(3)
        pdf.multi_cell(0, 5.5, text)
    pdf.set_y(-40)
    pdf.set_font("Times", size=8)
    pdf.multi_cell(0, 4, "1 See CBD/SBSTTA/26/INF/1.")
    pdf.add_page()
    pdf.set_font("Times", size=11)
    for n in (5, 6):
        pdf.ln(3)
        pdf.multi_cell(0, 5.5, f"{n}. Decides to review progress, " + "with Parties " * 15 + ".")
    pdf.ln(6)
    pdf.set_font("Times", "B", 12)
    pdf.cell(0, 7, "Annex I", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "Indicators for inland waters", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Times", size=10)
    with pdf.table(col_widths=(30, 120)) as table:
        for row in (
            ("Target", "Indicator"),
            ("2", "2.1 Area under restoration"),
            ("3", "3.1 Coverage of protected areas"),
        ):
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.add_page()
    pdf.set_font("Times", size=11)
    pdf.multi_cell(0, 5.5, "Parties report on these indicators in their national reports. " * 8)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_built_decision_pdf_paragraphs_annex_and_pages(tmp_path: Path) -> None:
    document = load_document(_decision_pdf(tmp_path / "dec-16-99.pdf"))
    assert (document.meta.kind, document.meta.symbol, document.meta.year) == (
        "decision",
        "16/99",
        2025,
    )
    paragraphs = [(s.paragraph, s.locator) for s in document.sections if s.paragraph]
    assert paragraphs == [
        ("pp1", "preambular para. 1 (p. 1)"),
        ("1", "para. 1 (p. 1)"),
        ("2", "para. 2 (p. 1)"),
        ("3", "para. 3 (p. 1)"),
        ("4", "para. 4 (p. 1)"),
        ("5", "para. 5 (p. 2)"),
        ("6", "para. 6 (p. 2)"),
    ]
    table = next(s for s in document.sections if s.locator == "annex I, table 1, Target 2 (p. 2)")
    assert "| 2 | 2.1 Area under restoration |" in table.text.splitlines()
    assert table.context == "Annex I: Indicators for inland waters"
    notes = [s for s in document.sections if _is_note(s.locator)]
    assert [n.locator for n in notes] == ["p. 1, note 1"]
    for section in document.sections:
        assert "CBD/COP/DEC/16/99" not in section.text
        assert not re.search(r"\b\d/3\b", section.text)
        assert "SBSTTA/26/INF/1" not in section.text or section in notes


def test_16_31_tables_read_over_page_breaks(decision: LoadedDocument) -> None:
    """A table row cut by a page break is one row again; no chunk of a table is its header
    alone or rows without their header; a questionnaire's pieces say which target they are in."""
    from assistant.core.settings import Settings
    from ingest.chunking import chunk_document

    tables = [s for s in decision.sections if ", table " in s.locator]
    # Annex II is one table over its pages (its header row repeats on every page); each
    # piece names the target its first row is in (numbered under "Goal/target").
    annex_2 = [s for s in tables if s.locator.startswith("annex II,")]
    assert {s.locator.split(", Target")[0].split(" (p.")[0] for s in annex_2} == {"annex II, table 1"}
    targets = {s.locator.split(" (p.")[0] for s in annex_2} - {"annex II, table 1"}  # goals A-D: lettered
    # (A piece is named for the row it opens with; target 19's row sits inside target 18's.)
    assert targets == {f"annex II, table 1, Target {n}" for n in range(1, 24) if n != 19}
    defenders = next(s for s in annex_2 if "22.CT.2 Number of verified cases" in s.text)
    assert defenders.locator == "annex II, table 1, Target 22 (p. 21)"  # a piece with no "| 22 |" cell
    rows = [r for s in tables if s.locator.startswith("annex II,") for r in s.text.splitlines()]
    target_1 = next(r for r in rows if r.startswith("| 1 | A.1 Red List of Ecosystems"))
    assert "biodiversity-inclusive spatial plans" in target_1  # the part printed on p. 13
    assert not any(r.startswith("|  | biodiversity-inclusive spatial plans") for r in rows)
    # Annex III's questions are grouped by target; a piece on p. 31 is still in Target 22.
    rights = next(s for s in tables if "(b) Respect the following rights" in s.text)
    assert rights.locator == "annex III, table 1, Target 22 (p. 31)"
    assert rights.text.startswith("|  |  |\n|---|---|\n")  # no data row posing as a header
    settings = Settings()
    chunks = chunk_document(decision, settings.chunk_size, settings.chunk_overlap)
    for chunk in (c for c in chunks if ", table " in c.locator):
        lines = chunk.text.splitlines()
        assert lines[0].startswith("|") and lines[1].startswith("|---"), chunk.locator
        assert len(lines) > 2, f"a header alone: {chunk.locator}"


# --- layouts met in a library of real reports (IPBES workshop reports, 2019-2026) --------


def _line_words(n: int, start: float, end: float) -> list[tuple[float, float]]:
    """Word boxes filling [start, end] like a line of text: widths vary line by line, 3 pt gaps."""
    boxes, x, i = [], start, 0
    while x < end - 20:
        width = min(18 + (7 * n + 11 * i) % 29, end - x)
        boxes.append((x, x + width))
        x += width + 3
        i += 1
    return boxes


def _words(rows: list[list[tuple[float, float]]], pitch: float = 14.0) -> list[dict]:
    """Word boxes as pdfplumber gives them, a row of (x0, x1) boxes a line."""
    return [
        {"text": "word", "x0": x0, "x1": x1, "top": 80 + pitch * n, "bottom": 91 + pitch * n}
        for n, row in enumerate(rows)
        for x0, x1 in row
    ]


def test_two_columns_of_text_have_a_gutter() -> None:
    from ingest.formats.pdf_layout import _gutter

    rows = [_line_words(n, 72, 300) + _line_words(n + 5, 318, 540) for n in range(12)]
    gutter = _gutter(_words(rows))
    assert gutter is not None and 300 <= gutter <= 318


def test_a_table_without_rules_is_not_two_columns() -> None:
    # A participants list: short names at the left, long affiliations from a third of the
    # way across. Read as columns, every name came before every affiliation.
    from ingest.formats.pdf_layout import _gutter

    rows = [_line_words(n, 59, 200) + _line_words(n + 3, 238, 536) for n in range(12)]
    assert _gutter(_words(rows)) is None


def test_one_column_cut_between_words_by_chance_is_not_two_columns() -> None:
    # A page of a few lines where a strip happens to fall between words on every line: the
    # words after it start anywhere, not at a column's edge.
    from ingest.formats.pdf_layout import _gutter

    rows = [_line_words(n, 72, 286) + _line_words(n, 289 + 7 * n, 540) for n in range(8)]
    assert _gutter(_words(rows)) is None


def _folio_pdf(path: Path) -> Path:
    """Pages whose number is set just above the foot band, in landscape and portrait."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for number, orientation in enumerate(("P", "L", "P"), start=1):
        pdf.add_page(orientation=orientation)
        pdf.set_font("Helvetica", size=11)
        text = f"Page {number} tells how the community restored its grazing land. "
        pdf.multi_cell(0, 5.5, text * 6)
        pdf.set_y(pdf.h * 0.895)  # the number's top above the foot band, its foot inside it
        pdf.cell(0, 5, str(number), align="C")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_page_number_reaching_into_the_foot_band_is_dropped(tmp_path: Path) -> None:
    # Left in, "2" ran into the next page's first sentence ("2 Page 3 tells how…").
    document = load_document(_folio_pdf(tmp_path / "folios.pdf"))
    text = " ".join(s.text for s in document.sections)
    assert "Page 1 tells" in text and "Page 3 tells" in text
    assert not re.search(r"(?<![\w.])[123] Page", text), text[:300]
    assert all(not re.fullmatch(r"\s*\d+\s*", s.text) for s in document.sections)


def _cover_pdf(path: Path, subtitle: str, embedded: str = "") -> Path:
    """A report's cover: its title set over several headings, a subtitle, a date line.

    ``embedded``: the title in the file's properties; the second page repeats the title.
    """
    from fpdf import FPDF

    pdf = FPDF()
    if embedded:
        pdf.set_title(embedded)
    pdf.add_page()
    for size, style, text in (
        (22, "", "Report"),
        (24, "B", _LONG_TITLE),
        (18, "", subtitle),
    ):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 6, "Online, 17-21 May 2021")
    pdf.add_page()
    if embedded:
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 8, "Report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5.5, "Participants shared how their communities restore grazing land. " * 12)
    path.write_bytes(bytes(pdf.output()))
    return path


_LONG_TITLE = (
    "Dialogue workshop on the draft summary for policymakers and second order draft of the"
    " chapters of the assessment of the sustainable use of wild species"
)


def test_a_cover_title_set_over_several_headings_is_the_title(tmp_path: Path) -> None:
    # The first heading alone ("Report") names no document, and the cover's lines read as
    # text were cut at the long one: the file name stood in for the title.
    short = load_document(_cover_pdf(tmp_path / "cover-a.pdf", "Reviewing the draft"))
    assert short.meta.title == f"Report {_LONG_TITLE} Reviewing the draft"
    assert short.meta.year == 2021  # the cover's date line, "Online, 17-21 May 2021"
    # A subtitle that would make the title longer than a title is left out.
    long = load_document(_cover_pdf(tmp_path / "cover-b.pdf", "Reviewing the drafts " * 3))
    assert long.meta.title == f"Report {_LONG_TITLE}"
    # The title a word processor wrote into the file names the file, not the document:
    # the cover gives it (it had been read from the opening lines of two pages).
    tool = load_document(_cover_pdf(tmp_path / "cover-c.pdf", "Reviewing the draft", "Microsoft Word - rpt_v3.docx"))
    assert tool.meta.title == f"Report {_LONG_TITLE} Reviewing the draft"


def _grid(pdf: object, top: float, rows: list[tuple[str, str]], *, subscript_row: int = -1) -> None:
    """Draw a two-column ruled table at ``top``; row ``subscript_row`` writes "CO" with a lowered "2"."""
    left, middle, right, height = 20.0, 80.0, 190.0, 12.0
    for i, (first, second) in enumerate(rows):
        y = top + i * height
        pdf.rect(left, y, right - left, height)  # type: ignore[attr-defined]
        pdf.line(middle, y, middle, y + height)  # type: ignore[attr-defined]
        pdf.set_font("Helvetica", size=11)  # type: ignore[attr-defined]
        pdf.text(left + 2, y + 7, first)  # type: ignore[attr-defined]
        if i == subscript_row:
            pdf.text(middle + 2, y + 7, "CO")  # type: ignore[attr-defined]
            pdf.set_font("Helvetica", size=7)  # type: ignore[attr-defined]
            pdf.text(middle + 7.9, y + 7.6, "2")  # type: ignore[attr-defined]
            pdf.set_font("Helvetica", size=11)  # type: ignore[attr-defined]
            pdf.text(middle + 10.4, y + 7, second)  # type: ignore[attr-defined]
        else:
            pdf.text(middle + 2, y + 7, second)  # type: ignore[attr-defined]


def _long_table_pdf(path: Path) -> Path:
    """A ruled table carried over a page break, its header printed on the first page only."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.text(20, 25, "Indicators of natural resources")
    pdf.set_font("Helvetica", size=11)
    pdf.text(20, 40, "The indicators below are reported every year by each emirate.")
    header = ("Indicator", "Measured as")
    _grid(pdf, 200, [header, ("Forest area", "Hectares of plantations and natural forest"),
                     ("Emissions", "emission per unit of value added")], subscript_row=2)
    pdf.add_page()
    _grid(pdf, 20, [("Water use", "Cubic metres withdrawn per year"),
                    ("Soil loss", "Tonnes of topsoil lost per hectare")])
    pdf.set_font("Helvetica", size=11)
    pdf.text(20, 60, "Each indicator is reviewed by the environment agency.")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_table_over_a_page_break_keeps_its_number_labels_and_subscripts(tmp_path: Path) -> None:
    document = load_document(_long_table_pdf(tmp_path / "indicators.pdf"))
    tables = [s for s in document.sections if _is_table(s.text)]
    assert [s.locator for s in tables] == [
        "Indicators of natural resources, table 1 (p. 1)",
        "Indicators of natural resources, table 1 (p. 2)",
    ]
    # The part on page 2 printed no header: it is given the column labels of page 1.
    assert all(s.text.startswith("| Indicator | Measured as |\n|---|---|\n") for s in tables)
    assert "| Water use | Cubic metres withdrawn per year |" in tables[1].text
    # A subscript set lower than its line is read in place, not at the cell's end.
    assert "| Emissions | CO2 emission per unit of value added |" in tables[0].text


def test_a_hyphen_written_as_several_glyphs_is_one_and_soft_hyphens_are_invisible() -> None:
    from ingest.formats.pdf_layout import _plain, join_text

    # Word for Mac writes the hyphen of "land-use" as "-", U+00AD and U+2010.
    assert _plain("land-\u00ad\u2010use and ozone\u2010depleting") == "land-use and ozone-depleting"
    assert _plain("restor\u00adation of land") == "restoration of land"
    # At a line's end a soft hyphen still joins the word; a hyphen of a compound stays.
    lines = [_plain("the restor\u00ad"), _plain("ation of ozone-\u00ad\u2010"), _plain("depleting gases")]
    assert join_text(lines, set()) == "the restoration of ozone-depleting gases"


def _indicator_book_pdf(path: Path) -> Path:
    """Two indicators, each with the same bold sub-heading "Definition:" over its text."""
    from fpdf import FPDF

    pdf = FPDF()
    for name, text in (
        ("INDICATOR OF AIR QUALITY", "The air quality index tells the public how polluted the air is. "),
        ("INDICATOR OF BIODIVERSITY", "The biodiversity indicator measures how habitats change. "),
    ):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 10, name, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, "Definition:", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 5.5, text * 8)
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, f"Sources of {name.split()[-1].lower()} data", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 5.5, "Monitoring stations report every day to the agency. " * 6)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_heading_repeated_under_several_others_is_cited_with_the_one_above(tmp_path: Path) -> None:
    document = load_document(_indicator_book_pdf(tmp_path / "indicators.pdf"))
    locators = list(dict.fromkeys(s.locator for s in document.sections))
    # "Definition:" alone would not say which indicator's definition is quoted.
    assert "INDICATOR OF AIR QUALITY, Definition (p. 1)" in locators
    assert "INDICATOR OF BIODIVERSITY, Definition (p. 2)" in locators
    # A heading said once names its place alone.
    assert "Sources of biodiversity data (p. 2)" in locators


def test_contents_without_page_numbers_are_skipped(tmp_path: Path) -> None:
    # A document exported with linked contents lists its headings with no page numbers;
    # read as one paragraph ("Soil and water Grazing plans Monitoring"), it is no text.
    from fpdf import FPDF

    headings = ("Soil and water", "Grazing plans", "Monitoring the land")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Field guide to dryland restoration", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for heading in headings:
        pdf.cell(0, 5.5, heading, new_x="LMARGIN", new_y="NEXT")
    for heading in headings:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 5.5, f"Communities work on {heading.lower()} together every season. " * 6)
    path = tmp_path / "guide.pdf"
    path.write_bytes(bytes(pdf.output()))
    document = load_document(path)
    assert [s.locator for s in document.sections] == [f"{h} (p. {n})" for n, h in enumerate(headings, start=2)]
