"""Formats practitioners have: reStructuredText, OpenDocument text, numbered web pages."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.chunking import chunk_document
from ingest.limits import FileLimits
from ingest.loaders import SUPPORTED_SUFFIXES, load_document

REALDOCS = Path(__file__).resolve().parents[2].parent / "shared" / "realdocs"
SEPLAN = REALDOCS / "fao_sepal_seplan_forest_restoration_planning_manual_en.rst"
# Markup that must never reach a passage: directives, Sphinx roles, substitutions. (Markup
# the source itself gets wrong, such as a stray backtick, is printed as docutils prints it.)
LEAKED_MARKUP = re.compile(
    r"^\s*\.\. |\.\. [\w-]+::|:(ref|doc|guilabel|icon|numref|term|menuselection):`|\|\w+\|",
    re.MULTILINE,
)


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _by_locator(document: LoadedDocument) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for section in document.sections:
        found.setdefault(section.locator, []).append(section.text)
    return found


# --- reStructuredText ------------------------------------------------------------------------

RST = """\
=====================
Wetland restoration
=====================

*A field manual for practitioners.*

.. _site-selection:

Choosing sites
==============

Pick sites where the water table can be restored. See :ref:`monitoring` and press
:guilabel:`Run` to compute. :icon:`fa-solid fa-pencil` Edit the map.

.. youtube:: 37pCFhF4zBI

.. rst-class:: center

Parties are invited to:

(a) Map degraded peatlands;
(b) Block drainage ditches.

.. note::

   Rewetting takes years to show results.

.. image:: map.png

.. include:: /etc/passwd

.. raw:: html

   <script>alert(1)</script>

.. _monitoring:

Monitoring progress
===================

Steps
-----

1. Measure the water table.
2. Count returning species.

+----------------+--------------+
| Indicator      | Unit         |
+================+==============+
| Water table    | cm           |
+----------------+--------------+
| Species | pair | count        |
+----------------+--------------+

Glossary
  Rewetting: raising the water table.

