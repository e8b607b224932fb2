"""The ground every other package stands on.

The ground every other package stands on: typed records passed between stages, the
errors a user can act on, the one `Settings` object, provenance of documents and the
offline switches. It imports nothing else of the project.
"""

__all__ = [
    "errors",
    "offline",
    "provenance",
    "records",
    "settings",
    "settings_groups",
    "settings_retrieval",
    "settings_runtime",
]
