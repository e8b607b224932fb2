"""Load test: many concurrent chat sessions against the app, on loopback and bounded in time.

::

    python -m assistant.bench.loadtest --store var/store --sessions 20 --duration 60
    python -m assistant.bench.loadtest --store var/store --burst 30 --concurrency-limit 1 --queue-max-size 2

It starts ``restoration-assistant chat`` on a free 127.0.0.1 port (or drives ``--url``),
runs one gradio_client session per thread asking questions through ``/ask`` for the
duration, samples the app process's memory every second, then prints a table and
writes JSON. ``--burst`` then fires that many questions at the same instant: with a
small queue, those beyond it must get Gradio's "queue is full" reply (counted as
*busy*), never an error, and the app must answer again afterwards.

Exit code 1 when any request failed (other than busy) or the app died.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.bench.app_process import AppProcess, app_process, rss_mb

__all__ = [
    "QUESTIONS",
    "AppProcess",
    "BurstResult",
    "LoadResult",
    "app_process",
    "burst",
    "main",
    "rss_mb",
    "run_load",
]

QUESTIONS = (
    "What does decision XI/16 ask Parties to do about the causes of degradation?",
    "生态系统退化的根本原因和直接原因应该怎么处理？",
    "What is Target 2 of the Kunming-Montreal Global Biodiversity Framework?",
    "Which case studies restored mangroves, and what did they achieve?",
    "How does rewetting help peatlands?",
    "¿Qué pide la decisión XI/16 sobre la restauración de ecosistemas?",
    "What is the traditional recipe for paella valenciana?",  # a refusal, also a valid answer
)
REQUEST_TIMEOUT_S = 120.0
BUSY_BACKOFF_S = 0.5


@dataclass
class LoadResult:
    """Outcome of a timed run of concurrent sessions."""

    url: str
    sessions: int
    duration_s: float
    requests: int = 0
    ok: int = 0
    busy: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)
    throughput_per_s: float = 0.0
    rss_mb: dict[str, float] = field(default_factory=dict)
    rss_samples_mb: list[float] = field(default_factory=list)
    app_alive: bool = True

    @property
    def passed(self) -> bool:
        """No failed request and the app still running."""
        return self.errors == 0 and self.app_alive and self.ok > 0


@dataclass
class BurstResult:
    """Outcome of many questions sent at the same instant (the queue-limit check)."""

    url: str
    requests: int
    ok: int = 0
    busy: int = 0
    errors: int = 0
    busy_message: str = ""
    error_samples: list[str] = field(default_factory=list)
    answers_after: bool = False
    app_alive: bool = True

    @property
    def passed(self) -> bool:
        """Nothing failed, and the app answers once the burst is over."""
        return self.errors == 0 and self.app_alive and self.answers_after


def _client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def _ask(client: Any, question: str) -> dict[str, Any]:
    return dict(client.submit(question, api_name="/ask").result(timeout=REQUEST_TIMEOUT_S))


def _warm_up(clients: Sequence[Any], questions: Sequence[str]) -> None:
    """Let every session ask once, so memory is measured after caches and sessions exist."""

    def one(index: int) -> None:
        try:
            _ask(clients[index], questions[index % len(questions)])
        except Exception:  # noqa: BLE001, S110 - a busy or failed warm-up is retried under load
            pass

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S)


def _is_busy(error: BaseException) -> bool:
    from gradio_client.utils import QueueError

    return isinstance(error, QueueError) or "queue is full" in str(error).lower()


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


def run_load(
    url: str,
    *,
    sessions: int = 20,
    duration_s: float = 60,
    questions: Sequence[str] = QUESTIONS,
    pid: int | None = None,
) -> LoadResult:
    """Run ``sessions`` concurrent sessions asking ``questions`` in turn for ``duration_s``."""
    result = LoadResult(url=url, sessions=sessions, duration_s=duration_s)
    latencies: list[float] = []
    lock = threading.Lock()
    clients = [_client(url) for _ in range(sessions)]
    _warm_up(clients, questions)
    start_rss = rss_mb(pid) if pid else None
    stop = threading.Event()
    deadline = time.monotonic() + duration_s

    def session(index: int) -> None:
        turn = index
        while time.monotonic() < deadline:
            question = questions[turn % len(questions)]
            turn += 1
            started = time.perf_counter()
            try:
                answer = _ask(clients[index], question)
                if "answer" not in answer or "citations" not in answer:
                    raise ValueError(f"not an answer record: {sorted(answer)[:5]}")
            except Exception as e:  # noqa: BLE001 - every failure is counted and sampled
                if _count_failure(result, lock, e):
                    time.sleep(BUSY_BACKOFF_S)  # as a person would, rather than hammering
                continue
            with lock:
                result.requests += 1
                result.ok += 1
                latencies.append((time.perf_counter() - started) * 1000)

    sampler = _sample_memory(result, pid, stop)
    started = time.monotonic()
    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration_s + REQUEST_TIMEOUT_S + 30)
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join(timeout=5)
    result.latency_ms = _percentiles(latencies)
    result.throughput_per_s = round(result.ok / elapsed, 2) if elapsed else 0.0
    end_rss = rss_mb(pid) if pid else None
    if start_rss is not None and end_rss is not None:
        result.rss_mb = _memory(start_rss, end_rss, result.rss_samples_mb)
    return result


def _sample_memory(result: LoadResult, pid: int | None, stop: threading.Event) -> threading.Thread:
    """Start recording the app's memory every second into ``result`` until ``stop`` is set."""

    def sample_memory() -> None:
        while not stop.wait(1.0):
            value = rss_mb(pid) if pid else None
            if value is not None:
                result.rss_samples_mb.append(round(value, 1))

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    return sampler


