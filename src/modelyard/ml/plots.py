"""PNG pictures of an evaluation (see :mod:`modelyard.ml.evaluation`), drawn with matplotlib.

``render(evaluation)`` returns ``{"plots/<name>.png": bytes}`` for every part present.
matplotlib is imported inside (Agg backend, no display), so importing this module is cheap.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

Figure = Any
Evaluation = dict[str, Any]


def render(evaluation: Evaluation) -> dict[str, bytes]:
    """One PNG per plot that the evaluation has data for."""
    import matplotlib

    matplotlib.use("Agg")
    pictures: dict[str, bytes] = {}
    for name, (key, draw) in _PLOTS.items():
        if evaluation.get(key):
            pictures[f"plots/{name}.png"] = _png(draw, evaluation)
    return pictures


def _png(draw: Callable[[Any, Evaluation], None], evaluation: Evaluation) -> bytes:
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 4), dpi=90)
    try:
        draw(ax, evaluation)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _roc(ax: Any, e: Evaluation) -> None:
    for curve in e["roc"]:
        ax.plot(curve["fpr"], curve["tpr"], label=curve["label"])
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
    ax.set(title="ROC curve", xlabel="False positive rate", ylabel="True positive rate")
    ax.legend(loc="lower right")


def _pr(ax: Any, e: Evaluation) -> None:
    for curve in e["pr"]:
        ax.plot(curve["recall"], curve["precision"], label=curve["label"])
    ax.set(title="Precision-recall curve", xlabel="Recall", ylabel="Precision")
    ax.legend(loc="lower left")


def _calibration(ax: Any, e: Evaluation) -> None:
    c = e["calibration"]
    ax.plot(c["mean_predicted"], c["fraction_positive"], marker="o", label=c["label"])
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
    ax.set(title="Calibration", xlabel="Mean predicted probability", ylabel="Observed share")


def _thresholds(ax: Any, e: Evaluation) -> None:
    rows = e["thresholds"]
    x = [r["threshold"] for r in rows]
    for key in ("precision", "recall", "f1"):
        ax.plot(x, [r[key] for r in rows], label=key)
    ax.set(title="Threshold analysis", xlabel="Threshold", ylabel="Score")
    ax.legend()


def _confusion(ax: Any, e: Evaluation) -> None:
    matrix = e["confusion_matrix"]
    labels = e.get("classes") or [str(i) for i in range(len(matrix))]
    ax.imshow(matrix, cmap="Blues")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set(title="Confusion matrix", xlabel="Predicted", ylabel="True")


def _predicted_vs_actual(ax: Any, e: Evaluation) -> None:
    d = e["predicted_vs_actual"]
    ax.scatter(d["actual"], d["predicted"], s=8, alpha=0.6)
    low, high = min(d["actual"] + d["predicted"]), max(d["actual"] + d["predicted"])
    ax.plot([low, high], [low, high], linestyle="--", color="grey")
    ax.set(title="Predicted vs actual", xlabel="Actual", ylabel="Predicted")


def _residuals(ax: Any, e: Evaluation) -> None:
    d = e["predicted_vs_actual"]
    ax.scatter(d["predicted"], d["residual"], s=8, alpha=0.6)
    ax.axhline(0, linestyle="--", color="grey")
    ax.set(title="Residuals", xlabel="Predicted", ylabel="Actual - predicted")


def _bars(ax: Any, rows: list[dict[str, Any]], key: str, title: str) -> None:
    top = rows[:20][::-1]
    ax.barh([r["feature"] for r in top], [r[key] for r in top])
    ax.set(title=title)


def _importance(ax: Any, e: Evaluation) -> None:
    _bars(ax, e["importance"], "importance", "Permutation importance")


def _shap(ax: Any, e: Evaluation) -> None:
    _bars(ax, e["shap"], "mean_abs_shap", "SHAP summary (mean |SHAP|)")


def _learning_curve(ax: Any, e: Evaluation) -> None:
    c = e["learning_curve"]
    ax.plot(c["train_size"], c["train_score"], marker="o", label="train")
    ax.plot(c["train_size"], c["val_score"], marker="o", label="validation")
    ax.set(title="Learning curve", xlabel="Training rows", ylabel=c["metric"])
    ax.legend()


_PLOTS: dict[str, tuple[str, Callable[[Any, Evaluation], None]]] = {
    "roc": ("roc", _roc),
    "pr": ("pr", _pr),
    "calibration": ("calibration", _calibration),
    "thresholds": ("thresholds", _thresholds),
    "confusion_matrix": ("confusion_matrix", _confusion),
    "predicted_vs_actual": ("predicted_vs_actual", _predicted_vs_actual),
    "residuals": ("predicted_vs_actual", _residuals),
    "importance": ("importance", _importance),
    "shap": ("shap", _shap),
    "learning_curve": ("learning_curve", _learning_curve),
}
