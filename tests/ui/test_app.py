"""The Gradio app, launched for real on a free loopback port and driven by gradio_client."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import free_port, serve_app  # tests/ is on sys.path under pytest

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.evaluation.run import check_sets, load_items

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
XI16_EN = "What does decision XI/16 ask Parties to do about the causes of degradation?"
XI16_ZH = "生态系统退化的根本原因和直接原因应该怎么处理？"
UPLOADED_DOC = """---
doc_id: upload-test-peat-fire
title: Peat fire brigades in the Kalimantan test district
kind: case-study
language: en
year: 2021
region: Asia
ecosystem: peatlands
---
# Peat fire brigades in the Kalimantan test district

## What was done

Village peat fire brigades in the Kalimantan test district blocked 42 drainage canals with
wooden dams and patrolled the rewetted peat every dry season.

## Results

After three dry seasons the brigades reported no fire on the rewetted peat, and the water
table stayed within 40 centimetres of the surface.
"""


def _client(url: str, **kwargs: Any) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, **kwargs)


def _download(file: dict[str, Any]) -> str:
    """Fetch a file the app offers for download, as the browser would."""
    import httpx

    assert file["orig_name"].startswith("restoration-answer.")
    response = httpx.get(file["url"])
    response.raise_for_status()
    return response.content.decode("utf-8")


@pytest.fixture(scope="module")
def app_dirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app")


@pytest.fixture(scope="module")
def app_url(corpus_assistant: Any, app_dirs: Path) -> Iterator[str]:
    """The app over the bundled corpus, uploads off (the default)."""
    settings = corpus_assistant.settings.model_copy(
        update={
            "port": free_port(),
            "feedback_dir": app_dirs / "feedback",
            "upload_dir": app_dirs / "uploads",
            "eval_runs_dir": app_dirs / "runs",
            "eval_sets_dir": ROOT / "evals" / "sets",
        }
    )
    yield from serve_app(corpus_assistant, settings)


# --- chat and /ask -------------------------------------------------------------------------


def test_ask_endpoint_returns_structured_citations(app_url: str) -> None:
    answer = _client(app_url).predict(XI16_ZH, api_name="/ask")
    assert answer["supported"] is True
    assert answer["language"] == "zh"
    first = answer["citations"][0]
    assert (first["doc_id"], first["paragraph"]) == ("cbd-dec-xi-16-zh", "1(b)")
    assert (
        first["kind"] == "decision"
        and first["symbol"] == "XI/16"
        and first["locator"] == "para. 1(b)"
    )
    assert first["supporting"] and all(s in first["text"] for s in first["supporting"])
    assert f"[{first['n']}]" in answer["answer"]
    assert answer["trace"]["retrieved"] and answer["trace"]["question"] == XI16_ZH


def test_chat_renders_answer_cards_and_remembers_the_conversation(app_url: str) -> None:
    client = _client(app_url)
    messages, cards, record, textbox, export_md, export_json, _ = client.predict(
        question=XI16_EN, api_name="/chat"
    )
    assert textbox != XI16_EN  # the box was cleared when the question was sent
    assert [m["role"] for m in messages] == ["user", "assistant"]
    bubble = str(messages[-1]["content"])
    assert 'class="ra-ref"' in bubble and "[1]" in bubble
    assert record["supported"] is True and record["citations"]
    for citation in record["citations"]:
        assert f'data-doc="{citation["doc_id"]}"' in cards
    assert cards.count('class="ra-card"') == len(record["citations"])
    assert "<mark>" in cards  # the quoted sentences are highlighted in their passages
    assert export_md["interactive"] and export_json["interactive"]
    markdown = _download(export_md["value"])
    assert markdown.startswith("# Restoration Assistant answer") and XI16_EN in markdown
    assert json.loads(_download(export_json["value"])) == record

    follow_up = "And what does it ask about monitoring?"
    messages, _, record, *_ = client.predict(question=follow_up, api_name="/chat")
    assert len(messages) == 2  # this client sends no chat; the memory lives in its session
    trace = record["trace"]
    assert trace["history"] == [XI16_EN]
    assert trace["follow_up"] is True
    assert trace["condensed_query"] != follow_up

    fresh = _client(app_url)  # a new session starts without memory
    record = fresh.predict(question=follow_up, api_name="/chat")[2]
    assert record["trace"]["history"] == []


def test_ask_with_history_condenses_the_follow_up(app_url: str) -> None:
    client = _client(app_url)
    first = client.predict(XI16_EN, api_name="/ask")
    answer = client.predict("And what about monitoring?", history=[first], api_name="/ask")
    assert answer["trace"]["follow_up"] is True
    assert answer["trace"]["history"] == [XI16_EN]


def test_filters_limit_citations_to_chinese_decisions(app_url: str) -> None:
    client = _client(app_url)
    question = "What should Parties do to restore degraded ecosystems?"
    answer = client.predict(
        question, filters={"kind": ["decision"], "language": ["zh"]}, k=5, api_name="/ask"
    )
    cited = answer["citations"] or answer["related"]
    assert cited
    assert {(c["kind"], c["language"]) for c in cited} == {("decision", "zh")}
    assert all(r["doc_id"] == "cbd-dec-xi-16-zh" for r in answer["trace"]["retrieved"])
    assert answer["trace"]["filters"] == {"kind": ["decision"], "language": ["zh"]}

    _, cards, record, *_ = client.predict(
        question=question, kind=["decision"], language=["zh"], k=3, api_name="/chat"
    )
    cited = record["citations"] or record["related"]
    assert cited and {(c["kind"], c["language"]) for c in cited} == {("decision", "zh")}
    assert len(record["trace"]["retrieved"]) <= 3
    assert "ra-kind-decision" in cards and "ra-kind-guidance" not in cards


def test_off_topic_question_is_refused_with_related_passages(app_url: str) -> None:
    client = _client(app_url)
    messages, cards, record, *_ = client.predict(
        question="What is the capital of France?", api_name="/chat"
    )
    assert record["supported"] is False and record["citations"] == []
    assert record["related"]
    assert "Possibly related" in cards and cards.count("ra-related") == len(record["related"])
    assert "ra-refusal" in str(messages[-1]["content"])


def test_bad_requests_are_clear_errors(app_url: str) -> None:
    client = _client(app_url)
    with pytest.raises(Exception, match="Please type a question"):
        client.predict("   ", api_name="/ask")
    with pytest.raises(Exception, match="unknown filter"):
        client.predict("restoration", filters={"colour": ["green"]}, api_name="/ask")
    with pytest.raises(Exception, match="not available"):
        client.predict("restoration", mode="telepathy", api_name="/ask")


# --- feedback and export -------------------------------------------------------------------


def test_thumbs_down_is_saved_and_becomes_a_candidate_eval_item(
    app_url: str, app_dirs: Path, corpus_assistant: Any
) -> None:
    client = _client(app_url)
    record = client.predict(question=XI16_EN, api_name="/chat")[2]
    status, comment = client.predict("Cites a case study first", api_name="/rate_down")
    assert "queued for review" in status and comment == ""
    receipt = client.predict(record, "up", api_name="/feedback")
    assert receipt["candidate_id"] is None

    folder = app_dirs / "feedback"
    lines = [json.loads(x) for x in (folder / "feedback.jsonl").read_text("utf-8").splitlines()]
    rated = [x for x in lines if x["question"] == XI16_EN]
    assert [x["rating"] for x in rated][-2:] == ["down", "up"]
    down = rated[-2]
    assert down["comment"] == "Cites a case study first"
    assert down["answer"]["citations"] == record["citations"]

    items = {i.id: i for i in load_items([folder / "candidates.jsonl"])}
    candidate_id = re.search(r"eval item (cand-[\w-]+)", status).group(1)  # type: ignore[union-attr]
    item = items[candidate_id]
    assert item.question == XI16_EN and item.tags[:2] == ("from-feedback", "needs-review")
    assert {g["doc_id"] for g in item.gold} == {c["doc_id"] for c in record["citations"]}
    assert check_sets([folder / "candidates.jsonl"], corpus_assistant.store) == []


def test_rating_before_any_answer_is_refused(app_url: str) -> None:
    with pytest.raises(Exception, match="Ask a question first"):
        _client(app_url).predict("", api_name="/rate_up")


def test_export_gives_markdown_and_json_with_citations_and_trace(app_url: str) -> None:
    client = _client(app_url)
    record = client.predict(XI16_ZH, api_name="/ask")
    markdown = client.predict(record, "markdown", api_name="/export")
    assert markdown.startswith("# Restoration Assistant answer")
    assert f"## Question\n\n{XI16_ZH}" in markdown and record["answer"] in markdown
    first = record["citations"][0]
    assert (
        f"**[{first['n']}] {first['title']}** — Decision, decision XI/16 · para. 1(b), zh"
        in markdown
    )
    assert "## Trace" in markdown and record["trace"]["condensed_query"] in markdown
    data = json.loads(client.predict(record, "json", api_name="/export"))
    assert data == record


# --- library, uploads, eval ----------------------------------------------------------------


def test_library_lists_and_searches_documents(app_url: str, corpus_assistant: Any) -> None:
    client = _client(app_url)
    everything = client.predict("", api_name="/library")
    rows = everything["data"]
    assert everything["headers"] == ["Title", "Kind", "Language", "Year", "Chunks", "doc_id", "Origin"]
    assert {r[6] for r in everything["data"]} == {"bundled"}
    assert {r[5] for r in rows} == {d["doc_id"] for d in corpus_assistant.info().documents}
    zh = next(r for r in rows if r[5] == "cbd-dec-xi-16-zh")
    assert zh[1] == "Decision" and zh[2] == "zh" and zh[4] > 10
    mangroves = client.predict("MANGROVE", api_name="/library")["data"]
    assert mangroves and all("mangrove" in r[0].lower() for r in mangroves)
    assert {r[5] for r in mangroves} >= {"case-senegal-mangroves", "case-viet-nam-mangroves"}


def test_upload_and_delete_are_refused_when_disabled(
    app_url: str, tmp_path: Path, app_dirs: Path
) -> None:
    from gradio_client import handle_file

    doc = tmp_path / "notes.md"
    doc.write_text(UPLOADED_DOC, encoding="utf-8")
    client = _client(app_url)
    with pytest.raises(Exception, match="turned off"):
        client.predict([handle_file(str(doc))], api_name="/upload")
    with pytest.raises(Exception, match="turned off"):
        client.predict("cbd-dec-xi-16-en", api_name="/delete_document")
    assert not (app_dirs / "uploads").exists()
    assert client.predict("XI/16", api_name="/library")["data"]


def test_evaluate_tab_runs_a_set_and_offers_the_report(app_url: str, app_dirs: Path) -> None:
    client = _client(app_url)
    status, metrics, files = client.predict(["unanswerable.jsonl"], [], 2, api_name="/evaluate")
    assert "2 items evaluated" in status
    table = {row[0]: row[1] for row in metrics["data"]}
    assert table["refusal_accuracy"] in {"0.000", "0.500", "1.000"}
    assert sorted(Path(f["path"] if isinstance(f, dict) else f).name for f in files) == [
        "report.html",
        "report.md",
        "summary.json",
    ]
    [run] = list((app_dirs / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text("utf-8"))
    assert summary["n_items"] == 2 and summary["config"]["sets"] == ["unanswerable.jsonl"]
    problems = client.predict(["xi16.jsonl"], [], api_name="/validate_sets")
    assert "OK" in problems


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, real_embeddings: Any) -> Settings:
    """A separate store with two corpus documents, so uploads never touch the session store."""
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    base = tmp_path_factory.mktemp("upload-store")
    settings = Settings(
        store_dir=base / "store",
        cache_dir=base / "cache",
        uploads_enabled=True,
        upload_dir=base / "uploads",
        feedback_dir=base / "feedback",
        max_upload_mb=1,
        port=free_port(),
    )
    store = open_store(settings, real_embeddings, create=True)
    files = [CORPUS / "guidance" / "kmgbf-target-2.md", CORPUS / "guidance" / "flr-principles.md"]
    assert not ingest_paths(files, settings, store, real_embeddings).failed
    return settings


@pytest.fixture(scope="module")
def upload_url(small_store: Settings, real_embeddings: Any) -> Iterator[str]:
    from assistant.pipeline import build_assistant

    yield from serve_app(build_assistant(small_store, real_embeddings), small_store)


def test_upload_indexes_a_document_the_chat_then_cites(
    upload_url: str, small_store: Settings, tmp_path: Path
) -> None:
    from gradio_client import handle_file

    good = tmp_path / "peat fire brigades.md"
    good.write_text(UPLOADED_DOC, encoding="utf-8")
    clash = tmp_path / "clash.md"  # claims the doc_id of a document already in the store: kept apart
    clash.write_text(
        UPLOADED_DOC.replace("upload-test-peat-fire", "kmgbf-target-2"), encoding="utf-8"
    )
    client = _client(upload_url)
    status, results = client.predict(
        [handle_file(str(good)), handle_file(str(clash))], api_name="/upload"
    )
    by_file = {r["file"]: r for r in results}
    assert by_file["peat fire brigades.md"]["status"] == "added"
    assert by_file["peat fire brigades.md"]["doc_id"] == "upload-test-peat-fire"
    assert by_file["clash.md"]["status"] == "added"
    assert by_file["clash.md"]["doc_id"] == "upload-kmgbf-target-2"
    assert "2 file(s) indexed, 0 not indexed" in status
    saved = sorted(p.name for p in (small_store.upload_dir / "anonymous").iterdir())
    assert saved == ["clash.md", "peat fire brigades.md"]
    assert client.predict("upload-kmgbf-target-2", api_name="/delete_document")

    rows = client.predict("kalimantan", api_name="/library")["data"]
    assert [r[5] for r in rows] == ["upload-test-peat-fire"]
    answer = client.predict(
        "How many drainage canals did the village peat fire brigades block?", api_name="/ask"
    )
    assert answer["supported"] and answer["citations"][0]["doc_id"] == "upload-test-peat-fire"
    assert "42" in answer["answer"]

    message = client.predict("upload-test-peat-fire", api_name="/delete_document")
    assert re.search(r"Deleted 'upload-test-peat-fire' \(\d+ passages\)", html.unescape(message))
    assert client.predict("kalimantan", api_name="/library")["data"] == []
    assert not any((small_store.upload_dir / "anonymous").iterdir())


def test_uploads_of_other_types_or_over_the_size_limit_are_refused(
    upload_url: str, small_store: Settings, tmp_path: Path
) -> None:
    from gradio_client import handle_file

    client = _client(upload_url)
    wrong = tmp_path / "tool.exe"
    wrong.write_bytes(b"MZ binary")
    with pytest.raises(Exception, match="Invalid file type"):
        client.predict([handle_file(str(wrong))], api_name="/upload")
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "restoration " * 120_000, encoding="utf-8")  # ~1.4 MB > 1 MB
    with pytest.raises(Exception, match="(?i)too large|size|413"):
        client.predict([handle_file(str(big))], api_name="/upload")
    assert client.predict("big", api_name="/library")["data"] == []
    assert not any(p.is_file() for p in small_store.upload_dir.rglob("*"))


# --- login ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def auth_url(corpus_assistant: Any, app_dirs: Path) -> Iterator[str]:
    settings = corpus_assistant.settings.model_copy(
        update={
            "port": free_port(),
            "auth_username": "trainer",
            "auth_password_env": "RA_TEST_APP_PASSWORD",
            "feedback_dir": app_dirs / "auth-feedback",
        }
    )
    yield from serve_app(corpus_assistant, settings, {"RA_TEST_APP_PASSWORD": "s3cret-pass"})


def test_login_protects_the_app_and_its_api(auth_url: str) -> None:
    import httpx
    from gradio_client import Client

    with pytest.raises(Exception, match="(?i)credentials|login|authenticat"):
        Client(auth_url, verbose=False, download_files=False)
    with pytest.raises(Exception, match="(?i)credentials|login|authenticat|invalid"):
        Client(auth_url, verbose=False, download_files=False, auth=("trainer", "wrong"))
    assert httpx.get(auth_url + "config").status_code == 401
    assert httpx.post(auth_url + "gradio_api/call/ask", json={"data": [XI16_EN]}).status_code == 401
    assert httpx.get(auth_url + "gradio_api/info").status_code == 401

    client = Client(auth_url, verbose=False, download_files=False, auth=("trainer", "s3cret-pass"))
    assert client.predict(XI16_EN, api_name="/ask")["supported"] is True


def test_login_without_a_password_refuses_to_start() -> None:
    from assistant.ui.app import app_credentials

    settings = Settings(auth_username="trainer", auth_password_env="RA_TEST_MISSING")
    with pytest.raises(AssistantError, match="RA_TEST_MISSING"):
        app_credentials(settings, environ={})
    assert app_credentials(Settings(), environ={}) is None
    assert app_credentials(settings, {"RA_TEST_MISSING": "pw"}) == {"trainer": "pw"}
