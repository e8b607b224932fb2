"""Server mode: a real `chroma run` server on a loopback port, the CLI in several processes.

One process ingests the corpus through the server, two others answer at once; every
command works against the server; when the server goes away the CLI, the library and
the chat say so in one line, and the same objects answer again once it is back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import free_port  # tests/ is on sys.path under pytest

from assistant.core.errors import StoreUnavailable
from assistant.core.settings import Settings

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
CHROMA = Path(sys.executable).with_name("chroma")
QUESTION = "What does decision XI/16 ask Parties to do about the causes of degradation?"


class ChromaServer:
    """A `chroma run` process on 127.0.0.1 that a test can stop and start again."""

    def __init__(self, path: Path, port: int, wrapper: tuple[str, ...] = ()) -> None:
        self.path = path
        self.port = port
        self.wrapper = wrapper  # e.g. strace and its options
        self.process: subprocess.Popen[bytes] | None = None
        self.log = path.parent / f"chroma-{port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "RUST_LOG": "warn"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.wrapper, str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"chroma did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.wrapper:
            # A wrapper such as strace detaches on SIGTERM and leaves the server running:
            # stop the server itself, and the wrapper exits with it.
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            for pid in children.read_text().split() if children.exists() else []:
                os.kill(int(pid), signal.SIGTERM)
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self.process = None


def cli(*args: str, cache: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the CLI in its own process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=timeout,
        env={**os.environ, "RA_CACHE_DIR": str(cache), "COLUMNS": "300"},
    )


def start_cli(*args: str, cache: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "RA_CACHE_DIR": str(cache), "COLUMNS": "300"},
    )


def expected_chunks() -> int:
    from ingest.chunking import chunk_document
    from ingest.indexing import collect_files
    from ingest.loaders import load_document

    settings = Settings()
    files, _ = collect_files([CORPUS])
    return sum(
        len(chunk_document(load_document(f), settings.chunk_size, settings.chunk_overlap)) for f in files
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    if not CHROMA.is_file():
        pytest.skip("the chroma command is not installed next to this Python")
    base = tmp_path_factory.mktemp("chroma-server")
    chroma = ChromaServer(base / "data", free_port())
    chroma.start()
    try:
        yield chroma
    finally:
        chroma.stop()


@pytest.fixture(scope="module")
def served(
    server: ChromaServer, tmp_path_factory: pytest.TempPathFactory, corpus_store: Settings
) -> list[str]:
    """The bundled corpus, ingested through the server by one CLI process.

    The process starts from the vector cache the session's corpus store left (the same
    texts, the same model), as a user's second ingest would: every chunk is still loaded,
    chunked and written through the server, but no text is embedded twice in one run.
    """
    cache = tmp_path_factory.mktemp("ingest-cache")
    shutil.copy(corpus_store.cache_dir / "vectors.sqlite", cache / "vectors.sqlite")
    result = cli(
        "ingest", str(CORPUS), "--chroma-host", "127.0.0.1", "--chroma-port", str(server.port),
        cache=cache,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not (server.path.parent / "var").exists()
    return ["--chroma-host", "127.0.0.1", "--chroma-port", str(server.port)]


def _citations(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["doc_id"], c["paragraph"], c["locator"]) for c in answer["citations"]]


def test_two_processes_answer_at_once_with_the_same_citations(served: list[str], tmp_path: Path) -> None:
    # One fresh cache shared by both: they build and cache the lexical index at the same time.
    cache = tmp_path / "shared-cache"
    processes = [start_cli("ask", "--json", *served, QUESTION, cache=cache) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in processes]
    answers = []
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-3000:]
        answers.append(json.loads(stdout))
    assert all(a["supported"] for a in answers)
    assert _citations(answers[0]) == _citations(answers[1])
    assert _citations(answers[0]) and all(c[0] for c in _citations(answers[0]))
    folders = [p.name for p in (cache / "lexical").iterdir()]
    assert len(folders) == 1 and not folders[0].endswith(".tmp"), folders
    # A third process reuses the cached index and answers the same.
    third = cli("ask", "--json", *served, QUESTION, cache=cache)
    assert third.returncode == 0, third.stderr[-3000:]
    assert _citations(json.loads(third.stdout)) == _citations(answers[0])


def test_info_and_reingest_through_the_server(served: list[str], tmp_path: Path) -> None:
    info = cli("info", *served, cache=tmp_path / "cache")
    assert info.returncode == 0, info.stderr[-3000:]
    assert f"Chunks {expected_chunks()}" in " ".join(info.stdout.split())
    assert "127.0.0.1:" in info.stdout

    again = cli("ingest", str(CORPUS), *served, cache=tmp_path / "cache")
    assert again.returncode == 0, again.stderr[-3000:]
    row = [line for line in again.stdout.splitlines() if line.count("│") == 7][-1]
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    files = len(list(CORPUS.rglob("*.md"))) - 1  # the corpus README is not a document
    assert cells == ["0", str(files), "0", "0", "0", "0"]


def test_eval_through_the_server(served: list[str], tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = cli("eval", str(ROOT / "evals" / "sets" / "xi16.jsonl"), *served, "--limit", "3",
                 "--out", str(run), cache=tmp_path / "cache")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_items"] == 3
    assert len((run / "items.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_faq_through_the_server(served: list[str], tmp_path: Path) -> None:
    out = tmp_path / "faq.md"
    result = cli("faq", "--doc", "kmgbf-target-2", "-n", "3", "--out", str(out), *served,
                 cache=tmp_path / "cache")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "kmgbf-target-2" in text or "Target 2" in text
    assert "[^1]" in text


class ChatProcess:
    """`restoration-assistant chat` in its own process, driven by gradio_client."""

    def __init__(self, served: list[str], cache: Path) -> None:
        self.port = free_port()
        self.process = start_cli("chat", *served, "--port", str(self.port), cache=cache)
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.process.communicate()[1][-3000:])
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("the chat did not start")

    def ask(self, question: str) -> dict[str, Any]:
        from gradio_client import Client

        return Client(self.url, verbose=False).predict(question, api_name="/ask")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate(timeout=30)


def test_server_gone_is_one_clear_line_and_everything_recovers(
    server: ChromaServer, served: list[str], tmp_path: Path, real_embeddings: Any
) -> None:
    from assistant.pipeline import build_assistant

    settings = Settings(chroma_host="127.0.0.1", chroma_port=server.port, cache_dir=tmp_path / "cache")
    assistant = build_assistant(settings, real_embeddings)
    chat = ChatProcess(served, tmp_path / "chat-cache")
    try:
        chat.wait()
        first = assistant.ask(QUESTION)
        assert first.supported
        assert chat.ask(QUESTION)["supported"]

        server.stop()
        where = f"127.0.0.1:{server.port}"
        with pytest.raises(StoreUnavailable, match="unreachable") as info:
            assistant.ask(QUESTION)
        assert where in str(info.value) and "chroma run" in str(info.value)
        with pytest.raises(StoreUnavailable, match=where):
            list(assistant.stream(QUESTION))
        result = cli("ask", *served, QUESTION, cache=tmp_path / "cache", timeout=300)
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "unreachable" in lines[0] and where in lines[0], result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        with pytest.raises(Exception, match="unreachable") as chat_error:
            chat.ask(QUESTION)
        assert where in str(chat_error.value) and "Traceback" not in str(chat_error.value)
        assert chat.process.poll() is None  # the app keeps running

        server.start()
        answer = assistant.ask(QUESTION)  # the same object, no rebuild
        assert answer.supported
        assert [(c.doc_id, c.locator) for c in answer.citations] == [
            (c.doc_id, c.locator) for c in first.citations
        ]
        assert chat.ask(QUESTION)["supported"]
    finally:
        chat.stop()
        if server.process is None:
            server.start()


def test_ingest_into_a_missing_server_is_one_clear_line(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here
    result = cli("ingest", str(CORPUS / "decisions"), "--chroma-host", "127.0.0.1", "--chroma-port",
                 str(port), cache=tmp_path / "cache", timeout=300)
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is unreachable" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_chroma_server_makes_no_outbound_connection(tmp_path: Path, fake_embeddings: Any) -> None:
    """strace sees every connect() of the server (native code included) while it is used."""
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    from assistant.store.chroma import open_store
    from ingest.indexing import ingest_paths

    port = free_port()
    trace = tmp_path / "connect.log"
    chroma = ChromaServer(tmp_path / "data", port, ("strace", "-f", "-e", "trace=connect", "-o", str(trace)))
    chroma.start()
    try:
        settings = Settings(chroma_host="127.0.0.1", chroma_port=port, cache_dir=tmp_path / "cache",
                            embedding_model="fake-test-model")
        store = open_store(settings, fake_embeddings, create=True)
        report = ingest_paths([CORPUS / "decisions"], settings, store, fake_embeddings)
        assert report.count("added") == 2
        assert store.query(fake_embeddings.encode(["restoration"], query=True)[0], 3)
    finally:
        chroma.stop()
    assert "+++ exited" in trace.read_text()  # strace followed the server to its end
    calls = [line for line in trace.read_text().splitlines() if "connect(" in line]
    outbound = [c for c in calls if "AF_UNIX" not in c and "127.0.0.1" not in c and "::1" not in c]
    assert outbound == []


def test_a_rebuild_by_another_client_is_picked_up_by_a_running_assistant(
    server: ChromaServer, tmp_path: Path, fake_embeddings: Any
) -> None:
    """`ingest --rebuild` elsewhere re-creates the collection under a new id; askers follow."""
    from assistant.core.errors import StoreNotFound
    from assistant.pipeline import build_assistant
    from assistant.store.chroma import delete_collection, open_store
    from ingest.indexing import ingest_paths

    settings = Settings(chroma_host="127.0.0.1", chroma_port=server.port, collection="rebuild-test",
                        cache_dir=tmp_path / "cache", embedding_model="fake-test-model")
    store = open_store(settings, fake_embeddings, create=True)
    ingest_paths([CORPUS / "decisions"], settings, store, fake_embeddings)
    assistant = build_assistant(settings, fake_embeddings)
    before = assistant.ask("ecosystem restoration")
    count_before = store.count()

    delete_collection(settings)  # another process starts a rebuild
    with pytest.raises(StoreNotFound, match="rebuilt"):
        assistant.ask("ecosystem restoration")
    other = open_store(settings, fake_embeddings, create=True)
    target = CORPUS / "guidance" / "kmgbf-target-2.md"
    ingest_paths([CORPUS / "decisions", target], settings, other, fake_embeddings)

    after = assistant.ask("What is Target 2 of the Kunming-Montreal framework?")
    assert after.trace["corpus_fingerprint"] != before.trace["corpus_fingerprint"]
    assert assistant.info().chunks == other.count() > count_before
    assert "kmgbf-target-2" in {r["doc_id"] for r in after.trace["retrieved"]}
