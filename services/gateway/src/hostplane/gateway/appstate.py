"""Route dependencies on the app-scoped objects the lifespan keeps in `app.state`."""

from collections.abc import Callable
from typing import Any

from fastapi import Request


def state(name: str) -> Callable[[Request], Any]:
    """A dependency handing a route `app.state.<name>` (typed by its `Annotated` alias)."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    get.__name__ = f"get_{name}"
    return get
