"""What the CLI and the app both do: write documents and refresh, run eval sets.

Each front end parses its input and shows progress its own way (rich on the command
line, ``gr.Progress`` in the app) through the callbacks these functions take; the work
itself, its errors and the files it writes are the same from either. Nothing here
imports Gradio, Typer or rich.
"""

from assistant.services.documents import (
    FileProgress,
    delete_and_refresh,
    ingest_and_refresh,
    open_for_ingest,
)
from assistant.services.evals import (
    OnItem,
    SuiteHooks,
    SuiteRun,
    check_eval_sets,
    check_suites,
    plan_suites,
    run_eval_plan,
    run_eval_sets,
    run_suites,
    write_run,
)

__all__ = [
    "FileProgress",
    "OnItem",
    "SuiteHooks",
    "SuiteRun",
    "check_eval_sets",
    "check_suites",
    "delete_and_refresh",
    "ingest_and_refresh",
    "open_for_ingest",
    "plan_suites",
    "run_eval_plan",
    "run_eval_sets",
    "run_suites",
    "write_run",
]
