"""Support tickets at the gateway: a user opens tickets about their own VPS, answers them
with files judged by their bytes, closes and reopens them; another user's ticket is 404;
admins list and answer every ticket. A refused request sends nothing."""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from hostplane.contracts.billing import Role
from hostplane.contracts.commands import support as sc
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.application.cloudvps.servers import VpsRow
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_rows import an_operator

PASSWORD = "correct horse battery"
TICKETS = "/api/v1/support/tickets"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e227ba6a0000000049454e44ae426082"
)


def _customer(api: Api, email: str) -> tuple[dict[str, str], UUID]:
    data = api.cloudvps.post(
        "/api/v1/auth/register", json={"name": "Jo", "email": email, "password": PASSWORD}
    ).json()["data"]
    account = api.billing.reads.rows.accounts[UUID(data["user"]["id"])]
    return {"Authorization": f"Bearer {data['token']}"}, account.customer_id


def _admin(api: Api) -> dict[str, str]:
    box = SecretBox(api.settings.config_secrets_key)
    admin = an_operator(
        api.settings.platform_tenant_id, "admin@example.com", PASSWORD, box, [Role.ADMIN.value]
    )
    api.billing.reads.rows.operators[admin.id] = admin
    login = api.cloudvps.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {login.json()['data']['token']}"}


def _vps(api: Api, customer_id: UUID) -> str:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    row = VpsRow(
        id=uuid4(),
        tenant_id=api.settings.platform_tenant_id,
        customer_id=customer_id,
        subscription_id=uuid4(),
        name="web-1",
        status="active",
        ip_address="203.0.113.7",
        plan="starter",
        region="eu-frankfurt",
        prices=[],
        pending_operation=None,
        created_at=now,
        next_billing_date=now + timedelta(days=31),
    )
    api.vps.rows[row.id] = row
    return str(row.id)


def _open(api: Api, headers: dict[str, str], **body: Any) -> Any:
    payload = {
        "subject": "VPS Performance Issues",
        "description": "My VPS has been running slowly since yesterday...",
        "priority": "high",
        "category": "technical",
    } | body
    return api.cloudvps.post(TICKETS, json=payload, headers=headers)


def _png(name: str = "screenshot.png", data: bytes = PNG, kind: str = "image/png") -> Any:
    return {"filename": name, "content_type": kind, "data": base64.b64encode(data).decode()}


