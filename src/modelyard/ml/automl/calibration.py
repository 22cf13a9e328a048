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
any training row) into very costly ones. An optimum at that floor is the separation
case: the validation rows are nearly all ranked right, so every sharpening lowers their
(tiny) log loss, however far it goes, and the estimate is unbounded. Such a temperature
is kept only when its gain is significant: a likelihood-ratio test of ``T`` against 1
(one parameter: twice the gain in nats over all validation rows above ``CHI2_95``).
Otherwise the probabilities stay as they are: a gain of a few tenths of a nat on
validation is not worth turning one surprising row later into several nats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modelyard.ml.automl.estimators import temperature_scaled

MIN_GAIN = 0.01
CHI2_95 = 3.841  # the chi-squared distribution's 95% quantile, one degree of freedom
MIN_TEMPERATURE = 0.5
_BOUNDS = (np.log(MIN_TEMPERATURE), np.log(20.0))
_AT_FLOOR = 1.02  # an optimum this close to MIN_TEMPERATURE is the floor


@dataclass(frozen=True)
class Calibration:
    temperature: float
    before: float  # validation log loss (mean over rows)
    after: float
    n_rows: int

    @property
    def is_significant(self) -> bool:
        return 2 * (self.before - self.after) * self.n_rows > CHI2_95

    @property
    def is_worth_it(self) -> bool:
        if self.after >= self.before * (1.0 - MIN_GAIN):
            return False
        is_unbounded = self.temperature <= MIN_TEMPERATURE * _AT_FLOOR
        return self.is_significant or not is_unbounded


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
        return Calibration(1.0, before, before, len(codes))
    return Calibration(temperature, before, after, len(codes))