.. This comment is not text.
"""


def test_rst_sections_lists_and_tables(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "wetland-manual.rst", RST))
    assert document.meta.title == "Wetland restoration"
    assert document.meta.kind == "guidance"  # "manual" in its own opening line
    sections = _by_locator(document)
    assert list(sections) == ["Wetland restoration", "Choosing sites", "Steps"]
    choosing = sections["Choosing sites"]
    # a role keeps what a reader sees: the section a :ref: names, a button's label
    assert choosing[0] == (
        "Pick sites where the water table can be restored. See Monitoring progress and press"
        " Run to compute. Edit the map."
    )
    assert "(a) Map degraded peatlands;\n(b) Block drainage ditches." in choosing
    assert "Note: Rewetting takes years to show results." in choosing
    steps = sections["Steps"]
    assert "1. Measure the water table.\n2. Count returning species." in steps
    assert (
        "| Indicator | Unit |\n| --- | --- |\n| Water table | cm |\n| Species \\| pair | count |"
        in steps
    )
    assert "Glossary: Rewetting: raising the water table." in steps


def test_rst_directives_and_includes_leave_nothing_behind(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "wetland-manual.rst", RST))
    text = "\n".join(s.text for s in document.sections)
    assert not LEAKED_MARKUP.search(text), LEAKED_MARKUP.search(text)
    for leaked in (
        "youtube",
        "37pCFhF4zBI",
        "rst-class",
        "root:",
        "<script>",
        "map.png",
        "comment",
    ):
        assert leaked not in text


def test_rst_front_matter_and_an_overlined_title(tmp_path: Path) -> None:
    with_front = "---\ntitle: Declared title\nkind: report\n---\n" + RST
    document = load_document(_write(tmp_path, "declared.rst", with_front))
    assert (document.meta.title, document.meta.kind) == ("Declared title", "report")
    overlined = "---\nMud\n---\n\nA paragraph of text.\n"
    document = load_document(_write(tmp_path, "overlined.rst", overlined))
    assert document.meta.title == "Mud"  # a section overline, not front matter


@pytest.mark.parametrize(
    "data",
    [b".. image:: x.png\n", b".. comment only\n", "\u2028\u2029 ..\n  ::\n".encode()],
)
def test_rst_with_no_text_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(IngestError, match="no readable text|no text to index"):
        load_document(_write(tmp_path, "empty.rst", data))


@pytest.mark.skipif(not SEPLAN.exists(), reason="real documents not present (../shared/realdocs)")
def test_real_rst_manual_reads_as_a_person_reads_it() -> None:
    document = load_document(SEPLAN)
    assert document.meta.title == "se.plan"  # its own title, not the file name
    assert document.meta.doc_id == "fao-sepal-seplan-forest-restoration-planning-manual-en"
    assert document.meta.language == "en"
    locators = list(dict.fromkeys(s.locator for s in document.sections))
    for heading in ("Overview", "Restoration benefits", "Restoration cost", "Benefit–cost ratio"):
        assert heading in locators
    assert not any(loc.startswith("fao_") for loc in locators)
    chunks = chunk_document(document, chunk_size=1000, chunk_overlap=100)
    for chunk in chunks:
        assert not LEAKED_MARKUP.search(chunk.text), (chunk.locator, chunk.text[:300])
        assert ".. image::" not in chunk.text and "system_message" not in chunk.text
    benefits = " ".join(c.text for c in chunks if c.locator == "Restoration benefits")
    assert "- biodiversity conservation\n- carbon sequestration" in benefits
    # Tables are Markdown rows, cut between rows with the header repeated; only a row too
    # long for a chunk with its header is left to the chunker.
    tables = [c.text for c in chunks if c.text.startswith("| ")]
    assert len(tables) >= 17 and "| --- |" in tables[0]
    assert all("| --- |" in t for t in tables if len(t) < 800)


# --- OpenDocument text ---------------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
ODT_BODY = """
<text:h text:outline-level="1">Mangrove replanting in the delta</text:h>
<text:p>Communities replanted<text:s text:c="2"/>mangroves<text:note text:note-class="footnote">
<text:note-citation>1</text:note-citation><text:note-body><text:p>Footnote body text.</text:p>
</text:note-body></text:note> along the coast.</text:p>
<text:h text:outline-level="2">Lessons learned</text:h>
<text:list text:style-name="L1">
  <text:list-item><text:p>Involve fishers early.</text:p></text:list-item>
  <text:list-item><text:p>Plant the right species.</text:p>
    <text:list><text:list-item><text:p>Rhizophora on mud.</text:p></text:list-item></text:list>
  </text:list-item>
</text:list>
<table:table>
  <table:table-header-rows><table:table-row>
    <table:table-cell><text:p>Year</text:p></table:table-cell>
    <table:table-cell><text:p>Hectares</text:p></table:table-cell>
  </table:table-row></table:table-header-rows>
  <table:table-row>
    <table:table-cell><text:p>2019</text:p></table:table-cell>
    <table:table-cell><text:p>120</text:p></table:table-cell>
  </table:table-row>
</table:table>
"""
ODT_STYLES = """<office:automatic-styles>
<text:list-style style:name="L1">
  <text:list-level-style-number text:level="1" style:num-format="a" style:num-prefix="("
     style:num-suffix=")"/>
  <text:list-level-style-number text:level="2" style:num-format="i" style:num-suffix="."/>
