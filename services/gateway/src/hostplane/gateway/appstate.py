"""Route dependencies on the app-scoped objects the lifespan keeps in `app.state`."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request


def state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency handing a route `app.state.<name>` (typed by its `Annotated` alias).

    It is a coroutine function so FastAPI calls it inline, not through its thread pool.
    """

    async def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    get.__name__ = f"get_{name}"
    return get
