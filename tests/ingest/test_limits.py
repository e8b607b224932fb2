"""Bounded work per file: zip bombs, huge archives, long PDFs and slow loads are refused.

Each limit hit is one line naming the limit and the setting that raises it; nothing of
the file reaches the store; the bundled corpus and real documents still load.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import IngestError
from assistant.core.settings import Settings
from assistant.store.chroma import open_store
from ingest.chunking import chunk_document
from ingest.indexing import ingest_paths
from ingest.limits import FileBudget, FileLimits, check_chunks
from ingest.loaders import load_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
REALDOCS = ROOT.parent / "shared" / "realdocs"  # the real documents sit beside the checkout
SettingsFactory = Callable[..., Settings]

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
SENTENCE = "Community nurseries grow native seedlings for degraded hillsides."


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _repack(
    base: bytes, path: Path, document_xml_mb: int = 0, extra_entries: int = 0
) -> Path:
    """Copy a real DOCX, optionally swapping in a huge, highly compressible document.xml."""
    block = ("<w:p><w:r><w:t>" + "restoration " * 80 + "</w:t></w:r></w:p>").encode() * 1000
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            if not (document_xml_mb and info.filename == "word/document.xml"):
                out.writestr(info, source.read(info))
        if document_xml_mb:
            with out.open("word/document.xml", "w") as member:  # streamed: never all in memory
                member.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>'.encode())
                written = 0
                while written < document_xml_mb * 1_000_000:
                    member.write(block)
                    written += len(block)
                member.write(b"</w:body></w:document>")
        for i in range(extra_entries):
            out.writestr(f"customXml/item{i + 10}.xml", "<a/>")
    return path


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid DOCX of ~600 KB whose document.xml unpacks to ~165 MB (made in ~0.4 s)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    return _repack(_docx([SENTENCE]), path, document_xml_mb=165)


def _refusal(path: Path, limits: FileLimits | None = None) -> IngestError:
    with pytest.raises(IngestError) as caught:
        load_document(path, limits)
    error = caught.value
    assert "\n" not in str(error), str(error)
    return error


# --- zip containers ------------------------------------------------------------------------


_MEASURE = """
import json, resource, sys, time
from pathlib import Path
import docx, lxml.etree  # imported first: only the load itself is measured
from assistant.core.errors import IngestError
from ingest.loaders import load_document
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    load_document(Path(sys.argv[1]))
    reason = None
except IngestError as e:
    reason = str(e)
