"""HTTP under the SDK: one place that sends requests and turns failures into our errors.

A response with the API's error shape ``{"error": {"code", "message", "details"}}`` is
rebuilt as the same exception class the server raised (``error_class_for``), so scripts
catch ``NotFoundError`` or ``AuthenticationError`` alike locally and remotely. A server
that cannot be reached becomes :class:`~modelyard.errors.DependencyUnavailableError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from modelyard.errors import DependencyUnavailableError, ModelyardError, error_class_for

API_PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)


class Transport:
    """Sends requests to ``{url}/api/v1`` with the bearer token and maps every failure."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        http_client: httpx.Client | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self._is_owner = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout_s)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        timeout_s: float | None = None,
        **content: Any,
    ) -> Any:
        """Send one request; return the decoded JSON body (None when empty) or raise ours."""
        request = self._build(method, path, params=params, timeout_s=timeout_s, **content)
        response = self._send(request)
        if response.is_error:
            raise error_from_response(response)
        return response.json() if response.content else None

    def text(self, method: str, path: str, **content: Any) -> str:
        """Send one request; return the body as text (YAML, HTML) or raise ours."""
        response = self._send(self._build(method, path, params=None, timeout_s=None, **content))
        if response.is_error:
            raise error_from_response(response)
        return response.text

    def download(self, path: str, target: Path, *, params: dict[str, Any] | None = None) -> int:
        """Stream a GET response body into ``target``; return its size in bytes.

        The body is written beside ``target`` first and renamed at the end, so a failed
        download leaves no partial file under the name asked for.
        """
        request = self._build("GET", path, params=params, timeout_s=None)
        response = self._send(request, stream=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            if response.is_error:
                response.read()
                raise error_from_response(response)
            with partial.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
            partial.replace(target)
        except httpx.TransportError as exc:
            raise _unreachable(self.url, exc) from exc
        finally:
            response.close()
            partial.unlink(missing_ok=True)
        return target.stat().st_size

    def _build(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        timeout_s: float | None,
        **content: Any,
    ) -> httpx.Request:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers |= content.pop("headers", None) or {}
        kept = {k: v for k, v in (params or {}).items() if v is not None}
        return self._http.build_request(
            method,
            f"{self.url}{API_PREFIX}{path}",
            params=kept,
            headers=headers,
            timeout=timeout_s or self.timeout_s,
            **content,
        )

    def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        try:
            return self._http.send(request, stream=stream)
        except httpx.TransportError as exc:
            raise _unreachable(self.url, exc) from exc

    def close(self) -> None:
        if self._is_owner:
            self._http.close()


def _unreachable(url: str, exc: Exception) -> DependencyUnavailableError:
    return DependencyUnavailableError(
        f"cannot reach Modelyard at {url}: is `modelyard serve` running? ({exc})",
        code="sdk.unreachable",
        details={"url": url},
    )


def error_from_response(response: httpx.Response) -> ModelyardError:
    """Rebuild the server's exception from an error response."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and "code" in error and "message" in error:
        code = str(error["code"])
        details = error.get("details")
        cls = error_class_for(response.status_code, code)
        details = details if isinstance(details, dict) else {}
        return cls(str(error["message"]), code=code, details=details)
    request = response.request
    cls = error_class_for(response.status_code, "http_error")
    return cls(
        f"Modelyard at {request.url.scheme}://{request.url.netloc.decode()} answered HTTP "
        f"{response.status_code} to {request.method} {request.url.path}: "
        f"{response.text[:200] or response.reason_phrase}",
        code="http_error",
        details={"status_code": response.status_code},
    )


class Resource:
    """Base of the per-resource attributes of :class:`~modelyard.Client`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _send(self, into: type[M], method: str, path: str, **kwargs: Any) -> M:
        """Send a request and read the answer as ``into`` (an entity or a ``Page[...]``)."""
        return into.model_validate(self._transport.request(method, path, **kwargs))