</text:list-style></office:automatic-styles>"""


def _odt(body: str = ODT_BODY, title: str = "", mimetype: str = "text", extra: int = 0) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        f"{ODT_STYLES}<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODT_NS}><office:meta>'
        f"<dc:title>{title}</dc:title></office:meta></office:document-meta>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", f"application/vnd.oasis.opendocument.{mimetype}")
        archive.writestr("content.xml", content)
        archive.writestr("meta.xml", meta)
        if extra:
            archive.writestr("Pictures/padding.bin", b"\0" * extra)
    return buffer.getvalue()


def test_odt_headings_numbered_lists_tables_and_no_footnote_body(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "mangroves.odt", _odt(title="Untitled 1")))
    assert document.meta.title == "Mangrove replanting in the delta"  # not the tool's default
    assert document.meta.kind == "case-study"  # "Lessons learned" heading
    sections = _by_locator(document)
    assert sections["Mangrove replanting in the delta"] == [
        "Communities replanted mangroves along the coast."
    ]
    lessons = sections["Lessons learned"]
    assert lessons[0] == (
        "(a) Involve fishers early.\n(b) Plant the right species.\n  i. Rhizophora on mud."
    )
    assert lessons[1] == "| Year | Hectares |\n| --- | --- |\n| 2019 | 120 |"
    assert "Footnote body" not in "\n".join(s.text for s in document.sections)


def test_odt_meaningful_embedded_title_wins(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "x.odt", _odt(title="Delta mangrove report 2020")))
    assert document.meta.title == "Delta mangrove report 2020"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_odt(mimetype="spreadsheet"), "another type"),
        (b"PK\x03\x04 not really a zip", "not a valid OpenDocument"),
        (_odt(body="<text:p>unclosed"), "not a valid OpenDocument"),
        (_odt(body=""), "has no text"),
    ],
)
def test_odt_bad_files_get_a_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(IngestError, match=reason):
        load_document(_write(tmp_path, "bad.odt", data))


def test_odt_zip_limits_apply_before_inflating(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.odt", _odt(extra=5_000_000))
    with pytest.raises(IngestError, match="max_zip_ratio"):
        load_document(path, FileLimits(max_zip_ratio=50))
    with pytest.raises(IngestError, match="max_unpacked_mb"):
        load_document(path, FileLimits(max_unpacked_mb=1))


def test_odt_entity_expansion_is_refused(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<office:document-content {_ODT_NS}><office:body><office:text><text:p>&b;</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", laughs)
    with pytest.raises(IngestError, match="not a valid OpenDocument"):
        load_document(_write(tmp_path, "laughs.odt", buffer.getvalue()))


# --- web pages keep their paragraph numbers --------------------------------------------------

TREATY_PAGE = """<html><head><title>Decision 15/6 — Restoration page</title></head><body>
<h1>Ecosystem restoration</h1>
<ol start="3">
  <li><p>Encourages Parties to restore degraded land;</p></li>
  <li value="7">Invites organizations to support them;</li>
</ol>
<ol type="a"><li>map degraded areas;</li><li>set targets;</li></ol>
<table>
  <tr><td>1.</td><td>Requests the Executive Secretary to report.</td></tr>
  <tr><td>(b)</td><td>to compile case studies.</td></tr>
</table>
<div class="num">12.</div><div>Decides to review progress.</div>
<table><tr><th>Target</th><th>Hectares</th></tr><tr><td>2</td><td>30%</td></tr></table>
</body></html>"""


def test_html_keeps_paragraph_numbering(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "page.html", TREATY_PAGE))
    texts = [s.text for s in document.sections]
    assert texts == [
        "3. Encourages Parties to restore degraded land;",
        "7. Invites organizations to support them;",
        "(a) map degraded areas;",
        "(b) set targets;",
        "1. Requests the Executive Secretary to report.",
        "(b) to compile case studies.",
        "12. Decides to review progress.",
        "| Target | Hectares |\n| --- | --- |\n| 2 | 30% |",
    ]
    assert {s.locator for s in document.sections} == {"Ecosystem restoration"}


DECISION_PAGE = """<html><head><title>Decision XI/16</title></head><body>
<h1>XI/16. Ecosystem restoration</h1>
<p>The Conference of the Parties,</p>
<p>Noting that restoration matters,</p>
<ol><li>Urges Parties to:<ol type="a"><li>promote <b>restoration</b>;</li><li>map land;</li></ol>
</li><li>Invites organizations to help.</li></ol></body></html>"""


def test_html_decision_page_is_cut_into_its_numbered_paragraphs(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "xi-16.html", DECISION_PAGE))
    assert (document.meta.kind, document.meta.symbol) == ("decision", "XI/16")
    paragraphs = [(s.paragraph, s.text) for s in document.sections]
    assert paragraphs == [
        ("pp1", "Noting that restoration matters,"),
        ("1", "1. Urges Parties to:"),  # the chapeau beside the nested list is kept
        ("1(a)", "(a) promote restoration;"),
        ("1(b)", "(b) map land;"),
        ("2", "2. Invites organizations to help."),
    ]


DOCS_PAGE = """<html><head><title>Reporting on land cover — Reporting Manual</title></head><body>
<header class="site"><a href="/">Reporting Manual</a> <form role="search"><input></form></header>
<nav class="sidebar"><p>Contents:</p><ul><li>Introduction</li><li>Land cover</li></ul></nav>
<div class="wrap">
 <div role="navigation" aria-label="breadcrumbs">Home » Land cover</div>
 <div role="main"><header><p>Chapter 1 of the manual.</p></header><article>
  <header><h1>Reporting on land cover</h1></header>
  <p>Parties report the extent of seven land cover classes.</p>
  <aside>Related: the glossary</aside>
  <footer><p>Table 7 lists the classes.</p></footer>
 </article></div>
