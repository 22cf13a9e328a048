from __future__ import annotations

from fastapi import APIRouter, Query

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import DatasetVersionRead
from modelyard.api.schemas.data import SqlRun, SqlSaveQuery, SqlSaveResult
from modelyard.domain import Page
from modelyard.domain.entities import QueryResult, SavedQuery

router = APIRouter(prefix="/sql", tags=["sql"])


@router.post("/query", response_model=QueryResult, summary="Run a read-only query over datasets")
def run_query(body: SqlRun, actor: CurrentActor, services: ServicesDep):
    return services.workbench.run(actor, body.sql, offset=body.offset, limit=body.limit)


@router.post(
    "/results",
    response_model=DatasetVersionRead,
    status_code=201,
    summary="Run a query to the end and save its result as a dataset version",
)
def save_result(body: SqlSaveResult, actor: CurrentActor, services: ServicesDep):
    return services.workbench.save_result(
        actor, body.sql, body.dataset_name, project_id=body.project_id
    )


@router.get("/tables", response_model=dict[str, list[str]], summary="Tables a query can use")
def tables(actor: CurrentActor, services: ServicesDep):
    return services.workbench.tables(actor)


@router.get("/history", response_model=Page[SavedQuery], summary="My recent queries, or saved ones")
def history(
    actor: CurrentActor,
    services: ServicesDep,
    saved: bool = Query(default=False, description="Saved queries of the workspace instead."),
    offset: Offset = 0,
    limit: Limit = 50,
):
    return services.workbench.history(actor, is_saved=saved, offset=offset, limit=limit)


@router.post("/saved", response_model=SavedQuery, status_code=201, summary="Save a query by name")
def save_query(body: SqlSaveQuery, actor: CurrentActor, services: ServicesDep):
    return services.workbench.save_query(actor, body.name, body.sql)
