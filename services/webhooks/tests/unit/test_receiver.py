"""The example receiver: both signatures checked, each webhook-id taken once."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from hostplane.webhooks.domain.signing import new_secret, signature_headers
from hostplane.webhooks.receiver import Receiver

SECRET = new_secret()
BODY = json.dumps({"event": "vps.created", "timestamp": "2026-12-03T10:00:00Z", "data": {}})


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    taken: list[tuple[str, dict[str, Any]]] = []
    server = Receiver(("127.0.0.1", 0), [SECRET], lambda i, p: taken.append((i, p)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", taken
    server.shutdown()
    server.server_close()


def _signed(delivery_id: str, secret: str = SECRET) -> dict[str, str]:
    return signature_headers(BODY.encode(), delivery_id, datetime.now(UTC), [secret])


def test_a_delivery_signed_both_ways_is_taken_once(
    receiver: tuple[str, list[tuple[str, dict[str, Any]]]],
) -> None:
    url, taken = receiver
    for _ in range(2):  # the second is a redelivery under the same webhook-id
        answer = httpx.post(url, content=BODY, headers=_signed("msg_1"))
        assert answer.status_code == 200
    assert taken == [("msg_1", json.loads(BODY))]


def test_a_delivery_signed_with_another_secret_is_refused(
    receiver: tuple[str, list[tuple[str, dict[str, Any]]]],
) -> None:
    url, taken = receiver
    answer = httpx.post(url, content=BODY, headers=_signed("msg_2", new_secret()))
    assert answer.status_code == 400
    tampered = httpx.post(url, content=BODY.replace("created", "deleted"), headers=_signed("m3"))
    assert tampered.status_code == 400
    assert taken == []
