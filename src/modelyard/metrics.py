"""Prometheus metrics of the web process."""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("modelyard_http_requests_total", "API requests", ["method", "route", "status"])
LATENCY = Histogram("modelyard_http_request_seconds", "API request latency", ["method", "route"])


def observe_request(method: str, route: Any, status: int, seconds: float) -> None:
    path = getattr(route, "path", "unmatched")
    REQUESTS.labels(method, path, str(status)).inc()
    LATENCY.labels(method, path).observe(seconds)


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
