"""Metadata without front matter: read from the document, declared beside it, or on the CLI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.core.errors import IngestError
from assistant.core.settings import Settings
from assistant.store.chroma import open_store
from ingest.indexing import ingest_paths
from ingest.loaders import _split_front_matter, load_document
from ingest.metadata import infer_kind, infer_title, is_meaningful_title

ROOT = Path(__file__).resolve().parents[2]
CASE_TEXT = """\
Restoring mangroves in the Saloum delta

Context

Fishing villages lost their mangroves to drought and salt.

Interventions

Villagers replanted 10,000 hectares of Rhizophora.

Lessons learned

Involving women's groups from the start kept the plantings alive.
"""
REPORT_TEXT = """\
Report of the regional workshop on peatland restoration

The workshop was held in Bogor with 40 participants. This report summarizes the discussions.
"""
GUIDE_TEXT = """\
Seed collection: a field manual

Step 1. Choose healthy mother trees. Step 2. Collect ripe fruit. These guidelines apply to
tropical dry forests.
"""
PLAIN_TEXT = "We walked along the river and counted birds.\n\nThere were many.\n"


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# --- titles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "meaningful"),
    [
        ("Monitoring framework for the Kunming-Montreal Global Biodiversity Framework", True),
        ("Forest restoration planning manual", True),
        ("Microsoft Word - draft_v3.docx", False),
        ("report_final_v2.pdf", False),
        ("fao_sepal_seplan_about_forest_restoration_en", False),
        ("Untitled", False),
        ("Document1", False),
        ("Report", False),
        ("  ", False),
        ("12/34", False),
    ],
)
def test_meaningful_titles(title: str, meaningful: bool) -> None:
    assert is_meaningful_title(title) is meaningful


def test_a_title_that_is_the_file_name_is_not_meaningful() -> None:
    assert not is_meaningful_title("Seplan Manual EN", Path("seplan_manual_en.pdf"))


def test_cover_title_over_several_lines() -> None:
    cover = (
        "CBD/COP/DEC/16/31\nDistr.: General\n\nReport\nIndigenous and local knowledge dialogue\n"
        "workshop\non the\nIPBES assessment\nof\nspatial planning\n18 – 22 August 2025, Nepal\n"
    )
    assert infer_title(cover) == (
        "Report Indigenous and local knowledge dialogue workshop on the IPBES assessment of"
        " spatial planning"
    )
    assert infer_title("This is a sentence of body text that ends with a full stop.\n") == ""


def test_text_file_title_from_its_first_line_not_its_name(tmp_path: Path) -> None:
    document = load_document(_write(tmp_path, "notes_2024_v2.txt", CASE_TEXT))
    assert document.meta.title == "Restoring mangroves in the Saloum delta"
    assert document.meta.doc_id == "notes-2024-v2"


def test_docx_tool_title_gives_way_to_the_first_heading(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Microsoft Word - draft_v3.docx"
    document.add_heading("Peatland rewetting guidelines", level=1)
    document.add_paragraph("Block the ditches first.")
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load_document(_write(tmp_path, "draft_v3.docx", buffer.getvalue()))
    assert loaded.meta.title == "Peatland rewetting guidelines"
    assert loaded.meta.kind == "guidance"


# --- kinds and language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (CASE_TEXT, "case-study"),
        (REPORT_TEXT, "report"),
        (GUIDE_TEXT, "guidance"),
        (PLAIN_TEXT, "other"),
    ],
)
def test_kind_comes_from_the_text_not_the_file_name(tmp_path: Path, text: str, kind: str) -> None:
    for name in ("notes.txt", "case-study-report-guidelines.txt"):
        assert load_document(_write(tmp_path, name, text)).meta.kind == kind


def test_kind_inference_agrees_with_the_bundled_corpus_front_matter() -> None:
    """Measured on the corpus's own declarations, with the front matter hidden from inference."""
    agree, total, decisive = 0, 0, []
    for path in sorted((ROOT / "corpus").rglob("*.md")):
        if path.name == "README.md":
            continue
        fields, body = _split_front_matter(path, path.read_text(encoding="utf-8"))
        headings = [line.lstrip("# ") for line in body.splitlines() if line.startswith("#")]
        inferred = infer_kind(headings[0] if headings else "", headings, body)
        total += 1
        agree += inferred == fields["kind"]
        if fields["kind"] in ("decision", "case-study"):
            decisive.append((path.name, inferred == fields["kind"]))
    assert total >= 30
    assert agree / total >= 0.8, (agree, total)
    assert all(ok for _, ok in decisive), decisive  # structure settles these two kinds


def test_language_is_detected_without_front_matter(tmp_path: Path) -> None:
    french = "Restauration des zones humides\n\nLes communautés ont replanté les mangroves.\n"
    assert load_document(_write(tmp_path, "zones.txt", french)).meta.language == "fr"
    chinese = "湿地恢复指南\n\n社区在海岸种植了红树林。\n"
    assert load_document(_write(tmp_path, "shidi.txt", chinese)).meta.language == "zh"


# --- sidecar and overrides ---------------------------------------------------------------------

SIDECAR = """\
defaults:
  kind: guidance
  source: Test publisher
files:
  case.txt:
    title: Saloum mangroves
    kind: case-study
    year: 2019
"""


def test_sidecar_defaults_and_entries_beat_inference(tmp_path: Path) -> None:
    _write(tmp_path, "_metadata.yaml", SIDECAR)
    case = load_document(_write(tmp_path, "case.txt", REPORT_TEXT))
    assert (case.meta.title, case.meta.kind, case.meta.year) == (
        "Saloum mangroves",
        "case-study",
        2019,
    )
    assert case.meta.source == "Test publisher"
    other = load_document(_write(tmp_path, "other.txt", REPORT_TEXT))
    assert other.meta.kind == "guidance" and other.meta.title.startswith("Report of the regional")
    below = load_document(_write(tmp_path / "sub", "deeper.txt", REPORT_TEXT))
    assert below.meta.kind == "report"  # a sidecar applies to its own folder only


