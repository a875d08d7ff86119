"""CloudVPS support tickets end to end: a customer opens a ticket about their own VPS,
answers it with a screenshot, staff answer it, the customer closes and reopens it; another
customer cannot see or touch it, a ticket about another's VPS is 404, an admin finds it among
every ticket, and a file that is not what it claims is refused with nothing stored."""

import base64
import hashlib
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg

from hostplane.billing.domain.customer_account import account_customer_id
from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, Stack

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e227ba6a0000000049454e44ae426082"
)
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48


def _account(stack: Stack, name: str) -> tuple[dict[str, str], str, str]:
    """A new customer's bearer header, their user id, and the customer they pay as."""
    answer = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/register",
        json={
            "name": name,
            "email": f"{name}-{uuid4().hex[:8]}@example.com",
            "password": "pw-123456",
        },
    )
    assert answer.status_code == 201, answer.text
    data = answer.json()["data"]
    user_id = data["user"]["id"]
    return (
        {"Authorization": f"Bearer {data['token']}"},
        user_id,
        str(account_customer_id(UUID(user_id))),
    )


def _admin(stack: Stack) -> dict[str, str]:
    login(stack)  # the first admin exists once billing has published it
    answer = httpx.post(
        f"{stack.cloudvps_url}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    return {"Authorization": f"Bearer {answer.json()['data']['token']}"}


def _a_vps_of(stack: Stack, customer_id: str) -> str:
    """Order and pay a CloudPod for the customer; its id once the read models know it."""
    panel = login(stack)
    placed = panel.order(customer_id, panel.cloudpod_product()["id"])
    panel.pay(placed["invoice"]["id"])

    def known() -> str | None:
        with psycopg.connect(stack.database_url) as conn:
            row = conn.execute(
                "SELECT instance_id FROM views.cloudpods WHERE customer_id = %s", (customer_id,)
            ).fetchone()
        return str(row[0]) if row else None

    return wait_until(known, 60, 0.2, what="the customer's VPS in the read models")


def _stored_file(stack: Stack, data: bytes) -> bytes | None:
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(
            "SELECT data FROM support.attachments WHERE sha256 = %s",
            (hashlib.sha256(data).hexdigest(),),
        ).fetchone()
    return bytes(row[0]) if row else None


def _file(name: str, kind: str, data: bytes) -> dict[str, Any]:
    return {"filename": name, "content_type": kind, "data": base64.b64encode(data).decode()}


def test_a_ticket_about_a_vps_is_answered_by_staff_and_closed_by_its_owner(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    jo, jo_id, jo_customer = _account(stack, "jo")
    sam, _, _ = _account(stack, "sam")
    staff = _admin(stack)
    vps_id = _a_vps_of(stack, jo_customer)

    elsewhere = httpx.post(
        f"{api}/support/tickets",
        json={"subject": "Not mine", "description": "x", "vps_id": vps_id},
        headers=sam,
    )
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (404, "NOT_FOUND")

    opened = httpx.post(
        f"{api}/support/tickets",
        json={
            "subject": "VPS Performance Issues",
            "description": "My VPS has been running slowly since yesterday...",
            "priority": "high",
            "category": "technical",
            "vps_id": vps_id,
        },
        headers=jo,
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["data"]
    assert (ticket["status"], ticket["priority"], ticket["vps_id"]) == ("open", "high", vps_id)
    tickets = f"{api}/support/tickets/{ticket['id']}"

    reply = httpx.post(
        f"{tickets}/messages",
        json={
            "message": "I tried restarting but the issue persists.",
            "attachments": [_file("screenshot.png", "image/png", PNG)],
        },
        headers=jo,
        timeout=30,
    )
    assert reply.status_code == 201, reply.text
    (attachment,) = reply.json()["data"]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("screenshot.png", len(PNG))
    assert _stored_file(stack, PNG) == PNG

    for answer in (
        httpx.get(tickets, headers=sam),
        httpx.put(tickets, json={"status": "closed"}, headers=sam),
        httpx.post(f"{tickets}/messages", json={"message": "hi"}, headers=sam),
    ):
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")

    assert httpx.get(f"{api}/admin/tickets", headers=jo).status_code == 403
    every = httpx.get(f"{api}/admin/tickets?user_id={jo_id}", headers=staff).json()["data"]
    assert [(t["id"], t["user_id"]) for t in every] == [(ticket["id"], jo_id)]
    answered = httpx.post(
        f"{tickets}/messages",
        json={"message": "We are looking into it."},
        headers=staff,
        timeout=30,
    )
    assert answered.json()["data"]["author"] == "staff"

    shown = httpx.get(tickets, headers=jo).json()["data"]
    assert (shown["status"], shown["message_count"]) == ("in-progress", 2)
    assert [m["author"] for m in shown["messages"]] == ["customer", "staff"]
    assert shown["messages"][0]["attachments"] == [attachment]

    closed = httpx.put(tickets, json={"status": "closed"}, headers=jo, timeout=30)
    assert closed.json()["data"]["status"] == "closed"
    reopened = httpx.put(tickets, json={"status": "open"}, headers=jo, timeout=30)
    assert reopened.json()["data"]["status"] == "open"
    mine = httpx.get(f"{api}/support/tickets?status=open", headers=jo).json()["data"]
    assert [t["id"] for t in mine] == [ticket["id"]]
    assert httpx.get(f"{api}/support/tickets", headers=sam).json()["data"] == []


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    jo, _, _ = _account(stack, "jo")
    opened = httpx.post(
        f"{api}/support/tickets",
        json={"subject": "Billing question", "description": "An invoice", "category": "billing"},
        headers=jo,
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    tickets = f"{api}/support/tickets/{opened.json()['data']['id']}"
    disguised = uuid4().bytes + EXECUTABLE  # unique bytes: a digest no other test stores
    refused = httpx.post(
        f"{tickets}/messages",
        json={
            "message": "see attached",
            "attachments": [_file("a.png", "image/png", b"MZ" + disguised)],
        },
        headers=jo,
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert _stored_file(stack, b"MZ" + disguised) is None
    assert httpx.get(tickets, headers=jo).json()["data"]["messages"] == []
