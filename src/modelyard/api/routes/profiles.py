from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from modelyard.api.deps import CurrentActor, ServicesDep
from modelyard.api.schemas import DatasetVersionRead, JobRead
from modelyard.api.schemas.data import CleaningRequest, ProfileStart, SampleRequest
from modelyard.domain.entities import ProfileSummary

router = APIRouter(prefix="/dataset-versions/{version_id}", tags=["profiles"])


@router.post(
    "/profile", response_model=JobRead, status_code=202, summary="Profile a version (a job)"
)
def start_profile(version_id: int, body: ProfileStart, actor: CurrentActor, services: ServicesDep):
    return services.profiles.start(actor, version_id, target=body.target)


@router.get(
    "/profile",
    response_model=ProfileSummary,
    summary="The newest profile: statistics, correlations, quality score, cleaning suggestions",
)
def get_profile(version_id: int, actor: CurrentActor, services: ServicesDep):
    return services.profiles.latest(actor, version_id)


@router.get(
    "/profile/report",
    response_class=HTMLResponse,
    summary="The newest profile as a self-contained offline HTML report (download)",
)
def profile_report(version_id: int, actor: CurrentActor, services: ServicesDep) -> HTMLResponse:
    html = services.profiles.report_html(actor, version_id)
    disposition = f'attachment; filename="profile-v{version_id}.html"'
    return HTMLResponse(html, headers={"Content-Disposition": disposition})


@router.post(
    "/clean",
    response_model=DatasetVersionRead,
    status_code=201,
    summary="Apply cleaning steps: a new version with the steps in its lineage",
)
def clean(version_id: int, body: CleaningRequest, actor: CurrentActor, services: ServicesDep):
    return services.profiles.clean(actor, version_id, body.steps)


@router.post(
    "/sample",
    response_model=DatasetVersionRead,
    status_code=201,
    summary="Sample a version (random, stratified, systematic, cluster) into a new version",
)
def sample(version_id: int, body: SampleRequest, actor: CurrentActor, services: ServicesDep):
    return services.profiles.sample(
        actor, version_id, method=body.method, size=body.size, seed=body.seed, column=body.column
    )
