"""Loaders: one file of each format in, sections with locators (or an IngestError) out."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from assistant.core.errors import IngestError
from assistant.core.records import LoadedDocument
from ingest.loaders import SUPPORTED_SUFFIXES, load_document, slugify


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _ingest_error(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        load_document(path)
    assert info.value.path == path
    assert str(path) in str(info.value)
    return info.value


def _locators(document: LoadedDocument) -> list[str]:
    return [s.locator for s in document.sections]


def _texts(document: LoadedDocument) -> list[str]:
    return [s.text for s in document.sections]


# --- Markdown ---------------------------------------------------------------------------

FRONT_MATTER_MD = """\
---
doc_id: my-guide
title: My Guide
kind: guidance
language: en
year: 2021
source: "Test publisher — https://example.org/guide"
---
# My Guide

Intro text under the title.

## Principles

First principle text.

Second principle text.

## Monitoring

Monitor outcomes over time.
"""


def test_markdown_front_matter_is_read(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "whatever-name.md", FRONT_MATTER_MD))
    assert document.meta.doc_id == "my-guide"
    assert document.meta.title == "My Guide"
    assert document.meta.kind == "guidance"
    assert document.meta.language == "en"
    assert document.meta.year == 2021
    assert document.meta.source == "Test publisher — https://example.org/guide"


def test_markdown_headings_become_locators(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "guide.md", FRONT_MATTER_MD))
    assert _locators(document) == ["My Guide", "Principles", "Principles", "Monitoring"]
    assert _texts(document) == [
        "Intro text under the title.",
        "First principle text.",
        "Second principle text.",
        "Monitor outcomes over time.",
    ]
    assert not any("---" in t or "doc_id" in t for t in _texts(document))
    assert all(s.paragraph == "" for s in document.sections)


def test_markdown_content_hash_and_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "guide.md", FRONT_MATTER_MD)
    first = load_document(path)
    assert first.path == str(path)
    assert len(first.content_hash) == 64
    assert load_document(path).content_hash == first.content_hash
    path.write_text(FRONT_MATTER_MD + "\nOne more line.\n", encoding="utf-8")
    assert load_document(path).content_hash != first.content_hash


def test_markdown_heading_inside_code_fence_is_not_a_locator(tmp_path: Path) -> None:
    text = "# Title\n\n## Usage\n\n```\n# not a heading\n```\n\nAfter the code.\n"
    document = load_document(_write(tmp_path, "code.md", text))
    assert set(_locators(document)) == {"Usage"}
    assert any("# not a heading" in t for t in _texts(document))


def test_markdown_without_front_matter(tmp_path: Path) -> None:
    text = (
        "# Restoration notes\n\nWetlands and peatlands in the north are being rewetted "
        "by the local communities.\n\n## Costs\n\nThe costs of the work were high.\n"
    )
    document = load_document(_write(tmp_path, "My Field Notes.md", text))
    assert document.meta.doc_id == slugify("My Field Notes") == "my-field-notes"
    assert document.meta.title == "Restoration notes"
    assert document.meta.kind == "other"
    assert document.meta.language == "en"
    assert _locators(document) == ["Restoration notes", "Costs"]


def test_markdown_without_front_matter_detects_chinese(tmp_path: Path) -> None:
    text = "# 生态系统恢复\n\n生态系统恢复能够有助于气候变化缓解和适应、社会经济发展和粮食安全。\n"
    document = load_document(_write(tmp_path, "zh_notes.md", text))
    assert document.meta.doc_id == "zh-notes"
    assert document.meta.language == "zh"
    assert _texts(document) == [
        "生态系统恢复能够有助于气候变化缓解和适应、社会经济发展和粮食安全。"
    ]


def test_broken_yaml_front_matter(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nBody text.\n"))
    assert "front matter" in error.reason


def test_front_matter_that_is_not_a_mapping(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "list.md", "---\n- a\n- b\n---\nBody text.\n"))
    assert "front matter" in error.reason


def test_unknown_kind(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "kind.md", "---\nkind: novel\n---\nBody text.\n"))
    assert "unknown kind 'novel'" in error.reason


def test_invalid_doc_id_and_year(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "id.md", "---\ndoc_id: My Guide\n---\nBody text.\n"))
    assert "doc_id" in error.reason
    error = _ingest_error(_write(tmp_path, "year.md", "---\nyear: soon\n---\nBody text.\n"))
    assert "year" in error.reason


def test_front_matter_without_body(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "nobody.md", "---\ntitle: Only meta\n---\n\n"))
    assert "no text" in error.reason


# --- plain text and encodings -----------------------------------------------------------


def test_plain_text_utf8_paragraphs(tmp_path: Path) -> None:
    text = "Restoration of degraded land.\n\nSecond paragraph, café.\n"
    document = load_document(_write(tmp_path, "notes.txt", text))
    assert document.meta.doc_id == "notes"
    assert _texts(document) == ["Restoration of degraded land.", "Second paragraph, café."]
    assert _locators(document) == ["notes", "notes"]


def test_plain_text_utf8_with_bom(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "bom.txt", "\ufeffHello restoration world.".encode()))
    assert _texts(document) == ["Hello restoration world."]


@pytest.mark.parametrize(
    "text",
    [
        "café résumé",
        "Le café et le résumé de la restauration des écosystèmes dégradés.",
        "Restauración de ecosistemas en América Latina: niño, año.",
    ],
    ids=["short", "french", "spanish"],
)
def test_plain_text_latin1(tmp_path: Path, text: str) -> None:
    document = load_document(_write(tmp_path, "latin1.txt", text.encode("latin-1")))
    assert _texts(document) == [text]


def test_plain_text_latin1_is_indexed_as_text(tmp_path: Path) -> None:
    text = "Le café et le résumé de la restauration des écosystèmes dégradés."
    document = load_document(_write(tmp_path, "latin1.txt", text.encode("latin-1")))
    # Whatever the guess, the ASCII letters survive and the file is indexed as text.
    assert document.sections[0].text.startswith("Le caf")
    assert "restauration des" in document.sections[0].text


def test_plain_text_gb18030_chinese(tmp_path: Path) -> None:
    first = "生态系统恢复能够有助于气候变化缓解和适应、社会经济发展和粮食安全。"
    second = "第二段：恢复已退化的生态系统。"
    data = f"{first}\n\n{second}\n".encode("gb18030")
    document = load_document(_write(tmp_path, "gb.txt", data))
    assert _texts(document) == [first, second]
    assert document.meta.language == "zh"


@pytest.mark.parametrize("data", [b"", b"  \n\t\n ", b"\n\n\n"])
@pytest.mark.parametrize("name", ["empty.txt", "empty.md"])
def test_empty_and_whitespace_only_files(tmp_path: Path, name: str, data: bytes) -> None:
    error = _ingest_error(_write(tmp_path, name, data))
    assert error.reason == "empty file"


@pytest.mark.parametrize("name", ["binary.txt", "binary.md", "binary.pdf", "binary.html"])
def test_binary_bytes_with_a_text_or_pdf_suffix(tmp_path: Path, name: str) -> None:
    error = _ingest_error(_write(tmp_path, name, bytes(range(256)) * 8))
    assert error.reason


def test_binary_txt_reason_names_the_problem(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10
    error = _ingest_error(_write(tmp_path, "image.txt", png))
    assert "binary" in error.reason


def test_unsupported_suffix(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "notes.xyz", "Some text."))
    assert "unsupported" in error.reason
    assert ".xyz" in error.reason
    assert ".xyz" not in SUPPORTED_SUFFIXES


def test_missing_file(tmp_path: Path) -> None:
    error = _ingest_error(tmp_path / "missing.md")
    assert "cannot read" in error.reason


def test_slugify() -> None:
    assert slugify("Case Study: Niger FMNR (2020)") == "case-study-niger-fmnr-2020"
    assert slugify("生态") == "document"


# --- HTML -------------------------------------------------------------------------------

HTML = b"""<!doctype html>
<html><head><title>Wetland Guide</title><style>p { color: red; }</style>
<script>alert(1)</script></head>
<body>
<h1>Wetland Guide</h1>
<p>Intro paragraph about wetlands.</p>
<h2>Rewetting</h2>
<p>Block the drains to raise the water table.</p>
<script>alert(1)</script>
<h2>Monitoring</h2>
<p>Measure the <b>water level</b> monthly.</p>
<ul><li>Record vegetation.</li></ul>
</body></html>
"""


def test_html_headings_and_paragraphs(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "wetland.html", HTML))
    assert document.meta.title == "Wetland Guide"
    assert document.meta.doc_id == "wetland"
    assert _locators(document) == ["Wetland Guide", "Rewetting", "Monitoring", "Monitoring"]
    assert _texts(document) == [
        "Intro paragraph about wetlands.",
        "Block the drains to raise the water table.",
        "Measure the water level monthly.",
        "Record vegetation.",
    ]


def test_html_scripts_and_styles_are_dropped(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "wetland.htm", HTML))
    for section in document.sections:
        assert "alert(1)" not in section.text
        assert "color: red" not in section.text


def test_html_with_only_a_script(tmp_path: Path) -> None:
    data = b"<html><head></head><body><script>alert(1)</script></body></html>"
    error = _ingest_error(_write(tmp_path, "script.html", data))
    assert "no readable text" in error.reason


# --- PDF --------------------------------------------------------------------------------


def _pdf_bytes(pages: list[str] | None = None, *, password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=password)
    for text in pages or []:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    if not pages:
        pdf.add_page()
        pdf.rect(20, 20, 60, 40)
    return bytes(pdf.output())


TWO_PAGES = [
    "Restoration of degraded drylands starts with soil and water.",
    "Farmer managed natural regeneration protects tree stumps in fields.",
]


def test_pdf_two_pages(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "field-guide.pdf", _pdf_bytes(TWO_PAGES)))
    assert document.meta.doc_id == "field-guide"
    assert document.meta.language == "en"
    assert _locators(document) == ["p. 1", "p. 2"]
    assert [s.page for s in document.sections] == [1, 2]
    assert "degraded drylands" in document.sections[0].text
    assert "natural regeneration" in document.sections[1].text


def test_encrypted_pdf(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "locked.pdf", _pdf_bytes(TWO_PAGES, password="secret")))
    assert "encrypted" in error.reason


def test_truncated_pdf(tmp_path: Path) -> None:
    data = _pdf_bytes(TWO_PAGES)[:300]
    error = _ingest_error(_write(tmp_path, "truncated.pdf", data))
    assert "PDF" in error.reason


def test_pdf_without_text(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "scan.pdf", _pdf_bytes(None)))
    assert "no text layer" in error.reason


# --- DOCX -------------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Mangrove Handbook", level=1)
    document.add_paragraph("Why mangroves matter for coasts.")
    document.add_heading("Site selection", level=2)
    document.add_paragraph("Choose sites where hydrology can be restored.")
    document.add_paragraph("Avoid planting on mudflats.")
    document.add_heading("Community roles", level=2)
    document.add_paragraph("Local fishers guard the young trees.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_headings_become_locators(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "mangroves.docx", _docx_bytes()))
    assert document.meta.title == "Mangrove Handbook"
    assert document.meta.doc_id == "mangroves"
    assert _locators(document) == [
        "Mangrove Handbook",
        "Site selection",
        "Site selection",
        "Community roles",
    ]
    assert _texts(document) == [
        "Why mangroves matter for coasts.",
        "Choose sites where hydrology can be restored.",
        "Avoid planting on mudflats.",
        "Local fishers guard the young trees.",
    ]


def test_docx_that_is_a_zip_of_junk(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("random.bin", bytes(range(256)) * 4)
    error = _ingest_error(_write(tmp_path, "junk.docx", buffer.getvalue()))
    assert "not a valid DOCX" in error.reason


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    error = _ingest_error(_write(tmp_path, "text.docx", "plain text, not a zip"))
    assert "not a valid DOCX" in error.reason


# --- known bugs -------------------------------------------------------------------------


def test_html_text_in_div_and_blockquote_is_kept(tmp_path: Path) -> None:
    html = (
        b"<html><body><h2>Costs</h2>"
        b"<div>Regeneration costs little because no seedlings are bought.</div>"
        b"<blockquote>Restoration is not a substitute for conservation.</blockquote>"
        b"<p>Second paragraph.</p></body></html>"
    )
    text = " ".join(_texts(load_document(_write(tmp_path, "div.html", html))))
    assert "no seedlings are bought" in text
    assert "not a substitute for conservation" in text


NOTES_QUOTING_A_DECISION = """\
Workshop notes on restoration

