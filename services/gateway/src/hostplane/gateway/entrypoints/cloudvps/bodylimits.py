"""Request bodies past their limit are refused 413 (`BodyLimit`): `MAX_BODY_BYTES` for most
paths, more where files are uploaded (support tickets' messages carry base64 attachments)."""

import math

from starlette.types import ASGIApp, Receive, Scope, Send

from hostplane.gateway.entrypoints.mpanel.bodylimit import BodyLimit
from hostplane.gateway.settings import Settings

TICKETS = "/api/v1/support/tickets"


def ticket_body_bytes(settings: Settings) -> int:
    """Room for a message's files in base64 beside the usual body."""
    per_file = 4 * math.ceil(settings.support_attachment_max_bytes / 3)
    return settings.max_body_bytes + settings.support_attachment_max_count * per_file


class BodyLimits:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int]) -> None:
        self._default = BodyLimit(app, max_bytes)
        self._larger = [(prefix, BodyLimit(app, limit)) for prefix, limit in larger.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        limit = next((lim for prefix, lim in self._larger if path.startswith(prefix)), None)
        await (limit or self._default)(scope, receive, send)
