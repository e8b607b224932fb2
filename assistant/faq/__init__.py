"""Cited FAQs for trainers.

Cited FAQs for trainers: questions proposed from document structure (no LLM), answered
by the same pipeline, kept as a reviewable file, checked for staleness and exported.
"""

__all__ = [
    "build",
    "duplicates",
    "export",
    "phrases",
    "questions",
    "records",
    "review",
    "scope",
    "templates",
]