seconds = time.perf_counter() - start
grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"reason": reason, "seconds": seconds, "grown_mb": grown_mb}))
"""


def test_zip_bomb_docx_is_refused_at_once_without_inflating(bomb: Path) -> None:
    assert bomb.stat().st_size < 1_000_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("word/document.xml").file_size > 160_000_000
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["reason"] is not None, "the bomb was loaded"
    assert re.fullmatch(
        rf"{re.escape(str(bomb))}: unpacks to 16\d MB, over the 100 MB limit"
        r" — raise max_unpacked_mb \(RA_MAX_UNPACKED_MB\)",
        result["reason"],
    ), result["reason"]
    assert result["seconds"] < 1.0, result
    assert result["grown_mb"] < 200, result


def test_docx_with_too_many_entries(tmp_path: Path) -> None:
    path = _repack(_docx([SENTENCE]), tmp_path / "many.docx", extra_entries=1000)
    error = _refusal(path)
    assert re.search(r"archive has 1,0\d\d entries, over the 1,000-entry limit", error.reason)
    assert "RA_MAX_ZIP_ENTRIES" in error.reason
    # The same file loads once the limit is raised.
    assert load_document(path, FileLimits(max_zip_entries=2000)).sections


def test_zip_part_with_an_absurd_ratio_under_the_size_limit(tmp_path: Path) -> None:
    path = _repack(_docx([SENTENCE]), tmp_path / "dense.docx", document_xml_mb=30)
    error = _refusal(path)
    assert "part 'word/document.xml' inflates" in error.reason
    assert "over the 100:1 limit" in error.reason and "RA_MAX_ZIP_RATIO" in error.reason


def test_ordinary_docx_passes_the_zip_checks(tmp_path: Path) -> None:
    paragraphs = [f"{SENTENCE} Site {i} of the survey, plot {i * 7 % 113}." for i in range(3000)]
    path = tmp_path / "long.docx"
    path.write_bytes(_docx(paragraphs))
    document = load_document(path)
    assert len(document.sections) == 3000


def test_limits_come_from_settings_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert FileLimits.from_settings(Settings()) == FileLimits()  # one set of defaults
    monkeypatch.setenv("RA_MAX_UNPACKED_MB", "1.5")
    monkeypatch.setenv("RA_MAX_PAGES", "7")
    limits = FileLimits.from_settings(Settings())
    assert (limits.max_unpacked_mb, limits.max_pages) == (1.5, 7)


# --- PDF pages, sections, chunks -----------------------------------------------------------


def _pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Page {number}. {SENTENCE}")
    return bytes(pdf.output())


def _count_page_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from pypdf import PageObject

    calls: list[int] = []
    original = PageObject.extract_text

    def counted(self: Any, *args: Any, **kwargs: Any) -> str:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counted)
    return calls


def test_pdf_over_the_page_limit_is_refused_before_any_page_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf(6))
    reads = _count_page_reads(monkeypatch)
    error = _refusal(path, FileLimits.from_settings(Settings(max_pages=5)))
    assert error.reason == "6 pages, over the 5-page limit — raise max_pages (RA_MAX_PAGES)"
    assert reads == []
    assert len(load_document(path, FileLimits(max_pages=6)).sections) == 6


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("notes.md", "# Notes\n\n" + "\n\n".join(f"{SENTENCE} {i}" for i in range(60))),
        ("notes.txt", "\n\n".join(f"{SENTENCE} {i}" for i in range(60))),
        ("notes.html", "<h1>Notes</h1>" + "".join(f"<p>{SENTENCE} {i}</p>" for i in range(60))),
    ],
)
def test_sections_limit(tmp_path: Path, name: str, body: str) -> None:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    error = _refusal(path, FileLimits(max_sections=50))
    assert error.reason == (
        "more than 50 sections, over the 50-section limit — raise max_sections (RA_MAX_SECTIONS)"
    )
    assert len(load_document(path, FileLimits(max_sections=60)).sections) == 60


def test_sections_limit_docx(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(_docx([f"{SENTENCE} {i}" for i in range(60)]))
    assert "RA_MAX_SECTIONS" in _refusal(path, FileLimits(max_sections=50)).reason


def test_chunks_limit_refuses_the_file_and_writes_nothing(
    tmp_path: Path, settings_factory: SettingsFactory, fake_embeddings: Any
) -> None:
    settings = settings_factory(max_chunks=5, chunk_size=200, chunk_overlap=0)
    store = open_store(settings, fake_embeddings, create=True)
    good = tmp_path / "good.md"
    good.write_text(f"# Good\n\n{SENTENCE}\n", encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text(
        "# Big\n\n" + "\n\n".join(f"Unique passage number {i}. " + SENTENCE * 2 for i in range(20)),
        encoding="utf-8",
    )
    report = ingest_paths([good, big], settings, store, fake_embeddings)
    assert [r.status for r in report.files] == ["added", "failed"]
    assert report.files[1].reason == (
        "20 passages to embed, over the 5-passage limit — raise max_chunks (RA_MAX_CHUNKS)"
    )
    assert {r.metadata["doc_id"] for r in store.get()} == {"good"}
    embedded = [text for call in fake_embeddings.calls for text in call]
    assert not any("Unique passage number" in text for text in embedded)


# --- the loader deadline -------------------------------------------------------------------


def test_budget_deadline_is_checked_between_units_of_work() -> None:
    now = [0.0]
    budget = FileBudget(Path("slow.pdf"), FileLimits(max_load_seconds=10), clock=lambda: now[0])
    budget.tick()
    now[0] = 10.5
    with pytest.raises(IngestError, match=r"over the 10 s limit — raise max_load_seconds"):
        budget.add_section()


def _multi_page_pdf(tmp_path: Path) -> Path:
    real = sorted(REALDOCS.glob("*.pdf")) if REALDOCS.is_dir() else []
    if real:
        return real[-1]
    path = tmp_path / "pages.pdf"
    path.write_bytes(_pdf(40))
    return path


def test_tiny_deadline_stops_a_multi_page_pdf_after_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _multi_page_pdf(tmp_path)
    reads = _count_page_reads(monkeypatch)
    error = _refusal(path, FileLimits(max_load_seconds=0.000_001))
    assert error.reason == (
        "loading took too long, over the 1e-06 s limit — raise max_load_seconds (RA_MAX_LOAD_SECONDS)"
    )
    assert len(reads) <= 1  # stopped between pages, not after all of them


# --- what must still load ------------------------------------------------------------------


def _assert_loads_well_within_defaults(paths: list[Path]) -> None:
    settings = Settings()
    limits = FileLimits.from_settings(settings)
    for path in paths:
        # Loading within max_load_seconds is part of what load_document checks; how far
        # within is a matter for the benchmark on a quiet machine, not for a test.
        document = load_document(path, limits)
        chunks = chunk_document(document, settings.chunk_size, settings.chunk_overlap)
        check_chunks(path, len(chunks), limits)
        pages = max((s.page or 0) for s in document.sections)
        assert len(document.sections) * 10 < limits.max_sections, path
        assert len(chunks) * 10 < limits.max_chunks, path
        assert pages * 10 < limits.max_pages, path


def test_the_bundled_corpus_loads_under_the_default_limits() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md")
    assert files
    _assert_loads_well_within_defaults(files)


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="no real documents in ../shared/realdocs")
def test_the_real_documents_load_under_the_default_limits() -> None:
    pdfs = sorted(REALDOCS.glob("*.pdf"))
    assert len(pdfs) >= 2
    _assert_loads_well_within_defaults(pdfs)


# --- end to end through the CLI ------------------------------------------------------------


@pytest.mark.e2e
def test_cli_ingest_indexes_the_good_file_and_reports_the_bomb(tmp_path: Path, bomb: Path) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "bomb.docx").write_bytes(bomb.read_bytes())
    (folder / "good.md").write_text(f"# Good notes\n\n{SENTENCE}\n", encoding="utf-8")
    env = {**os.environ, "RA_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "400"}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(folder), "--store", str(tmp_path / "store")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]  # as for any failed file
    assert "Traceback" not in result.stdout + result.stderr
    table = result.stdout[result.stdout.index("Files not indexed"):]
    rows = [line for line in table.splitlines() if str(folder) in line]
    assert len(rows) == 1, table
    assert str(folder / "bomb.docx") in rows[0]
    assert re.search(r"unpacks to 16\d MB, over the 100 MB limit — raise max_unpacked_mb"
                     r" \(RA_MAX_UNPACKED_MB\)", rows[0]), rows[0]
    counts = next(
        line for line in result.stdout.splitlines()
        if line.count("│") == 7 and line.strip("│ ")[0].isdigit()
    )
    added, unchanged, updated, pruned, failed, _ = (int(c) for c in counts.strip("│ ").split("│"))
    assert (added, unchanged, updated, pruned, failed) == (1, 0, 0, 0, 1)
