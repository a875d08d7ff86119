"""Injectable failures per endpoint: latency, 5xx, 429 + Retry-After, timeouts, failed actions."""

import asyncio
import fnmatch
import itertools
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hostplane.cloudsim.state import World

Kind = Literal["latency", "status", "rate_limit", "timeout", "action_error"]
_ids = itertools.count(1)


@dataclass
class Fault:
    path: str
    kind: Kind
    method: str = "*"
    status: int = 503
    latency_s: float = 0.0
    retry_after: int = 1
    times: int | None = None
    probability: float = 1.0
    id: int = field(default_factory=lambda: next(_ids))
    applied: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            (self.method in ("*", method))
            and fnmatch.fnmatchcase(path, self.path)
            and (self.times is None or self.applied < self.times)
        )


def parse_faults(raw: Any) -> list[Fault]:
    """Fault rules from JSON (one object or a list)."""
    items = raw if isinstance(raw, list) else [raw]
    allowed = set(Fault.__dataclass_fields__) - {"id", "applied"}
    return [Fault(**{k: v for k, v in item.items() if k in allowed}) for item in items]


def fault_json(fault: Fault) -> dict[str, Any]:
    return asdict(fault)


def error_body(path: str, status: int, code: str, message: str) -> dict[str, Any]:
    """The provider's own error shape for a path."""
    if path.startswith("/cloudflare"):
        return {
            "success": False,
            "errors": [{"code": status, "message": message}],
            "messages": [],
            "result": None,
        }
    if path.startswith("/powerdns"):
        return {"error": message}
    if path.startswith("/proxmox"):
        return {"data": None, "message": f"{message}\n"}
    if path.startswith("/stripe"):
        # Stripe's libraries pick their exception from the status and this `type`.
        kind = "api_error" if status >= 500 else "invalid_request_error"
        stripe_error = {"type": kind, "message": message}
        return {"error": stripe_error | ({"code": "rate_limit"} if status == 429 else {})}
    return {"error": {"code": code, "message": message}}


class Faults:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rules: list[Fault] = []

    def pick(self, method: str, path: str) -> Fault | None:
        for rule in self.rules:
            if rule.matches(method, path) and self.world.rng.random() < rule.probability:
                rule.applied += 1
                return rule
        return None

    async def respond(self, fault: Fault, path: str) -> Response | None:
        """The injected answer, or None to carry on (after latency, or for action errors)."""
        if fault.kind == "latency":
            await asyncio.sleep(fault.latency_s)
            return None
        if fault.kind == "action_error":
            return None
        if fault.kind == "timeout":
            await asyncio.sleep(fault.latency_s or 30.0)
            return JSONResponse(error_body(path, 504, "timeout", "gateway timeout"), 504)
        if fault.kind == "rate_limit":
            headers = {
                "Retry-After": str(fault.retry_after),
                "RateLimit-Limit": "3600",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(fault.retry_after),
            }
            body = error_body(path, 429, "rate_limit_exceeded", "rate limit exceeded")
            return JSONResponse(body, 429, headers=headers)
        code = "unavailable" if fault.status == 503 else "server_error"
        if fault.status < 500:
            code = "invalid_input"
        body = error_body(path, fault.status, code, f"injected {fault.status}")
        return Response(json.dumps(body), fault.status, media_type="application/json")


def action_should_fail(request: Request) -> bool:
    fault: Fault | None = getattr(request.state, "fault", None)
    return fault is not None and fault.kind == "action_error"
