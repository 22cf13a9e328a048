"""The Python SDK: :class:`Client`, an HTTP client over Modelyard's REST API."""

from modelyard.sdk.auth import LoginToken
from modelyard.sdk.client import Client

__all__ = ["Client", "LoginToken"]
