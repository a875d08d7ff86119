"""Request bodies past `MAX_BODY_BYTES` are refused 413 before they are read whole.

FastAPI reads a route's JSON body itself, so the limit sits in front of every route: a
declared `Content-Length` over it is answered at once; a chunked body is counted as it
arrives, and refused when it passes the limit.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hostplane.gateway.domain.errors import PayloadTooLarge
from hostplane.gateway.entrypoints.mpanel.errors import refusal

TOO_LARGE = "Request body too large"


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self._app = app
        self._max = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self._max:
            await refusal(PayloadTooLarge(TOO_LARGE))(scope, receive, send)
            return
        seen, refused = 0, False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self._max and not refused:
                refused = True
                await refusal(PayloadTooLarge(TOO_LARGE))(scope, receive, send)
                return {"type": "http.disconnect"}  # the app stops reading, as for a client gone
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:  # what the app answers a body it could not read is not sent
                await send(message)

        await self._app(scope, counted, unless_refused)
