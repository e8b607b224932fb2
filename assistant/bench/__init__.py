"""Speed, measured as ratios against a baseline run side by side.

Speed, measured as ratios against a baseline run side by side: ingest and query
against the plain LangChain recipe, ingest with and without the vector cache, LLM
generation speed and a load test of the app. Each measurement runs in a fresh process.
"""

__all__ = [
    "app_process",
    "baseline",
    "corpus",
    "growth",
    "ingest",
    "llm",
    "loadtest",
    "measure",
    "run",
    "worker",
]
