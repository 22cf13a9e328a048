"""Views of training runs: comparison, reports, export, configuration and re-run.

(Listing and reading runs stays in routes/training.py.)
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from modelyard.api.deps import CurrentActor, ServicesDep
from modelyard.api.schemas import JobRead
from modelyard.domain.run_views import RunComparison

router = APIRouter(tags=["runs"])

YAML_EXAMPLE = "dataset_version_id: 1\ntarget: churned\noptions:\n  seed: 0\n  max_trials: 3\n"


@router.get(
    "/runs/compare",
    response_model=RunComparison,
    summary="Compare runs: metric table, parameter diff, overlaid curves",
)
def compare_runs(
    actor: CurrentActor,
    services: ServicesDep,
    ids: str = Query(description="Comma-separated run ids, e.g. 3,5."),
):
    return services.run_comparison.compare(actor, _ids(ids))


def _ids(text: str) -> list[int]:
    from modelyard.errors import InvalidInputError

    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidInputError(
            f"ids must be comma-separated run ids such as 3,5 (got {text!r}).",
            code="run.compare_ids",
        ) from exc


@router.get(
    "/runs/{run_id}/report",
    response_class=Response,
    summary="The run's report (data, leaderboard, metrics, plots, explanations), HTML or PDF",
)
def run_report(
    run_id: int,
    actor: CurrentActor,
    services: ServicesDep,
    format: Literal["html", "pdf"] = "html",  # noqa: A002  (the query parameter's name)
) -> Response:
    disposition = f'attachment; filename="run-{run_id}-report.{format}"'
    headers = {"Content-Disposition": disposition}
    if format == "pdf":
        pdf = services.run_reports.pdf(actor, run_id)
        return Response(pdf, media_type="application/pdf", headers=headers)
    return HTMLResponse(services.run_reports.html(actor, run_id), headers=headers)


@router.get(
    "/runs/{run_id}/export.zip",
    response_class=Response,
    summary="A zip of the run: the model and every artifact",
)
def export_run(run_id: int, actor: CurrentActor, services: ServicesDep) -> Response:
    data = services.run_reports.export_zip(actor, run_id)
    headers = {"Content-Disposition": f'attachment; filename="run-{run_id}.zip"'}
    return Response(data, media_type="application/zip", headers=headers)


@router.get(
    "/runs/{run_id}/config.yaml",
    response_class=PlainTextResponse,
    summary="The run's full training configuration as YAML",
)
def run_config(run_id: int, actor: CurrentActor, services: ServicesDep) -> PlainTextResponse:
    text = services.run_configs.config_yaml(actor, run_id)
    return PlainTextResponse(text, media_type="application/yaml")


@router.post(
    "/runs/{run_id}/rerun",
    response_model=JobRead,
    status_code=202,
    summary="Train again with the run's configuration; returns the new job",
)
def rerun(run_id: int, actor: CurrentActor, services: ServicesDep):
    return services.run_configs.rerun(actor, run_id)


@router.post(
    "/runs/from-config",
    response_model=JobRead,
    status_code=202,
    summary="Start training from a YAML configuration (as config.yaml returns it)",
)
def start_from_config(
    actor: CurrentActor,
    services: ServicesDep,
    body: bytes = Body(media_type="application/yaml", examples=[YAML_EXAMPLE]),
):
    return services.run_configs.start_from_yaml(actor, body.decode("utf-8", "replace"))
