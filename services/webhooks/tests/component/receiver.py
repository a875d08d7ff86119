"""A webhook receiver for tests: answers as told per path, verifies both signatures of every
request it gets, and drops a delivery it has processed before (by `webhook-id`)."""

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn

from hostplane.webhooks.domain.signing import (
    SEED_SIGNATURE,
    WEBHOOK_ID,
    verify_seed,
    verify_standard,
)
from tests.conftest import wait_until
from tests.stack import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    seed_valid: bool
    standard_valid: bool
    # Whether the receiver processed it, or dropped it as a delivery it had already processed.
    processed: bool


@dataclass
class Receiver:
    """Per path: the secrets it verifies with, and the answers it gives (then 200s)."""

    now: Callable[[], datetime]
    url: str = ""
    secrets: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    processed_ids: set[str] = field(default_factory=set)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        secrets = self.secrets.get(path, [])
        delivery_id = headers.get(WEBHOOK_ID, "")
        seed_valid = any(
            verify_seed(body, headers.get(SEED_SIGNATURE.lower(), ""), s) for s in secrets
        )
        standard_valid = verify_standard(body, headers, secrets, self.now())
        status, extra = (self.answers.get(path) or [(200, {})])[0]
        if self.answers.get(path):
            self.answers[path].pop(0)
        processed = 200 <= status < 300 and delivery_id not in self.processed_ids
        if processed:
            self.processed_ids.add(delivery_id)
        self.received.append(Received(path, headers, body, seed_valid, standard_valid, processed))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in extra.items()],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})


@contextmanager
def serving(receiver: Receiver) -> Iterator[Receiver]:
    """Serve `receiver` on 127.0.0.1 in a thread of its own."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    wait_until(lambda: server.started, 10, what="the receiver to listen")
    receiver.url = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
