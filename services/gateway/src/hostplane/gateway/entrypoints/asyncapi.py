"""`GET /asyncapi.json`: the AsyncAPI 3 document of Hostplane's Kafka topics, for whoever
subscribes to `vps.*`, `invoice.*` and the rest (generated from `libs/contracts`)."""

from functools import cache

from fastapi import FastAPI
from fastapi.responses import Response

from hostplane.contracts.asyncapi import rendered


@cache
def _document() -> bytes:
    return rendered().encode()


async def asyncapi() -> Response:
    return Response(_document(), media_type="application/json")


def install(app: FastAPI) -> None:
    """Serve the document beside the API, outside its OpenAPI document."""
    app.add_api_route("/asyncapi.json", asyncapi, methods=["GET"], include_in_schema=False)
