"""The app in a real headless Chromium: what a user sees, and that document markup never runs.

Screenshots are saved as test artefacts to ``$RA_TEST_ARTIFACTS`` (default: a pytest
temporary folder); the folder is printed. The time to the first answer is printed too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import free_port, serve_app  # tests/ is on sys.path under pytest

from assistant.core.settings import Settings

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
# Flags measured in ENVIRONMENT.md: no background traffic, no DNS except the app's loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 120_000
EN_QUESTION = "What does decision XI/16 ask Parties to do about the causes of degradation?"
ZH_QUESTION = "生态系统退化的根本原因和直接原因应该怎么处理？"
HOSTILE_DOC = """---
title: "Seed bank notes <script>window.__pwned='title'</script> <img src=x onerror=\\"window.__pwned='title-img'\\">"
kind: case-study
language: en
year: 2022
---
# Seed bank notes

## Results

The community seed banks of the Ardent valley stored 300 native species for restoration
planting. <script>window.__pwned = 'script'; alert('script')</script> The banks also trained
40 local collectors. <img src=x onerror="window.__pwned='img'; alert('img')"> See
[the seed list](javascript:alert(1)) for details.
"""


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("RA_TEST_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {path}")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that fails the test on any JavaScript dialog (alert, confirm, prompt)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    try:
        yield page
    finally:
        context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"


@pytest.fixture(scope="module")
def feedback_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-feedback")


@pytest.fixture(scope="module")
def corpus_url(corpus_assistant: Any, feedback_dir: Path) -> Iterator[str]:
    settings = corpus_assistant.settings.model_copy(
        update={
            "port": free_port(),
            "feedback_dir": feedback_dir,
            "eval_sets_dir": ROOT / "evals" / "sets",
            "eval_runs_dir": feedback_dir / "runs",
        }
    )
    yield from serve_app(corpus_assistant, settings)


def _wait_for_text(page: Any, selector: str, text: str, *, present: bool = True) -> None:
    """Wait until the element's visible text does (or does not) contain ``text``."""
    page.wait_for_function(
        "([selector, text, present]) => { const el = document.querySelector(selector);"
        " return !!el && el.innerText.includes(text) === present; }",
        arg=[selector, text, present],
        timeout=TIMEOUT_MS,
    )


def _ask(page: Any, question: str) -> float:
    """Type a question, press Enter, wait for new citation cards; return the seconds taken."""
    before = page.locator("#ra-cards").inner_html()
    box = page.locator("#ra-question textarea")
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        "before => { const el = document.querySelector('#ra-cards');"
        " return el && el.innerHTML !== before && el.querySelector('article.ra-card'); }",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    return time.perf_counter() - started


def test_chat_answers_with_citation_cards_in_english_and_chinese(
    page: Any, corpus_url: str, corpus_assistant: Any, feedback_dir: Path, artifacts: Path
) -> None:
    page.goto(corpus_url)
    page.locator("#ra-question textarea").wait_for()
    page.screenshot(path=str(artifacts / "00-start.png"), full_page=True)

    seconds = _ask(page, EN_QUESTION)
    print(f"\ntime to first answer in the browser: {seconds:.2f} s")
    expected = corpus_assistant.ask(EN_QUESTION)
    assert expected.supported
    cards = page.locator("#ra-cards article.ra-card")
    assert cards.count() == len(expected.citations)
    first = page.locator('#ra-cards article[data-n="1"]')
    assert _squash(first.locator(".ra-text").inner_text()) == _squash(expected.citations[0].text)
    assert first.locator(".ra-title").inner_text() == expected.citations[0].title
    assert first.locator("mark").count() >= 1  # the quoted sentence is highlighted
    bubble = page.locator("#ra-chat .ra-answer").last
    runs = {s["run"] for s in expected.sentences if "run" in s}
    assert bubble.locator(".ra-ref").count() == len(runs)  # one marker closes each quoted passage
    assert bubble.locator(".ra-frame").count() == len(runs)
    assert page.locator("#ra-question textarea").input_value() == ""
    page.screenshot(path=str(artifacts / "01-chat-english.png"), full_page=True)

    page.locator("#ra-chat button[aria-label='Like']").last.click()  # the bubble's own thumbs-up
    page.locator("#ra-feedback-status", has_text="feedback is saved").wait_for()
    ratings = [
        json.loads(x) for x in (feedback_dir / "feedback.jsonl").read_text("utf-8").splitlines()
    ]
    assert [(r["question"], r["rating"]) for r in ratings] == [(EN_QUESTION, "up")]

    _ask(page, ZH_QUESTION)
    zh_card = page.locator('#ra-cards article[data-doc="cbd-dec-xi-16-zh"]').first
    zh_card.wait_for()
    assert zh_card.locator(".ra-lang").inner_text().lower() == "zh"
    assert "para. 1(b)" in zh_card.locator(".ra-where").inner_text()
    assert "根本原因" in zh_card.locator(".ra-text").inner_text()
    page.screenshot(path=str(artifacts / "02-chat-chinese.png"), full_page=True)

    page.locator("#ra-comment textarea").fill("Please also cite the English translation")
    page.locator("#ra-thumbs-down").click()
    page.locator("#ra-feedback-status", has_text="queued for review").wait_for()
    [candidate] = [
        json.loads(line)
        for line in (feedback_dir / "candidates.jsonl").read_text("utf-8").splitlines()
        if json.loads(line)["question"] == ZH_QUESTION
    ]
    assert candidate["review"]["comment"] == "Please also cite the English translation"
    assert {"doc_id": "cbd-dec-xi-16-zh", "paragraph": "1(b)"} in candidate["gold"]

    with page.expect_download() as download:
        page.locator("#ra-export-md").click()
    exported = Path(download.value.path()).read_text("utf-8")
    assert exported.startswith("# Restoration Assistant answer") and ZH_QUESTION in exported


