"""`python -m hostplane.webhooks.receiver --secret whsec_… [--port 9999]`: a webhook receiver
for trying endpoints out, written as a receiver of Hostplane's webhooks should be.

It checks both signatures of every delivery (seed 003's `X-Webhook-Signature` and Standard
Webhooks' `webhook-signature` over its id and a fresh timestamp), answers 400 to a delivery
that fails either, takes each `webhook-id` once (a retry or a redelivery of one it already
took is answered 200 and not handled again), and prints one line per delivery it takes.
"""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock
from typing import Any

from hostplane.webhooks.domain.signing import (
    SEED_SIGNATURE,
    WEBHOOK_ID,
    verify_seed,
    verify_standard,
)

Taken = Callable[[str, dict[str, Any]], None]


class Receiver(ThreadingHTTPServer):
    """Deliveries verified with `secrets` (the endpoint's; both while one is rotated)."""

    def __init__(self, address: tuple[str, int], secrets: list[str], taken: Taken) -> None:
        super().__init__(address, _Delivery)
        self.secrets = secrets
        self.taken = taken
        self.seen: set[str] = set()
        self._lock = Lock()

    def verified(self, body: bytes, headers: dict[str, str]) -> bool:
        seed = headers.get(SEED_SIGNATURE.lower(), "")
        return any(verify_seed(body, seed, s) for s in self.secrets) and verify_standard(
            body, headers, self.secrets, datetime.now(UTC)
        )

    def first_time(self, webhook_id: str) -> bool:
        with self._lock:
            if webhook_id in self.seen:
                return False
            self.seen.add(webhook_id)
            return True


class _Delivery(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        if not self.server.verified(body, headers):
            self._answer(400, "signature refused")
            return
        if self.server.first_time(headers[WEBHOOK_ID]):
            self.server.taken(headers[WEBHOOK_ID], json.loads(body))
        self._answer(200, "ok")

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `taken` reports what matters."""


def _print(webhook_id: str, payload: dict[str, Any]) -> None:
    print(f"{payload['event']} {webhook_id} signatures verified {json.dumps(payload['data'])}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", action="append", required=True, help="whsec_… (repeatable)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9999)
    options = parser.parse_args()
    with Receiver((options.host, options.port), options.secret, _print) as receiver:
        print(f"receiving on http://{options.host}:{options.port}/", flush=True)
        receiver.serve_forever()


if __name__ == "__main__":
    main()
