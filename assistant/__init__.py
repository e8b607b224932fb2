"""Restoration Assistant: cited answers from ecosystem-restoration guidance.

The public API, small on purpose; the CLI, the app, the FAQ builder and the benchmark
use it::

    from assistant import build_assistant, load_settings

    assistant = build_assistant(load_settings())
    answer = assistant.ask("What does decision XI/16 ask Parties to do?")
    for piece in assistant.stream("¿Qué pide la decisión XI/16?"):
        ...  # text as it is written, then the final Answer

Importing this package does nothing: the names below load their modules on first use.
Packages, in the order a question passes them: ``core`` (records, errors, settings),
``language``, ``store`` (the only code that speaks Chroma), ``retrieval``, ``answering``,
then ``pipeline`` (the assembly) and ``services`` (what the CLI and the app both do);
around them ``evaluation``, ``faq``, ``ui``, ``cli`` and ``bench``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Answer": "assistant.core.records",
    "Citation": "assistant.core.records",
    "Source": "assistant.core.records",
    "Turn": "assistant.core.records",
    "AssistantError": "assistant.core.errors",
    "Settings": "assistant.core.settings",
    "load_settings": "assistant.core.settings",
    "Filters": "assistant.retrieval.hybrid",
    "Assistant": "assistant.pipeline",
    "build_assistant": "assistant.pipeline",
}

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "Filters",
    "Settings",
    "Source",
    "Turn",
    "__version__",
    "build_assistant",
    "load_settings",
]

if TYPE_CHECKING:
    from assistant.core.errors import AssistantError
    from assistant.core.records import Answer, Citation, Source, Turn
    from assistant.core.settings import Settings, load_settings
    from assistant.pipeline import Assistant, build_assistant
    from assistant.retrieval.hybrid import Filters


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use, so importing the package stays cheap."""
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
