"""CloudVPS Pro's routes, one module per section of seed 003."""

from typing import Any

from fastapi.routing import APIRoute


class EnvelopeRoute(APIRoute):
    """A CloudVPS route: its answer leaves out the fields it lacks (the contract's bodies
    never carry a null), whatever the route's own settings."""

    def __init__(self, path: str, endpoint: Any, **options: Any) -> None:
        super().__init__(path, endpoint, **{**options, "response_model_exclude_none": True})
