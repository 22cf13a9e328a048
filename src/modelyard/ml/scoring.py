"""Scoring a fitted pipeline: the one place that turns rows into predictions.

Online prediction and batch scoring both go through here, so a record scores the same
whichever way it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

NUMERIC_KINDS = ("numeric", "integer")


@dataclass(frozen=True)
class Scores:
    predictions: np.ndarray
    labels: list[str] | None  # class labels, for classification
    probabilities: np.ndarray | None  # one column per label


def feature_frame(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The model's input: its feature columns in training order, numbers as float64."""
    features = frame.loc[:, [name for name, _ in columns]].copy()
    for name, kind in columns:
        if kind in NUMERIC_KINDS:
            features[name] = pd.to_numeric(features[name], errors="coerce").astype("float64")
    return features


def output_names(task: str) -> tuple[str, str]:
    """The prediction column's name and the prefix of the score columns, for a task.

    Classification and regression: ``prediction`` and ``probability_<class>``; clustering:
    ``cluster``; anomaly detection: ``anomaly`` (1 for an anomaly) and ``anomaly_score``.
    """
    if task in ("clustering", "anomaly"):
        return ("cluster" if task == "clustering" else "anomaly"), ""
    return "prediction", "probability_"


def score(model: Any, features: pd.DataFrame, *, task: str) -> Scores:
    predictions = np.asarray(model.predict(features))
    if task == "anomaly":  # the flag, and the score it comes from (higher: more anomalous)
        anomaly_score = np.asarray(model.score_samples(features), dtype=float)
        return Scores(predictions, labels=["anomaly_score"], probabilities=anomaly_score[:, None])
    if task != "classification" or not hasattr(model, "predict_proba"):
        return Scores(predictions=predictions, labels=None, probabilities=None)
    labels = [str(c) for c in model.classes_]
    return Scores(
        predictions=predictions,
        labels=labels,
        probabilities=np.asarray(model.predict_proba(features)),
    )
