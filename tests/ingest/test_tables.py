"""Tables read as a reader reads them (ingest/tables.py): headers, page breaks, groups."""

from __future__ import annotations

from assistant.core.records import DocumentMeta, LoadedDocument, Section
from assistant.language.references import names_numbered
from ingest.chunking import chunk_document
from ingest.tables import Tables, is_header, join_continued, markdown_rows, table_pieces

HEADER = ("Goal/target", "Headline indicator", "Optional disaggregations")


def test_a_header_is_a_row_of_short_labels() -> None:
    assert is_header(HEADER)
    assert not is_header(("Target 16: Ensure that people are encouraged " * 3, ""))
    assert not is_header(("", "Monday 18 August"))


def test_a_table_without_a_header_gets_an_empty_one() -> None:
    rows = (
        ("Target 22: Ensure full participation", ""),
        ("22.1 Does your country …", "(a) No (b) Yes"),
    )
    assert markdown_rows(rows).splitlines() == [
        "|  |  |",
        "|---|---|",
        "| Target 22: Ensure full participation |  |",
        "| 22.1 Does your country … | (a) No (b) Yes |",
    ]
    assert markdown_rows((HEADER, ("2", "2.1 Area under restoration", "By type"))).startswith(
        "| Goal/target | Headline indicator | Optional disaggregations |\n|---|---|---|"
    )


def test_a_row_cut_by_a_page_break_is_joined_again() -> None:
    before = (HEADER, ("1", "1.b Number of countries using", "By ecosystem"))
    after = (
        HEADER,
        ("", "biodiversity-inclusive spatial plans", ""),
        ("2", "2.1 Area under restoration", "By type"),
    )
    mended, rest = join_continued(before, after)
    assert mended[-1] == (
        "1",
        "1.b Number of countries using biodiversity-inclusive spatial plans",
        "By ecosystem",
    )
    assert rest == (
        HEADER,
        ("2", "2.1 Area under restoration", "By type"),
    )  # header kept: read alone
    # A next part holding only the rest of the cut row is used up.
    assert join_continued(before, (HEADER, ("", "", "By territories")))[1] == ()
    # Another table (another width) is left alone.
    other = (("a", "b"), ("c", "d"))
    assert join_continued(before, other) == (before, other)


def test_pieces_name_the_group_they_start_in_across_page_breaks() -> None:
    rows = [("Target 20: Strengthen capacity", ""), ("20.1 Plans?", "(a) No (b) Yes")]
    rows += [("Target 22: Ensure participation", ""), ("22.1 Frameworks that:", "")]
    rows += [(f"({c}) Item {c} " + "words " * 20, "(a) No") for c in "ab"]
    tables = Tables()
    first = tables.pieces(markdown_rows(tuple(rows)), limit=250)
    assert [p.group for p in first][:2] == ["Target 20", "Target 22"]
    assert first[-1].group == "Target 22"
    # The same table on the next page: same number, and its first piece is still in Target 22.
    following = tables.pieces(
        markdown_rows((("(c) Item c " + "words " * 20, "(a) No"),)), limit=250
    )
    assert tables.number == 1 and following[0].group == "Target 22"
    assert (
        tables.locator("annex III, ", following[0], 31) == "annex III, table 1, Target 22 (p. 31)"
    )
    tables.interrupt()  # text between: the next table is another one
    tables.pieces(markdown_rows((("Target 1: Plan", ""), ("1.1 x", "y"))))
    assert tables.number == 2


def test_a_long_row_stays_under_its_header_in_one_chunk() -> None:
    row = (
        "| 3 | 3.1 Coverage of protected areas | "
        + "By realm, biome and ecosystem group " * 24
        + "|"
    )
    text = f"| Goal/target | Headline | Disaggregations |\n|---|---|---|\n{row}"
    assert len(table_pieces(text)) == 1
    meta = DocumentMeta(doc_id="d", title="T", kind="decision", language="en", source="d.pdf")
    doc = LoadedDocument(meta, (Section(text, "annex II, table 1 (p. 13)", page=13),), "h", "d.pdf")
    chunks = chunk_document(doc, chunk_size=1000, chunk_overlap=100)
    assert all(
        c.text.startswith("| Goal/target | Headline | Disaggregations |\n|---|") for c in chunks
    )
    assert all(c.text.count("\n") >= 2 for c in chunks)  # never the header alone
    # Far longer than a chunk: cut like text, every part still under the header.
    huge = f"| Goal/target | Headline | Disaggregations |\n|---|---|---|\n{row * 3}"
    doc = LoadedDocument(meta, (Section(huge, "annex II, table 1 (p. 13)", page=13),), "h", "d.pdf")
    parts = chunk_document(doc, chunk_size=1000, chunk_overlap=100)
    assert len(parts) > 1 and all(p.text.startswith("| Goal/target |") for p in parts)


def test_a_table_column_headed_target_names_the_target_of_its_rows() -> None:
    text = "| Goal/target | Headline |\n|---|---|\n| 2 | 2.1 Area under restoration |\n| 3 | 3.1 Coverage |"
    assert names_numbered(text, "2") and names_numbered(text, "3")
    assert not names_numbered(text, "4")
    assert not names_numbered(
        "| Row | Value |\n|---|---|\n| 2 | x |", "2"
    )  # no locator word heads it


def test_a_row_numbered_under_goal_target_names_its_pieces() -> None:
    # Decision 16/31's annex II: a long row of target 22 is cut into pieces, the later ones
    # without the "| 22 |" cell; each piece still says which target it belongs to.
    rows = [("Goal/target", "Headline", "Component")]
    rows += [("21", "21.1 Indicator " + "words " * 10, "21.CT.1")]
    rows += [("22", "22.1 Land-use change " + "words " * 30, "22.CT.1 Tenure " + "words " * 30)]
    rows += [("", "22.b Countries taking action", "22.CT.2 Number of verified cases")]
    tables = Tables()
    pieces = tables.pieces(markdown_rows(tuple(rows)), limit=250)
    assert [p.group for p in pieces] == ["Target 21", "Target 22", "Target 22"]
    assert tables.locator("annex II, ", pieces[-1], 21) == "annex II, table 1, Target 22 (p. 21)"
    # A number under a column headed by no locator word opens no group.
    plain = table_pieces(markdown_rows((("Row", "Value"), ("2", "x"), ("3", "y"))), limit=40)
    assert all(p.group == "" for p in plain)
