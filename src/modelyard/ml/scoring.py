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


def score(model: Any, features: pd.DataFrame, *, task: str) -> Scores:
    predictions = np.asarray(model.predict(features))
    if task != "classification" or not hasattr(model, "predict_proba"):
        return Scores(predictions=predictions, labels=None, probabilities=None)
    labels = [str(c) for c in model.classes_]
    return Scores(
        predictions=predictions,
        labels=labels,
        probabilities=np.asarray(model.predict_proba(features)),
    )