</div>
<footer role="contentinfo"><p>© Secretariat. Built with a theme.</p></footer>
</body></html>"""


def test_a_saved_page_is_read_without_its_menus_and_footer(tmp_path: Path) -> None:
    # A documentation page carries its site's menus and contents: read as text, they were
    # chunks of link titles ahead of the page's own words.
    document = load_document(_write(tmp_path, "land-cover.html", DOCS_PAGE))
    text = " ".join(s.text for s in document.sections)
    assert "Parties report the extent of seven land cover classes." in text
    assert "Table 7 lists the classes." in text  # the article's own footer is its text
    assert "Chapter 1 of the manual." in text  # a header inside the main content is content
    for chrome in ("Contents:", "Introduction", "Home »", "Related: the glossary", "©", "search"):
        assert chrome not in text, chrome
    under_heading = [s.text for s in document.sections if s.locator == "Reporting on land cover"]
    assert under_heading == ["Parties report the extent of seven land cover classes.", "Table 7 lists the classes."]


# --- every supported format refuses junk with a reason, never a crash ------------------------


@pytest.mark.parametrize("suffix", [".rst", ".odt"])
@pytest.mark.parametrize(
    "data", [b"\x00\x01\x02" * 300, b"PK\x05\x06" + b"\0" * 18, b"\xff\xfe\x00\x00junk"]
)
def test_new_formats_refuse_junk_with_a_reason(tmp_path: Path, suffix: str, data: bytes) -> None:
    assert suffix in SUPPORTED_SUFFIXES
    with pytest.raises(IngestError) as info:
        load_document(_write(tmp_path, f"junk{suffix}", data))
    assert info.value.reason and "\n" not in info.value.reason


def test_markdown_footnotes_are_notes_of_their_section(tmp_path: Path) -> None:
    # "[^1]" marks and "[^1]: …" texts, as Markdown manuals write them: read as a PDF's
    # footnotes are, a citable note apiece and no mark inside the sentence.
    page = (
        "# Red List Index\n\n## Introduction\n\n"
        "The index is SDG indicator 15.5.1[^1]. It covers five groups[^two].\n\n"
        "[^1]: See the SDG metadata.\n[^two]: Birds, mammals, amphibians,\n  cycads and corals.\n\n"
        "## Step 1\n\nReport the values.\n"
    )
    document = load_document(_write(tmp_path, "rli.md", page))
    sections = [(s.locator, s.text) for s in document.sections]
    assert sections == [
        ("Introduction", "The index is SDG indicator 15.5.1. It covers five groups."),
        ("Introduction, note 1", "1 See the SDG metadata."),
        ("Introduction, note two", "two Birds, mammals, amphibians, cycads and corals."),
        ("Step 1", "Report the values."),
    ]
