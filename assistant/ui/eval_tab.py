"""The Evaluate tab: run eval sets against the app's assistant, as ``restoration-assistant eval`` does.

It calls the same services as the CLI (:mod:`assistant.services`: load, select, run,
summarise, write results and report), so a run started here is identical to one from
the command line and lands in ``eval_runs_dir`` next to them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.services import check_eval_sets, run_eval_sets, write_run
from assistant.ui.render import escape, status_html

__all__ = ["available_sets", "build_eval_tab", "run_sets", "validate_sets"]


def available_sets(settings: Settings) -> list[str]:
    """Names of the ``*.jsonl`` eval sets in ``eval_sets_dir``."""
    folder = settings.eval_sets_dir
    return sorted(p.name for p in folder.glob("*.jsonl")) if folder.is_dir() else []


def _set_paths(settings: Settings, names: Sequence[str], uploaded: Sequence[str]) -> list[Path]:
    known = set(available_sets(settings))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AssistantError(f"unknown eval set(s): {', '.join(unknown)}")
    paths = [settings.eval_sets_dir / n for n in names]
    for item in uploaded:
        if Path(item).suffix.lower() != ".jsonl":
            raise AssistantError(f"'{Path(item).name}': eval sets are JSON Lines (.jsonl) files")
        paths.append(Path(item))
    if not paths:
        raise AssistantError("Choose at least one eval set (or upload a .jsonl file).")
    return paths


def validate_sets(
    assistant: Any, settings: Settings, names: Sequence[str], uploaded: Sequence[str]
) -> list[str]:
    """Check the sets' format and gold references against the store, like ``eval --validate``."""
    paths = _set_paths(settings, names, uploaded)
    return [str(p) for p in check_eval_sets(paths, assistant.store)]


def run_sets(
    assistant: Any,
    settings: Settings,
    names: Sequence[str],
    uploaded: Sequence[str],
    limit: int | None,
    on_item: Callable[[Any, int, int], None] | None = None,
) -> tuple[dict[str, Any], Path]:
    """Run the chosen sets and write the run folder; return the summary and the folder."""
    paths = _set_paths(settings, names, uploaded)
    results, summary = run_eval_sets(
        assistant, paths, limit=limit, on_item=on_item, started_from="app"
    )
    run_dir = settings.eval_runs_dir / datetime.now(UTC).strftime("%Y%m%d-%H%M%S-app")
    write_run(results, summary, run_dir)
    return summary, run_dir


def _headline_rows(summary: dict[str, Any]) -> list[list[Any]]:
    from assistant.evaluation.reports import HEADLINE, headline

    values = headline(summary)
    rows = []
    for _, key, higher in HEADLINE:
        value = values[key]
        digits = 0 if key.endswith("_ms") else 3
        shown = "–" if value is None else f"{value:.{digits}f}"
        rows.append([key, shown, "higher" if higher else "lower"])
    return rows


def build_eval_tab(assistant: Any, settings: Settings, downloads: Path) -> None:
    """Create the Evaluate tab's components and events inside the current Blocks context."""
    import gradio as gr

    sets = available_sets(settings)
    gr.Markdown(
        "### Evaluate this configuration\nRuns eval sets through this app's assistant, as"
        " `restoration-assistant eval` does, and writes the run folder (items, summary,"
        " report) to the runs folder. Each item is one question, so a full run takes minutes."
    )
    with gr.Row():
        chosen = gr.CheckboxGroup(sets, value=[], label="Eval sets", scale=2)
        with gr.Column(scale=1):
            uploaded = gr.File(
                label="…or upload a set (.jsonl)", file_count="multiple", file_types=[".jsonl"]
            )
            limit = gr.Number(
                value=0, precision=0, minimum=0, label="Limit (first N items; 0 = all)"
            )
    with gr.Row():
        run = gr.Button("Run evaluation", variant="primary")
        validate = gr.Button("Validate sets")
    status = gr.HTML()
    metrics = gr.Dataframe(
        headers=["metric", "value", "better when"],
        type="array",
        interactive=False,
        label="Headline metrics",
    )
    reports = gr.File(
        label="Run files (report.html, report.md, summary.json)", file_count="multiple"
    )
    run.click(
        _run_handler(assistant, settings, downloads),
        [chosen, uploaded, limit],
        [status, metrics, reports],
        api_name="evaluate",
        concurrency_limit=1,
        concurrency_id="evaluate",
    )
    validate.click(
        _validate_handler(assistant, settings), [chosen, uploaded], status, api_name="validate_sets"
    )


def _run_handler(assistant: Any, settings: Settings, downloads: Path) -> Callable[..., Any]:
    """Return the run event's handler: status, headline rows and copies of the run's files."""
    import gradio as gr

    tracker = gr.Progress()  # Gradio injects progress through a parameter with this default

    def run_eval_sets(
        names: list[str],
        files: list[str] | None,
        limit_value: float | None,
        progress: Any = tracker,
    ) -> tuple[str, list[list[Any]], list[str]]:
        tally = {"refused": 0}

        def on_item(result: Any, done: int, total: int) -> None:
            tally["refused"] += not result.supported
            progress((done, total), desc=f"{result.id} · refusals so far {tally['refused']}")

        progress(0, desc="Starting…")
        limit_n = int(limit_value) if limit_value else None
        try:
            summary, run_dir = run_sets(
                assistant, settings, names or [], files or [], limit_n, on_item
            )
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        target = Path(tempfile.mkdtemp(dir=downloads, prefix="eval-"))
        copies = []
        for name in ("report.html", "report.md", "summary.json"):
            if (run_dir / name).is_file():
                copies.append(str(shutil.copy2(run_dir / name, target / name)))
        message = f"{summary['n_items']} items evaluated; run written to {run_dir}."
        return status_html(message, "ok"), _headline_rows(summary), copies

    return run_eval_sets


def _validate_handler(assistant: Any, settings: Settings) -> Callable[..., str]:
    """Return the validate event's handler: one line of HTML per problem, or OK."""
    import gradio as gr

    def validate_eval_sets(names: list[str], files: list[str] | None) -> str:
        try:
            problems = validate_sets(assistant, settings, names or [], files or [])
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        if not problems:
            return status_html("OK: every item and gold reference is valid.", "ok")
        lines = "".join(f"<li>{escape(p)}</li>" for p in problems)
        return status_html(f"{len(problems)} problem(s):", "error") + f"<ul>{lines}</ul>"

    return validate_eval_sets
