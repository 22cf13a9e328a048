"""How values read on screen: dates, sizes, fractions and metrics."""

from __future__ import annotations

from datetime import datetime


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def size(size_bytes: int) -> str:
    value = float(size_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def percent(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def metric(value: float) -> str:
    return f"{value:.4g}"


def metric_name(name: str) -> str:
    """``f1_macro`` -> ``F1 macro``; well-known abbreviations stay upper case."""
    words = name.split("_")
    upper = {"auc": "AUC", "roc": "ROC", "rmse": "RMSE", "mae": "MAE", "r2": "R²", "f1": "F1"}
    text = " ".join(upper.get(word, word) for word in words)
    return text[:1].upper() + text[1:]


def short_hash(content_hash: str) -> str:
    return content_hash[:12]
