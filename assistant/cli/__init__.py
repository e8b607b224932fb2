"""The ``restoration-assistant`` command.

The `restoration-assistant` command (also `python -m assistant`): one Typer app whose
subcommands parse flags, call library functions and print with rich.
"""

__all__ = ["app", "bench", "evaluate", "faq", "progress", "support"]
