"""Prometheus metrics of the web process."""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("modelyard_http_requests_total", "API requests", ["method", "route", "status"])
LATENCY = Histogram("modelyard_http_request_seconds", "API request latency", ["method", "route"])

# (method, route path, status) -> its counter and histogram: `labels()` takes a lock and
# builds the label key on every call; the set is small (route templates, not URLs)
_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: Any, status: int, seconds: float) -> None:
    path = getattr(route, "path", "unmatched")
    key = (method, path, status)
    children = _CHILDREN.get(key)
    if children is None:
        children = (REQUESTS.labels(method, path, str(status)), LATENCY.labels(method, path))
        _CHILDREN[key] = children
    children[0].inc()
    children[1].observe(seconds)


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