XI/16. Ecosystem restoration was adopted in 2012 at COP 11.

We discussed how to apply it in our district.
"""


@pytest.mark.parametrize("name", ["notes.txt", "notes.md"])
def test_notes_quoting_a_decision_heading_load_as_text(tmp_path: Path, name: str) -> None:
    document = load_document(_write(tmp_path, name, NOTES_QUOTING_A_DECISION))
    assert any("apply it in our district" in t for t in _texts(document))


def test_html_quoting_a_decision_keeps_its_own_doc_id(tmp_path: Path) -> None:
    html = (
        b"<html><body><h1>Workshop</h1>"
        b"<p>XI/16. Ecosystem restoration was adopted in 2012 at COP 11.</p>"
        b"<p>We discussed how to apply it in our district.</p></body></html>"
    )
    document = load_document(_write(tmp_path, "notes.html", html))
    assert document.meta.doc_id == "notes"
    assert document.meta.kind == "other"


# --- every format: metadata read from the document, not the file name ---------------------

TITLED = {
    ".md": "# Peatland rewetting guide\n\nBlock the ditches first.\n",
    ".txt": "Peatland rewetting guide\n\nBlock the ditches first.\n",
    ".html": "<html><body><h1>Peatland rewetting guide</h1><p>Block the ditches first.</p></body></html>",
    ".rst": "Peatland rewetting guide\n========================\n\nBlock the ditches first.\n",
}


@pytest.mark.parametrize("suffix", sorted(TITLED))
def test_title_and_kind_come_from_the_document(tmp_path: Path, suffix: str) -> None:
    document = load_document(_write(tmp_path, f"scan_0042_final{suffix}", TITLED[suffix]))
    assert document.meta.title == "Peatland rewetting guide"
    assert document.meta.kind == "guidance"  # "guide" in its title, never in its file name
    assert document.meta.doc_id == "scan-0042-final"
    assert _texts(document)[-1] == "Block the ditches first."  # plain text keeps its title line


def test_new_formats_are_supported() -> None:
    assert {".rst", ".rest", ".odt"} <= SUPPORTED_SUFFIXES


def test_overrides_are_validated_like_front_matter(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.txt", "Some text.\n")
    with pytest.raises(IngestError, match="unknown kind 'poem'"):
        load_document(path, overrides={"kind": "poem"})
    assert load_document(path, overrides={"title": "Field notes"}).meta.title == "Field notes"