def test_off_topic_question_shows_possibly_related(
    page: Any, corpus_url: str, artifacts: Path
) -> None:
    page.goto(corpus_url)
    _ask(page, "What is the capital of France?")
    assert page.locator("#ra-cards article.ra-related").count() >= 1
    assert "Possibly related" in page.locator("#ra-cards").inner_text()
    assert page.locator("#ra-chat .ra-refusal").count() == 1
    page.screenshot(path=str(artifacts / "03-chat-refusal.png"), full_page=True)


def test_library_lists_and_searches_documents(page: Any, corpus_url: str, artifacts: Path) -> None:
    page.goto(corpus_url)
    page.get_by_role("tab", name="Library").click()
    _wait_for_text(page, "#ra-library", "cbd-dec-xi-16-zh")
    assert "turned off" in page.locator("body").inner_text()  # uploads are off by default
    page.screenshot(path=str(artifacts / "04-library.png"), full_page=True)
    page.get_by_label("Search by title").fill("mangrove")
    _wait_for_text(page, "#ra-library", "case-senegal-mangroves")
    _wait_for_text(page, "#ra-library", "cbd-dec-xi-16-zh", present=False)

    page.get_by_role("tab", name="Evaluate").click()
    page.get_by_text("unanswerable.jsonl").wait_for()
    page.screenshot(path=str(artifacts / "07-evaluate.png"), full_page=True)


@pytest.fixture(scope="module")
def upload_url(tmp_path_factory: pytest.TempPathFactory, real_embeddings: Any) -> Iterator[str]:
    """An app with uploads on, over its own small store (never the session's corpus store)."""
    from assistant.pipeline import build_assistant
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    base = tmp_path_factory.mktemp("browser-upload")
    settings = Settings(
        store_dir=base / "store",
        cache_dir=base / "cache",
        uploads_enabled=True,
        upload_dir=base / "uploads",
        feedback_dir=base / "feedback",
        port=free_port(),
    )
    store = open_store(settings, real_embeddings, create=True)
    files = [ROOT / "corpus" / "guidance" / "kmgbf-target-2.md"]
    assert not ingest_paths(files, settings, store, real_embeddings).failed
    yield from serve_app(build_assistant(settings, real_embeddings), settings)


def test_uploaded_document_with_markup_shows_as_text_and_runs_nothing(
    page: Any, upload_url: str, tmp_path: Path, artifacts: Path
) -> None:
    doc = tmp_path / "seed bank notes.md"
    doc.write_text(HOSTILE_DOC, encoding="utf-8")
    page.goto(upload_url)
    page.get_by_role("tab", name="Library").click()
    page.locator("#ra-upload-files input[type=file]").set_input_files(str(doc))
    page.locator("#ra-upload-button").click()
    page.locator("#ra-upload-status", has_text="1 file(s) indexed").wait_for()
    library = page.locator("#ra-library")
    _wait_for_text(page, "#ra-library", "upload-seed-bank-notes")
    assert "<script>window.__pwned='title'</script>" in library.inner_text()
    page.screenshot(path=str(artifacts / "05-upload-library.png"), full_page=True)

    page.get_by_role("tab", name="Chat").click()
    _ask(page, "How many native species did the community seed banks store?")
    card = page.locator('#ra-cards article[data-doc="upload-seed-bank-notes"]').first
    card.wait_for()
    assert card.locator(".ra-uploaded").inner_text() == "uploaded, not an official text"
    text = card.locator(".ra-text").inner_text()
    assert "<script>window.__pwned = 'script'; alert('script')</script>" in text
    assert "<img src=x onerror=\"window.__pwned='img'; alert('img')\">" in _squash(text)
    assert "[the seed list](javascript:alert(1))" in _squash(text)
    assert "<script>" in card.locator(".ra-title").inner_text()
    page.screenshot(path=str(artifacts / "06-upload-markup-as-text.png"), full_page=True)

    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("a[href^='javascript:' i]").count() == 0
    assert page.locator("#ra-cards img, #ra-chat .ra-answer img, #ra-library img").count() == 0
    assert page.dialogs == []
