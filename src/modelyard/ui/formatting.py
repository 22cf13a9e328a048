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


_ABBREVIATIONS = {
    **{word: word.upper() for word in ("auc", "roc", "pr", "rmse", "mse", "mae", "mape", "mcc")},
    "r2": "R²",
    "f1": "F1",
}


def metric_name(name: str) -> str:
    """``f1_macro`` -> ``F1 macro``; well-known abbreviations stay upper case."""
    text = " ".join(_ABBREVIATIONS.get(word, word) for word in name.split("_"))
    return text[:1].upper() + text[1:]


def short_hash(content_hash: str) -> str:
    return content_hash[:12]


def number(value: object) -> str:
    """A statistic as it reads best: thousands separators for counts, 4 significant digits."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:.4g}"
    return moment_text(str(value))


def moment_text(text: str) -> str:
    """ISO timestamps without what adds nothing: ``2024-01-05T00:00:00`` -> ``2024-01-05``."""
    if len(text) >= 19 and text[4] == "-" and text[10] in "T " and text[13] == ":":
        date, time = text[:10], text[11:19]
        return date if time == "00:00:00" else f"{date} {time[:5]}"
    return text


def source(source: dict[str, object]) -> str:
    """Where a dataset version came from, in a few words."""
    kind = source.get("type")
    if kind == "upload":
        return f"upload of {source.get('filename', 'a file')}"
    if kind == "sql":
        return "SQL workbench query"
    if kind == "sql_query":
        return f"query on connection {source.get('connection', '?')}"
    if kind == "derived":
        steps = source.get("steps")
        count = len(steps) if isinstance(steps, list) else 0
        return f"derived ({count} step{'s' if count != 1 else ''})"
    return str(kind or "-")


def step(step: dict[str, object]) -> str:
    """One derivation step of a version (cleaning, type fix, sample) as a sentence."""
    columns = step.get("columns")
    names = ", ".join(str(c) for c in columns) if isinstance(columns, list) else ""
    kind = step.get("step")
    if kind == "cast":
        return f"changed the type of {step.get('column')} to {step.get('kind')}"
    if kind == "sample":
        where = f" by {step['column']}" if step.get("column") else ""
        seed = step.get("seed")
        return f"{step.get('method')} sample of {step.get('size')} rows{where} (seed {seed})"
    if kind == "clean":
        label = str(step.get("kind", "cleaning")).replace("_", " ")
        method = f" ({step['method']})" if step.get("method") else ""
        target = f" to {step['to']}" if step.get("to") else ""
        return f"{label}{method}{target}" + (f": {names}" if names else "")
    return str(kind or step)
