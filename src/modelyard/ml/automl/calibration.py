"""Temperature scaling of the final classifier's probabilities (Guo et al., 2017).

Models refitted on all search rows and averaged into ensembles are often under- or
over-confident; log loss punishes both. One number, the temperature ``T``, is fitted on
the final model's out-of-fold validation probabilities by minimising their log loss, and
applied as ``softmax(log p / T)`` at prediction time. It never changes the predicted
class, so accuracy and ROC AUC stay as they are. It is kept only when it lowers the
validation log loss by at least ``MIN_GAIN`` (relative): one parameter fitted on every
validation row barely overfits, but a negligible gain is not worth a changed model.

``T`` is not allowed below ``MIN_TEMPERATURE``: the final model is refitted on more rows
than the fold models that made the validation probabilities, so it is already sharper
than they were, and sharpening further turns its rare confident mistakes (a row unlike
any training row) into very costly ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modelyard.ml.automl.estimators import temperature_scaled

MIN_GAIN = 0.01
MIN_TEMPERATURE = 0.5
_BOUNDS = (np.log(MIN_TEMPERATURE), np.log(20.0))


@dataclass(frozen=True)
class Calibration:
    temperature: float
    before: float  # validation log loss
    after: float

    @property
    def is_worth_it(self) -> bool:
        return self.after < self.before * (1.0 - MIN_GAIN)


def _log_loss(proba: np.ndarray, y: np.ndarray) -> float:
    picked = np.clip(proba[np.arange(len(y)), y], 1e-15, 1.0)
    return float(-np.mean(np.log(picked)))


def fit_temperature(proba: np.ndarray, y: np.ndarray) -> Calibration:
    """The temperature minimising the log loss of ``proba`` (rows x classes) for class
    codes ``y``."""
    from scipy.optimize import minimize_scalar

    proba = np.asarray(proba, dtype=float)
    codes = np.asarray(y).astype(int)
    before = _log_loss(proba, codes)
    found = minimize_scalar(
        lambda log_t: _log_loss(temperature_scaled(proba, float(np.exp(log_t))), codes),
        bounds=_BOUNDS,
        method="bounded",
        options={"xatol": 1e-3},
    )
    temperature = float(np.exp(found.x))
    after = _log_loss(temperature_scaled(proba, temperature), codes)
    if after >= before:
        return Calibration(1.0, before, before)
    return Calibration(temperature, before, after)