def test_front_matter_beats_sidecar_and_overrides_beat_both(tmp_path: Path) -> None:
    _write(tmp_path, "_metadata.yaml", SIDECAR)
    path = _write(tmp_path, "case.txt", "---\ntitle: From front matter\n---\n" + CASE_TEXT)
    assert load_document(path).meta.title == "From front matter"
    assert load_document(path).meta.kind == "case-study"  # the sidecar entry fills the rest
    overridden = load_document(path, overrides={"title": "From the command line", "kind": "report"})
    assert (overridden.meta.title, overridden.meta.kind) == ("From the command line", "report")


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        ("defaults: [unclosed", "_metadata.yaml is not readable YAML"),
        ("- a list\n", "_metadata.yaml must be a mapping"),
        ("defaults:\n  colour: blue\n", "unknown field 'colour'"),
        ("files:\n  case.txt:\n    kind: poem\n", "unknown kind 'poem'"),
        ("files:\n  case.txt: just a title\n", "entry 'case.txt' must be a mapping"),
        ("defaults:\n  year: soon\n", "year 'soon' is not a four-digit year"),
    ],
)
def test_bad_sidecar_is_a_one_line_reason(tmp_path: Path, sidecar: str, reason: str) -> None:
    _write(tmp_path, "_metadata.yaml", sidecar)
    with pytest.raises(IngestError, match=reason) as info:
        load_document(_write(tmp_path, "case.txt", CASE_TEXT))
    assert "\n" not in info.value.reason


def test_sidecar_change_restamps_the_stored_chunks(
    tmp_path: Path, settings_factory: Any, fake_embeddings: Any
) -> None:
    settings: Settings = settings_factory()
    store = open_store(settings, fake_embeddings, create=True)
    folder = tmp_path / "docs"
    _write(folder, "case.txt", CASE_TEXT)
    first = ingest_paths([folder], settings, store, fake_embeddings)
    assert [f.status for f in first.files] == ["added"]
    _write(folder, "_metadata.yaml", SIDECAR)
    second = ingest_paths([folder], settings, store, fake_embeddings)
    assert [f.status for f in second.files] == ["updated"]
    assert not second.skipped  # the sidecar is not a document, nor a skipped file
    stored = [r.metadata for r in store.get(text=False)]
    assert {m["title"] for m in stored} == {"Saloum mangroves"}
    assert {m["year"] for m in stored} == {2019}


# --- the folder report and the command line ----------------------------------------------------


def test_skipped_files_are_listed_with_the_reason(
    tmp_path: Path, settings_factory: Any, fake_embeddings: Any
) -> None:
    settings: Settings = settings_factory()
    store = open_store(settings, fake_embeddings, create=True)
    folder = tmp_path / "library"
    _write(folder, "manual.rst", "Seed manual\n===========\n\nCollect ripe fruit.\n")
    _write(folder, "budget.xlsx", b"PK\x03\x04 spreadsheet")
    _write(folder, "sub/figures.csv", "a,b\n1,2\n")
    _write(folder, "README.md", "# About\n")
    _write(folder, ".DS_Store", b"\0")
    _write(folder, "_metadata.yaml", "defaults:\n  source: Library\n")
    report = ingest_paths([folder], settings, store, fake_embeddings)
    assert [(Path(f.path).name, f.status) for f in report.files] == [("manual.rst", "added")]
    skipped = {Path(f.path).name: f.reason for f in report.skipped}
    assert skipped == {
        "budget.xlsx": "unsupported file type '.xlsx'",
        "figures.csv": "unsupported file type '.csv'",
        "README.md": "describes the folder (README): name it to index it",
    }
    assert report.skipped_summary() == (
        "skipped: 2 files of an unsupported type (.csv, .xlsx), 1 folder README"
    )


def test_cli_kind_and_title_need_exactly_one_file(tmp_path: Path) -> None:
    from assistant.cli.app import app

    one = _write(tmp_path, "a.txt", CASE_TEXT)
    two = _write(tmp_path, "b.txt", CASE_TEXT)
    runner = CliRunner()
    for args in ([str(tmp_path)], [str(one), str(two)]):
        result = runner.invoke(
            app, ["ingest", *args, "--kind", "report", "--store", str(tmp_path / "s")]
        )
        assert result.exit_code == 2
        assert "apply to one file" in result.output and "_metadata.yaml" in result.output
    result = runner.invoke(
        app, ["ingest", str(one), "--kind", "poem", "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 2 and "'poem' is not one of" in result.output
    assert not (tmp_path / "s").exists()  # refused before any store was opened


@pytest.mark.e2e
def test_cli_lists_skipped_files_and_sets_one_files_metadata(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    _write(folder, "seed-manual.rst", "Seed manual\n===========\n\nCollect ripe fruit in March.\n")
    _write(folder, "budget.xlsx", b"PK\x03\x04 spreadsheet")
    store = tmp_path / "store"
    env = {**os.environ, "RA_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", *args, "--store", str(store)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=600,
        )

    result = cli("ingest", str(folder))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "skipped: 1 file of an unsupported type (.xlsx)" in result.stdout
    assert f"{folder / 'budget.xlsx'}: unsupported file type '.xlsx'" in result.stdout
    result = cli(
        "ingest", str(folder / "seed-manual.rst"), "--kind", "case-study", "--title", "Seeds"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    info = cli("info")
    row = next(line for line in info.stdout.splitlines() if "seed-manual" in line)
    assert "Seeds" in row and "case-study" in row, info.stdout