def test_a_user_opens_a_ticket_about_their_vps_and_reads_it_back(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    vps_id = _vps(api, customer)
    opened = _open(api, jo, vps_id=vps_id)
    assert opened.status_code == 201
    ticket = opened.json()["data"]
    assert ticket["status"] == "open"
    assert (ticket["vps_id"], ticket["messages"], ticket["message_count"]) == (vps_id, [], 0)
    shown = api.cloudvps.get(f"{TICKETS}/{ticket['id']}", headers=jo).json()["data"]
    assert shown["subject"] == "VPS Performance Issues"
    listed = api.cloudvps.get(TICKETS, headers=jo).json()
    assert [t["id"] for t in listed["data"]] == [ticket["id"]]
    assert listed["pagination"]["total"] == 1


def test_a_ticket_sent_again_under_its_key_is_the_same_ticket(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")
    key = {"Idempotency-Key": "ticket-1", **jo}
    first, again = _open(api, key), _open(api, key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    opens = [
        command_id
        for (_, _, command), command_id in zip(
            api.broker.commands, api.broker.command_ids, strict=True
        )
        if isinstance(command, sc.OpenTicket)
    ]
    assert len(opens) == 2 and len(set(opens)) == 1  # sent again as the same job
    other = _open(api, key, subject="Another question")
    assert (other.status_code, other.json()["error"]["code"]) == (409, "CONFLICT")
    assert len(api.cloudvps.get(TICKETS, headers=jo).json()["data"]) == 1


def test_a_ticket_about_another_users_vps_is_404_and_sends_nothing(api: Api) -> None:
    _, jo_customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    answer = _open(api, sam, vps_id=_vps(api, jo_customer))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert not api.broker.sent(sc.OpenTicket)


def test_a_reply_carries_its_files_and_the_ticket_counts_it(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")
    ticket_id = _open(api, jo).json()["data"]["id"]
    reply = api.cloudvps.post(
        f"{TICKETS}/{ticket_id}/messages",
        json={"message": "I tried restarting.", "attachments": [_png("screen shot.png")]},
        headers=jo,
    )
    assert reply.status_code == 201
    message = reply.json()["data"]
    assert (message["author"], message["message"]) == ("customer", "I tried restarting.")
    assert [a["filename"] for a in message["attachments"]] == ["screen shot.png"]
    (sent,) = api.broker.sent(sc.AddTicketMessage)
    assert sent.actor_role == "user" and sent.attachments[0].content_type == "image/png"
    shown = api.cloudvps.get(f"{TICKETS}/{ticket_id}", headers=jo).json()["data"]
    assert shown["message_count"] == 1 and len(shown["messages"]) == 1


def test_a_message_may_carry_files_bigger_than_other_bodies(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")
    ticket_id = _open(api, jo).json()["data"]["id"]
    big = PNG + b"\x00" * (api.settings.support_attachment_max_bytes - len(PNG))
    files = [_png(data=big) for _ in range(api.settings.support_attachment_max_count)]
    assert len(str(files)) > api.settings.max_body_bytes
    answer = api.cloudvps.post(
        f"{TICKETS}/{ticket_id}/messages",
        json={"message": "logs", "attachments": files},
        headers=jo,
    )
    assert answer.status_code == 201, answer.text
    elsewhere = api.cloudvps.put(
        "/api/v1/users/profile", json={"name": "x" * api.settings.max_body_bytes}, headers=jo
    )
    assert elsewhere.status_code == 413


def test_a_file_that_is_not_what_it_says_is_a_validation_error_and_sends_nothing(
    api: Api,
) -> None:
    jo, _ = _customer(api, "jo@example.com")
    ticket_id = _open(api, jo).json()["data"]["id"]
    for attachment in (
        _png(data=b"MZ\x90\x00" + b"\x00" * 60),  # a program calling itself a PNG
        _png(name="a.exe", kind="application/x-msdownload"),
        {"filename": "a.png", "content_type": "image/png", "data": "not base64!"},
        _png(data=PNG + b"\x00" * api.settings.support_attachment_max_bytes),
    ):
        answer = api.cloudvps.post(
            f"{TICKETS}/{ticket_id}/messages",
            json={"message": "see attached", "attachments": [attachment]},
            headers=jo,
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    too_many = [_png() for _ in range(api.settings.support_attachment_max_count + 1)]
    answer = api.cloudvps.post(
        f"{TICKETS}/{ticket_id}/messages",
        json={"message": "see attached", "attachments": too_many},
        headers=jo,
    )
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not api.broker.sent(sc.AddTicketMessage)


def test_another_users_ticket_is_404_whatever_is_asked(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    ticket_id = _open(api, jo).json()["data"]["id"]
    for answer in (
        api.cloudvps.get(f"{TICKETS}/{ticket_id}", headers=sam),
        api.cloudvps.post(f"{TICKETS}/{ticket_id}/messages", json={"message": "x"}, headers=sam),
        api.cloudvps.put(f"{TICKETS}/{ticket_id}", json={"status": "closed"}, headers=sam),
    ):
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert api.cloudvps.get(TICKETS, headers=sam).json()["data"] == []
    assert not api.broker.sent(sc.AddTicketMessage) and not api.broker.sent(sc.UpdateTicket)


def test_a_user_closes_reopens_and_reprioritises_but_may_not_resolve(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")
    ticket_id = _open(api, jo).json()["data"]["id"]
    closed = api.cloudvps.put(f"{TICKETS}/{ticket_id}", json={"status": "closed"}, headers=jo)
    assert closed.json()["data"]["status"] == "closed"
    urgent = api.cloudvps.put(
        f"{TICKETS}/{ticket_id}", json={"status": "open", "priority": "urgent"}, headers=jo
    ).json()["data"]
    assert (urgent["status"], urgent["priority"]) == ("open", "urgent")
    for body in ({"status": "resolved"}, {}):
        answer = api.cloudvps.put(f"{TICKETS}/{ticket_id}", json=body, headers=jo)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert len(api.broker.sent(sc.UpdateTicket)) == 2


def test_admins_list_every_ticket_and_answer_as_staff(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    admin = _admin(api)
    jo_ticket = _open(api, jo, priority="low").json()["data"]["id"]
    _open(api, sam, priority="urgent")
    assert api.cloudvps.get("/api/v1/admin/tickets", headers=jo).status_code == 403
    every = api.cloudvps.get("/api/v1/admin/tickets?sort=priority", headers=admin).json()
    assert [t["priority"] for t in every["data"]] == ["urgent", "low"]
    assert {t["user_id"] for t in every["data"]} == {
        str(a.id) for a in api.billing.reads.rows.accounts.values()
    }
    low = api.cloudvps.get("/api/v1/admin/tickets?priority=low", headers=admin).json()["data"]
    assert [t["id"] for t in low] == [jo_ticket]
    answer = api.cloudvps.post(
        f"{TICKETS}/{jo_ticket}/messages", json={"message": "Looking into it"}, headers=admin
    )
    assert answer.json()["data"]["author"] == "staff"
    shown = api.cloudvps.get(f"{TICKETS}/{jo_ticket}", headers=jo).json()["data"]
    assert (shown["status"], shown["messages"][0]["author"]) == ("in-progress", "staff")


def test_signing_in_is_needed(api: Api) -> None:
    answer = api.cloudvps.get(TICKETS)
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "UNAUTHORIZED")
