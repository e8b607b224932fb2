"""Ingest speed of the current way of embedding against the earlier one, side by side.

Both are this project's ingest on the same files, each in a fresh process, alternating
which goes first; they differ only in how the model is called:

* **reference** (``legacy_embedding``): chunks of a batch embedded 16 texts a call, then
  their evidence sentences in a second series of calls, every text embedded as it comes;
* **current**: one series of calls for chunks and sentences, packed by characters, each
  distinct text embedded once (the on-disk vector cache starts empty in every run).

The speed-up is reference seconds / current seconds. The two stores are then compared
record by record, so the ratio is never bought with different vectors.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.settings import Settings

__all__ = ["compare_stores", "run_ingest_bench"]

Log = Callable[[str], None]
SYSTEMS = ("current", "reference")


def run_ingest_bench(
    paths: Sequence[Path],
    settings: Settings,
    *,
    model: str,
    repeat: int,
    out_dir: Path,
    log: Log,
) -> dict[str, Any]:
    """Ingest ``paths`` ``repeat`` times with each way, interleaved; return the figures."""
    from assistant.bench.run import _median_run, _reset, _Runner

    work = out_dir / "work-ingest"
    run = _Runner(work, settings, log)
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in SYSTEMS}
    for rep in range(repeat):
        order = SYSTEMS if rep % 2 == 0 else SYSTEMS[::-1]
        for system in order:
            log(f"  ingest [{model}] {system} (run {rep + 1}/{repeat})")
            result = run(
                {
                    "kind": "ingest",
                    "model": model,
                    "system": "ours",
                    "embedding": "real",
                    "legacy": system == "reference",
                    "paths": [str(p) for p in paths],
                    "vectors": "",
                    "store": str(_reset(work / system)),
                }
            )
            runs[system].append(result)
    ratios = [
        round(r["seconds"] / c["seconds"], 3)
        for c, r in zip(runs["current"], runs["reference"], strict=True)
        if c["seconds"]
    ]
    current, reference = _median_run(runs["current"]), _median_run(runs["reference"])
    model_settings = settings.model_copy(update={"embedding_model": model})
    same = compare_stores(work / "current" / "store", work / "reference" / "store", model_settings)
    return {
        "model": model,
        "paths": [str(p) for p in paths],
        "repeat": repeat,
        "current": current,
        "reference": reference,
        "speedup": round(statistics.median(ratios), 3) if ratios else None,
        "speedup_per_pair": ratios,
        "same_store": same,
    }


class _NoModel:
    """Opens a store for reading only: nothing may be embedded."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        raise RuntimeError("the store comparison embeds nothing")


def _records(collection: Any) -> dict[str, tuple[str, dict[str, Any], np.ndarray]]:
    got = collection.get(include=["documents", "metadatas", "embeddings"])
    rows = zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
    return {cid: (doc, meta, np.asarray(vec, dtype=np.float32)) for cid, doc, meta, vec in rows}


def compare_stores(a: Path, b: Path, settings: Settings) -> dict[str, Any]:
    """Whether two stores hold the same chunks and sentences, and how far their vectors differ.

    ``same_texts`` covers each record's text and metadata.
    """
    from assistant.store.chroma import open_store
    from assistant.store.embeddings import model_id

    found: dict[str, Any] = {}
    stores = []
    for folder in (a, b):
        folder_settings = settings.model_copy(update={"store_dir": folder})
        stores.append(open_store(folder_settings, _NoModel(model_id(settings.embedding_model))))
    pairs = [(s.collection, s.sentence_vectors()) for s in stores]
    for name, index in (("chunks", 0), ("sentences", 1)):
        left, right = pairs[0][index], pairs[1][index]
        if left is None or right is None:
            found[name] = {"same_ids": left is None and right is None}
            continue
        x = _records(left if index == 0 else left.collection)
        y = _records(right if index == 0 else right.collection)
        shared = sorted(set(x) & set(y))
        deviation = max((float(np.abs(x[i][2] - y[i][2]).max()) for i in shared), default=0.0)
        found[name] = {
            "records": [len(x), len(y)],
            "same_ids": set(x) == set(y),
            "same_texts": all(x[i][:2] == y[i][:2] for i in shared),
            "max_vector_difference": deviation,
        }
    found["equal"] = all(
        v.get("same_ids") and v.get("same_texts", True) and v.get("max_vector_difference", 0) < 1e-5
        for v in found.values()
    )
    return found
