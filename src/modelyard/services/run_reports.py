"""Reports of a training run: a self-contained HTML page (plots inlined), a PDF, and a zip
of the model with every artifact of the run.

The report reads the run's stored evaluation and redraws its plots, so it needs no MLflow;
the zip copies the run's artifacts out of MLflow.
"""

from __future__ import annotations

import base64
import html
import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from modelyard.db.tables import SqlDataset, SqlDatasetVersion
from modelyard.db.uow import UnitOfWork
from modelyard.domain import Actor, Permission, Run
from modelyard.ports import Tracker
from modelyard.services.audit import record_event
from modelyard.services.training import run_row

LEADERBOARD_ROWS = 50


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, gathered once."""

    run: Run
    dataset: str
    version: int
    n_rows: int
    n_columns: int
    data_hash: str
    plots: dict[str, bytes]

    @property
    def title(self) -> str:
        return f"Run {self.run.id}: {self.run.algorithm} predicting '{self.run.target}'"

    @property
    def evaluation(self) -> dict[str, Any]:
        return dict(self.run.details.get("evaluation") or {})

    def summary(self) -> list[tuple[str, str]]:
        details = self.run.details
        return [
            (
                "Dataset",
                f"{self.dataset} v{self.version} ({self.n_rows} rows, {self.n_columns} columns)",
            ),
            ("Data hash", self.data_hash),
            ("Target", f"{self.run.target} ({self.run.task})"),
            ("Features", ", ".join(c.name for c in self.run.feature_columns)),
            (
                "Dropped columns",
                ", ".join(f"{k}: {v}" for k, v in (details.get("dropped_columns") or {}).items())
                or "none",
            ),
            ("Metric optimised", str(details.get("metric", ""))),
            ("Validation", str(details.get("validation", ""))),
            ("Trials", str(details.get("n_trials", ""))),
            ("Seed", str((details.get("options") or {}).get("seed", ""))),
            ("Created", f"{self.run.created_by}, {self.run.created_at:%Y-%m-%d %H:%M} UTC"),
        ]

    def leaderboard(self) -> list[list[str]]:
        rows = self.run.details.get("leaderboard") or []
        return [
            [
                str(r.get("number")),
                str(r.get("family")),
                str(r.get("status")),
                _num(r.get("val_score")),
                _num(r.get("fit_time_s")),
            ]
            for r in rows[:LEADERBOARD_ROWS]
        ]

    def explanations(self) -> list[tuple[str, list[tuple[str, str]]]]:
        e = self.evaluation
        parts = []
        if e.get("importance"):
            parts.append(
                (
                    "Permutation importance",
                    [(r["feature"], _num(r["importance"])) for r in e["importance"][:15]],
                )
            )
        if e.get("shap"):
            parts.append(
                (
                    "SHAP (mean |SHAP|)",
                    [(r["feature"], _num(r["mean_abs_shap"])) for r in e["shap"][:15]],
                )
            )
        return parts

    def notes(self) -> list[str]:
        return [*(self.run.details.get("notes") or []), *(self.evaluation.get("notes") or [])]


LEADERBOARD_HEADER = ["trial", "family", "status", "validation score", "fit time (s)"]


def _num(value: Any) -> str:
    return "-" if value is None else f"{float(value):.4g}"


class RunReportService:
    def __init__(self, uow: UnitOfWork, tracker: Tracker) -> None:
        self._uow = uow
        self._tracker = tracker

    def _data(self, actor: Actor, run_id: int, *, action: str) -> ReportData:
        from modelyard.ml.plots import render

        actor.require(Permission.READ, "read run reports")
        with self._uow.begin() as session:
            row = run_row(session, actor, run_id)
            run = Run.model_validate(row)
            version = session.get_one(SqlDatasetVersion, row.dataset_version_id)
            dataset = session.get_one(SqlDataset, version.dataset_id).name
            record_event(session, actor, action, ("run", run_id))
            facts = (version.version, version.n_rows, version.n_columns, version.content_hash)
        plots = render(dict(run.details.get("evaluation") or {}))
        return ReportData(run, dataset, *facts, plots=plots)

    def html(self, actor: Actor, run_id: int) -> str:
        """A self-contained HTML report: data summary, leaderboard, metrics, plots,
        explanations (PNGs inlined as base64)."""
        return render_html(self._data(actor, run_id, action="run.report"))

    def pdf(self, actor: Actor, run_id: int) -> bytes:
        """The same report as a PDF."""
        return render_pdf(self._data(actor, run_id, action="run.report"))

    def export_zip(self, actor: Actor, run_id: int) -> bytes:
        """A zip of the run: the model and every MLflow artifact, the run record and the
        HTML report."""
        data = self._data(actor, run_id, action="run.export")
        buffer = io.BytesIO()
        with (
            tempfile.TemporaryDirectory() as folder,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            root = self._tracker.download_artifacts(
                data.run.mlflow_run_id, Path(folder), model_uri=data.run.model_uri
            )
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, f"artifacts/{path.relative_to(root).as_posix()}")
            archive.writestr("run.json", data.run.model_dump_json(indent=1))
            archive.writestr("report.html", render_html(data))
        return buffer.getvalue()


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = (
    "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:left}img{max-width:100%;margin:0.5em 0}h2{border-bottom:1px solid #ddd}"
)


def render_html(data: ReportData) -> str:
    e = html.escape
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(data.title)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{e(data.title)}</h1>",
        "<h2>Data summary</h2>",
        _table(["", ""], [[k, v] for k, v in data.summary()]),
        "<h2 id='metrics'>Metrics (held-out test rows)</h2>",
        _table(["metric", "value"], [[k, _num(v)] for k, v in sorted(data.run.metrics.items())]),
        "<h2 id='leaderboard'>Leaderboard</h2>",
        _table(LEADERBOARD_HEADER, data.leaderboard()),
        "<h2>Plots</h2>",
    ]
    for name, png in data.plots.items():
        encoded = base64.b64encode(png).decode()
        parts.append(f"<img alt='{e(name)}' src='data:image/png;base64,{encoded}'>")
    parts.append("<h2>Explanations</h2>")
    for title, rows in data.explanations():
        parts += [f"<h3>{e(title)}</h3>", _table(["feature", "value"], [list(r) for r in rows])]
    parts += ["<h2>Notes</h2><ul>", *(f"<li>{e(n)}</li>" for n in data.notes()), "</ul>"]
    parts.append(
        f"<p><small>Generated by Modelyard on {datetime.now():%Y-%m-%d %H:%M}.</small></p>"
    )
    return "".join(parts) + "</body></html>"


def render_pdf(data: ReportData) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin(data.title), new_x="LMARGIN", new_y="NEXT")

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)

    def rows(items: list[list[str]]) -> None:
        for item in items:
            pdf.multi_cell(0, 5, _latin("   ".join(item)), new_x="LMARGIN", new_y="NEXT")

    heading("Data summary")
    rows([[f"{k}:", v] for k, v in data.summary()])
    heading("Metrics (held-out test rows)")
    rows([[k, _num(v)] for k, v in sorted(data.run.metrics.items())])
    heading("Leaderboard")
    rows([LEADERBOARD_HEADER, *data.leaderboard()])
    heading("Plots")
    for png in data.plots.values():
        pdf.image(io.BytesIO(png), w=150)
    for title, items in data.explanations():
        heading(title)
        rows([list(r) for r in items])
    heading("Notes")
    rows([[n] for n in data.notes()])
    return bytes(pdf.output())


def _latin(text: str) -> str:
    """The core PDF fonts speak Latin-1 only."""
    return text.encode("latin-1", "replace").decode("latin-1")
