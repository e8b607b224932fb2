"""Restoration Assistant: cited answers from ecosystem-restoration guidance.

Importing this package does nothing: build objects with
:func:`assistant.pipeline.build_assistant` from a :class:`assistant.settings.Settings`.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
