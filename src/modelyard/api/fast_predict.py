"""The common online prediction, answered before FastAPI's router: a thin ASGI adapter.

``POST /api/v1/endpoints/{name}/predict`` is the one call whose latency is the product.
Going through the router costs more than scoring: with the UI mounted, the router tries
well over a hundred routes before it reaches this one, then solves the auth and services
dependencies and validates the body with pydantic (about 1 ms of the ~1.3 ms a request
took in-process). This middleware answers the common case itself, with the same service
call as the route (``DeploymentService.predict``) and the same answer:

- a bearer token validated in the last seconds (``UserService.cached_actor``);
- a JSON object with ``records`` (a list of up to ``INLINE_RECORDS`` objects) and
  optionally ``routing_key`` (a string) and ``explain: false``;
- an endpoint whose route and models are warm (``DeploymentService.is_warm``).

Anything else (no or unknown token, other fields, a body that is not such an object, a
cold endpoint, explanations, many records) goes on to the route unchanged, with the body
replayed, so every validation message, the DB look-up of a token and the thread hop for
slow work stay where they are written once. Errors of the service call are rendered with
the API's error shape. The request middleware outside this one still adds the request id,
the access log line and the metrics (the route label is the route's own).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelyard.api.errors import error_body
from modelyard.api.routes.endpoints import INLINE_RECORDS
from modelyard.errors import ModelyardError

__all__ = ["PredictFastPath"]

_PATH = re.compile(r"^/api/v1/endpoints/([a-z0-9][a-z0-9\-]{0,99})/predict$")
_FIELDS = frozenset(("records", "routing_key", "explain"))
_JSON_HEADERS = [(b"content-type", b"application/json")]

try:  # orjson (NiceGUI's dependency) parses a small body several times faster than json
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - the same values, a little slower
    _loads = json.loads  # type: ignore[assignment]


class PredictFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: Any = None  # the router's route object, for the metric label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        match = _PATH.match(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        body, cut = await _read_body(receive)
        if cut is None and await self._answer(scope, match.group(1), body, send):
            return
        await self.app(scope, _replay(body, cut, receive), send)
        if self._route is None:
            self._route = scope.get("route")

    async def _answer(self, scope: Scope, name: str, body: bytes, send: Send) -> bool:
        """Answer the request if it is the common case; False leaves it to the route."""
        if self._route is None:
            return False
        token = _bearer(scope)
        if token is None:
            return False
        services = scope["app"].state.services
        actor = services.users.cached_actor(token)
        if actor is None:
            return False
        request = _common_request(body)
        if request is None:
            return False
        records, routing_key = request
        deployments = services.deployments
        if not deployments.is_warm(actor, name):
            return False
        scope["route"] = self._route
        scope.setdefault("state", {})["actor"] = actor.username
        try:
            result = deployments.predict(actor, name, records, routing_key=routing_key)
        except ModelyardError as exc:
            headers = [(b"www-authenticate", b"Bearer")] if exc.status_code == 401 else []
            payload = json.dumps(error_body(exc.code, exc.message, exc.details)).encode()
            await _respond(send, exc.status_code, payload, headers)
            return True
        await _respond(send, 200, result.model_dump_json().encode())
        return True


def _bearer(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token if scheme.lower() == "bearer" and token else None
    return None


def _common_request(body: bytes) -> tuple[list[dict[str, Any]], str | None] | None:
    """(records, routing_key) when the body is the common, valid case; else None."""
    try:
        data = _loads(body)
    except ValueError:
        return None
    if type(data) is not dict or "records" not in data or not _FIELDS.issuperset(data):
        return None
    records = data["records"]
    routing_key = data.get("routing_key")
    if data.get("explain", False) is not False:
        return None
    if type(records) is not list or len(records) > INLINE_RECORDS:
        return None
    if routing_key is not None and type(routing_key) is not str:
        return None
    if not all(type(record) is dict for record in records):
        return None
    return records, routing_key


async def _read_body(receive: Receive) -> tuple[bytes, Message | None]:
    """The whole body, and the message that cut it short (a disconnect) if one did."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, cut: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that hands the route what was already read, then the real channel."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if cut is not None:
        pending.append(cut)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _respond(
    send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *_JSON_HEADERS,
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
