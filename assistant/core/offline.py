"""Offline switches, applied once at the start of every entry point.

They must be set before Gradio, huggingface_hub or Chroma are imported: Gradio reads
its analytics flag at import time and would otherwise look up its analytics host,
and huggingface_hub would try the model hub for anything not already on disk.
"""

from __future__ import annotations

import os

__all__ = ["apply_offline_switches"]

_SWITCHES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_switches() -> None:
    """Turn off every hub lookup and analytics call; explicit user settings win."""
    for name, value in _SWITCHES.items():
        os.environ.setdefault(name, value)
