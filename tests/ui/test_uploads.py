"""Uploads: hostile names stay inside the upload folder; types and sizes are limited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.services.documents import delete_document
from assistant.ui.uploads import (
    UPLOAD_SUFFIXES,
    UploadRejected,
    safe_filename,
    save_upload,
)

MB = 1_048_576


def test_upload_types_are_exactly_what_ingest_reads() -> None:
    from ingest.loaders import SUPPORTED_SUFFIXES

    assert UPLOAD_SUFFIXES == SUPPORTED_SUFFIXES


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.md", "x.md"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/etc/cron.d/job.txt", "job.txt"),
        (".hidden.md", "hidden.md"),
        ("Report 2024 (final).PDF", "Report 2024-final.pdf"),
        ("a<b>c|d:e*f?.html", "a-b-c-d-e-f.html"),
        ("notes\x00\x1b[31m.md", "notes-31m.md"),
        ("CON.txt", "CON-file.txt"),
        ("guide.docx", "guide.docx"),
    ],
)
def test_safe_filename_keeps_only_a_plain_last_component(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_gives_non_latin_names_a_unique_ascii_part() -> None:
    from ingest.loaders import slugify

    first, second = safe_filename("恢复指南.pdf"), safe_filename("退化原因.pdf")
    assert first.startswith("恢复指南-") and first.endswith(".pdf")
    assert slugify(Path(first).stem) != slugify(Path(second).stem)  # distinct doc_ids
    assert safe_filename("..md").startswith("upload-")


def test_safe_filename_limits_length() -> None:
    name = safe_filename("a" * 500 + ".md")
    assert len(name) <= 124 and name.endswith(".md")


@pytest.mark.parametrize(
    "name", ["payload.exe", "archive.tar.gz", "README", "", "../..", "x.md.sh"]
)
def test_safe_filename_refuses_other_types(name: str) -> None:
    with pytest.raises(UploadRejected, match="unsupported file type"):
        safe_filename(name)


def _source(tmp_path: Path, size: int = 20) -> Path:
    path = tmp_path / "incoming" / "upload.bin"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"# Title\n\n" + b"x" * max(0, size - 9))
    return path


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", ["../../x.md", "../uploads/../../y.md", "/tmp/z.md", "..\\w.md"])
def test_save_upload_never_writes_outside_the_folder(tmp_path: Path, name: str) -> None:
    source = _source(tmp_path)
    folder = tmp_path / "a" / "uploads"
    before = _all_files(tmp_path)
    saved = save_upload(source, name, folder, max_bytes=MB)
    assert saved.parent == folder.resolve()
    assert _all_files(tmp_path) - before == {saved}
    assert saved.read_bytes() == source.read_bytes()


def test_save_upload_limits_size_and_refuses_empty_files(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    with pytest.raises(UploadRejected, match="over the limit"):
        save_upload(_source(tmp_path, size=2048), "big.md", folder, max_bytes=1024)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(UploadRejected, match="empty"):
        save_upload(empty, "empty.md", folder, max_bytes=MB)
    assert not folder.exists() or not any(folder.iterdir())


def test_save_upload_replaces_a_file_of_the_same_name(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    first = save_upload(_source(tmp_path, 30), "doc.md", folder, max_bytes=MB)
    second = save_upload(_source(tmp_path, 60), "doc.md", folder, max_bytes=MB)
    assert first == second and second.stat().st_size == 60
    assert [p.name for p in folder.iterdir()] == ["doc.md"]  # no temporary files left


def test_save_upload_does_not_follow_a_planted_symlink(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    outside = tmp_path / "precious.md"
    outside.write_text("keep me", encoding="utf-8")
    (folder / "doc.md").symlink_to(outside)
    with pytest.raises(UploadRejected, match="refused file name"):
        save_upload(_source(tmp_path), "doc.md", folder, max_bytes=MB)
    assert outside.read_text(encoding="utf-8") == "keep me"


def _doc(path: Path, doc_id: str, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ndoc_id: {doc_id}\ntitle: {title}\nkind: guidance\nlanguage: en\n---\n"
        f"# {title}\n\n## Part one\n\nRestoring wetlands needs water first.\n\n"
        "## Part two\n\nMonitoring follows the restoration plan.\n",
        encoding="utf-8",
    )
    return path


def test_delete_document_removes_its_chunks_and_its_uploaded_file(
    tmp_path: Path, settings_factory: Callable[..., Any], fake_embeddings: Any
) -> None:
    from assistant.core.provenance import Actor, PermissionDenied, Provenance
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    settings = settings_factory()
    store = open_store(settings, fake_embeddings, create=True)
    uploads = tmp_path / "uploads"
    uploaded = _doc(uploads / "anonymous" / "mine.md", "mine", "My notes")
    kept = _doc(tmp_path / "corpus" / "theirs.md", "theirs", "Their guide")
    report = ingest_paths([uploaded], settings, store, fake_embeddings, provenance=Provenance("upload", "anonymous"))
    report.files += ingest_paths([kept], settings, store, fake_embeddings).files
    assert not report.failed
    assert [f.doc_id for f in report.files] == ["upload-mine", "theirs"]
    before = store.fingerprint()

    assert delete_document(store, "upload-mine", Actor(), uploads) == 2
    docs = {r.metadata["doc_id"] for page in store.pages(text=False) for r in page}
    assert docs == {"theirs"}
    assert not uploaded.exists()
    assert store.fingerprint() != before

    with pytest.raises(PermissionDenied, match="only an operator"):
        delete_document(store, "theirs", Actor("someone"), uploads)
    assert delete_document(store, "theirs", Actor("boss", "operator"), uploads) == 2
    assert kept.exists()  # files outside the upload folder are never touched
    assert delete_document(store, "nothing-here", Actor(), uploads) == 0
