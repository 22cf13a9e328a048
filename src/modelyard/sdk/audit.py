"""``client.audit``: the audit trail."""

from __future__ import annotations

from modelyard.domain import AuditEvent, Page
from modelyard.sdk.transport import Resource


class Audit(Resource):
    def list(
        self, *, action: str | None = None, offset: int = 0, limit: int = 50
    ) -> Page[AuditEvent]:
        """Audit events, newest first; ``action`` filters, e.g. ``"dataset.upload"``."""
        params = {"action": action, "offset": offset, "limit": limit}
        return self._send(Page[AuditEvent], "GET", "/audit", params=params)