def _count_failure(result: LoadResult, lock: threading.Lock, error: BaseException) -> bool:
    """Count a failed request as busy or as an error (sampling the first few); True if busy."""
    busy = _is_busy(error)
    with lock:
        result.requests += 1
        if busy:
            result.busy += 1
        else:
            result.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(f"{type(error).__name__}: {str(error)[:200]}")
    return busy


def _memory(start_rss: float, end_rss: float, samples: list[float]) -> dict[str, float]:
    """Summarise the app's memory over a run: start, end, max, growth first to last tenth."""
    tenth = max(1, len(samples) // 10)
    return {
        "start": round(start_rss, 1),
        "end": round(end_rss, 1),
        "max": round(max([start_rss, end_rss, *samples]), 1),
        # Growth between the first and last tenth of the run: a leak grows steadily.
        "growth_pct": round(
            (statistics.median(samples[-tenth:]) - statistics.median(samples[:tenth]))
            / statistics.median(samples[:tenth]) * 100, 1
        ) if samples else 0.0,
    }


def burst(url: str, *, requests: int = 30, question: str = QUESTIONS[0]) -> BurstResult:
    """Send ``requests`` questions at the same instant from as many sessions."""
    result = BurstResult(url=url, requests=requests)
    clients = [_client(url) for _ in range(requests)]
    barrier = threading.Barrier(requests)
    lock = threading.Lock()

    def one(index: int) -> None:
        barrier.wait()
        try:
            _ask(clients[index], question)
        except Exception as e:  # noqa: BLE001 - every failure is counted and sampled
            with lock:
                if _is_busy(e):
                    result.busy += 1
                    result.busy_message = result.busy_message or str(e)
                else:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{type(e).__name__}: {str(e)[:200]}")
            return
        with lock:
            result.ok += 1

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S * 2)
    try:
        result.answers_after = "answer" in _ask(_client(url), question)
    except Exception as e:  # noqa: BLE001 - recorded as a failure of the check
        result.error_samples.append(f"after the burst: {type(e).__name__}: {str(e)[:200]}")
    return result


