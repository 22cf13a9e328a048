from __future__ import annotations

from fastapi import APIRouter, Response

from modelyard.api.deps import CurrentActor, Limit, Offset, ServicesDep
from modelyard.api.schemas import DatasetVersionRead
from modelyard.api.schemas.data import ConnectionCreate, ConnectionImport
from modelyard.domain import Page
from modelyard.domain.entities import ConnectionInfo

router = APIRouter(prefix="/connections", tags=["connections"])


@router.get("", response_model=Page[ConnectionInfo], summary="Saved database connections")
def list_connections(
    actor: CurrentActor, services: ServicesDep, offset: Offset = 0, limit: Limit = 50
):
    return services.connections.list(actor, offset=offset, limit=limit)


@router.post(
    "", response_model=ConnectionInfo, status_code=201, summary="Save a database connection"
)
def create_connection(body: ConnectionCreate, actor: CurrentActor, services: ServicesDep):
    return services.connections.create(actor, body.name, url=body.url, env_var=body.env_var)


@router.delete("/{connection_id}", status_code=204, summary="Remove a saved connection")
def delete_connection(connection_id: int, actor: CurrentActor, services: ServicesDep) -> Response:
    services.connections.delete(actor, connection_id)
    return Response(status_code=204)


@router.post(
    "/{connection_id}/import",
    response_model=DatasetVersionRead,
    status_code=201,
    summary="Run a read-only query on the connection; the result becomes a dataset version",
)
def import_query(
    connection_id: int, body: ConnectionImport, actor: CurrentActor, services: ServicesDep
):
    return services.connections.import_query(
        actor, connection_id, body.sql, body.dataset_name, project_id=body.project_id
    )
