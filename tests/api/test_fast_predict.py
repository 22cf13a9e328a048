"""The predict fast path (api/fast_predict.py) answers as the route does, and hands the
route everything that is not the common case (real app, real model, real HTTP via ASGI)."""

from sqlalchemy import func, select

from modelyard.api.fast_predict import PredictFastPath
from modelyard.db.tables import SqlPrediction
from tests.api.test_api import _error
from tests.api.test_predict_explain import _deploy
from tests.factories import churn_frame

PATH = "/api/v1/endpoints/churn/predict"
JSON = {"Content-Type": "application/json"}


class _RouteCalls:
    """Counts the predict requests that reach the router (a probe around the real app)."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http" and scope["path"] == PATH:
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def _probe(app) -> _RouteCalls:  # type: ignore[no-untyped-def]
    layer = app.middleware_stack
    while not isinstance(layer, PredictFastPath):
        layer = layer.app
    probe = _RouteCalls(layer.app)
    layer.app = probe
    return probe


def test_the_fast_path_answers_warm_requests_as_the_route_does(app, client, auth_headers, tmp_path):
    import modelyard
    from tests.conftest import ADMIN_PASSWORD

    sdk = modelyard.Client.login("http://testserver", "admin", ADMIN_PASSWORD, http_client=client)
    _deploy(sdk, tmp_path, "lightgbm", "churn")
    records = churn_frame(seed=5).drop(columns="churned").head(3).to_dict(orient="records")
    probe = _probe(app)

    cold = client.post(PATH, json={"records": records}, headers=auth_headers)
    assert cold.status_code == 200, cold.text
    assert probe.paths == [PATH]  # the first call looks the endpoint up: the route does it
    warm = client.post(PATH, json={"records": records, "routing_key": "u1"}, headers=auth_headers)
    assert warm.status_code == 200, warm.text
    assert probe.paths == [PATH]  # answered before the router
    assert warm.headers["content-type"] == "application/json"
    assert warm.headers["x-request-id"]
    got, expected = warm.json(), cold.json()
    assert set(got) == set(expected)
    assert got["predictions"] == expected["predictions"]
    assert got["probabilities"] == expected["probabilities"]
    assert got["model_name"] == expected["model_name"] and got["model_version"] == 1
    assert len(set(got["prediction_ids"]) | set(expected["prediction_ids"])) == 6

    # every prediction is logged, whichever way it went
    services = app.state.services
    services.prediction_log.flush()
    with services.uow.begin() as session:
        assert session.scalar(select(func.count()).select_from(SqlPrediction)) == 6

    # the metric carries the route's label, as for requests through the router
    metrics = client.get("/metrics").text
    assert 'route="/endpoints/{name}/predict",status="200"} ' in metrics

    # schema errors of the service: the API's error shape, from the fast path
    bad = {**records[0]}
    bad.pop(next(iter(bad)))
    _error(
        client.post(PATH, json={"records": [bad]}, headers=auth_headers),
        422,
        "predict.schema_mismatch",
    )
    assert probe.paths == [PATH]

    # anything but the common case goes to the route, body intact
    with_k = client.post(PATH, json={"records": records, "top_k": 2}, headers=auth_headers)
    assert with_k.status_code == 200 and with_k.json()["predictions"] == expected["predictions"]
    explained = client.post(
        PATH, json={"records": records, "explain": True, "top_k": 2}, headers=auth_headers
    )
    assert explained.status_code == 200 and len(explained.json()["contributions"]) == 3
    _error(
        client.post(PATH, content=b"{not json", headers={**auth_headers, **JSON}),
        422,
        "request.malformed_json",
    )
    _error(client.post(PATH, json={"rows": records}, headers=auth_headers), 422, "request.invalid")
    _error(client.post(PATH, json={"records": records}), 401, "auth.missing_token")
    unknown = {"Authorization": "Bearer not-a-token"}
    assert client.post(PATH, json={"records": records}, headers=unknown).status_code == 401
    assert len(probe.paths) == 7