def _print(load: LoadResult | None, burst_result: BurstResult | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Load test")
    table.add_column("measure")
    table.add_column("value", justify="right")
    if load is not None:
        rows = [
            ("sessions", load.sessions),
            ("duration (s)", load.duration_s),
            ("requests", load.requests),
            ("answered", load.ok),
            ("busy replies", load.busy),
            ("errors", load.errors),
            ("throughput (answers/s)", load.throughput_per_s),
            *((f"latency {k} (ms)", v) for k, v in load.latency_ms.items()),
            *((f"app RSS {k} (MB)" if k != "growth_pct" else "app RSS growth (%)", v) for k, v in load.rss_mb.items()),
        ]
        for name, value in rows:
            table.add_row(name, str(value))
    if burst_result is not None:
        for name, value in (
            ("burst: requests at once", burst_result.requests),
            ("burst: answered", burst_result.ok),
            ("burst: busy replies", burst_result.busy),
            ("burst: errors", burst_result.errors),
            ("burst: answers afterwards", burst_result.answers_after),
        ):
            table.add_row(name, str(value))
    console.print(table)
    if burst_result is not None and burst_result.busy_message:
        console.print(f"Busy reply: {burst_result.busy_message}")
    for result in (load, burst_result):
        for sample in (result.error_samples if result else []):
            console.print(f"[red]error[/] {sample}", markup=True, highlight=False)


cli = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@cli.command()
def main(
    store: Annotated[Path | None, typer.Option("--store", help="Store folder of the app.")] = None,
    chroma_host: Annotated[str | None, typer.Option("--chroma-host", help="Chroma server host.")] = None,
    chroma_port: Annotated[int | None, typer.Option("--chroma-port", help="Chroma server port.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Drive a running app instead of starting one.")] = None,
    sessions: Annotated[int, typer.Option("--sessions", min=0, help="Concurrent sessions (0: burst only).")] = 20,
    duration: Annotated[float, typer.Option("--duration", min=1, help="Seconds of load.")] = 60,
    burst_size: Annotated[int, typer.Option("--burst", min=0, help="Questions sent at once after the run (0: none).")] = 0,
    concurrency_limit: Annotated[int | None, typer.Option("--concurrency-limit", help="RA_CONCURRENCY_LIMIT of the started app.")] = None,
    queue_max_size: Annotated[int | None, typer.Option("--queue-max-size", help="RA_QUEUE_MAX_SIZE of the started app.")] = None,
    out: Annotated[Path, typer.Option("--out", help="JSON results file.")] = Path("var/loadtest/loadtest.json"),
) -> None:
    """Drive the chat with concurrent sessions; report latency, errors, busy replies, memory."""
    from assistant.core.offline import apply_offline_switches

    apply_offline_switches()
    load: LoadResult | None = None
    burst_result: BurstResult | None = None

    def drive(target: str, pid: int | None, alive: Any) -> None:
        nonlocal load, burst_result
        if duration and sessions:
            load = run_load(target, sessions=sessions, duration_s=duration, pid=pid)
            load.app_alive = alive()
        if burst_size:
            burst_result = burst(target, requests=burst_size)
            burst_result.app_alive = alive()

    if url:
        drive(url, None, lambda: True)
    else:
        args: list[str] = []
        if store:
            args += ["--store", str(store)]
        if chroma_host:
            args += ["--chroma-host", chroma_host]
        if chroma_port:
            args += ["--chroma-port", str(chroma_port)]
        env = {}
        if concurrency_limit:
            env["RA_CONCURRENCY_LIMIT"] = str(concurrency_limit)
        if queue_max_size:
            env["RA_QUEUE_MAX_SIZE"] = str(queue_max_size)
        with app_process(args, log=out.with_suffix(".app.log"), env=env) as app:
            drive(app.url, app.pid, app.alive)
    _print(load, burst_result)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "load": asdict(load) if load else None,
        "burst": asdict(burst_result) if burst_result else None,
        "settings": {"concurrency_limit": concurrency_limit, "queue_max_size": queue_max_size},
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"Results written to {out}")
    if (load and not load.passed) or (burst_result and not burst_result.passed):
        raise typer.Exit(1)


if __name__ == "__main__":
    cli()
