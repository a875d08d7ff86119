"""mPanel (seed 002) end to end: an admin's session from login to an active CloudPod, and
what billing promises around it — tenants apart, idempotent orders, Stripe webhooks however
they arrive, dunning that suspends and a payment that lifts it."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

from tests.conftest import wait_until
from tests.e2e.mpanel import Session, login
from tests.stack import Stack


def _paid_cloudpod(session: Session, stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    """A customer's order of a CloudPod, paid at Stripe's checkout, until the pod is active."""
    product = session.cloudpod_product()
    customer = session.customer()
    placed = session.order(customer["id"], product["id"])
    session.pay(placed["invoice"]["id"])
    session.until(f"/invoices/{placed['invoice']['id']}", lambda i: i["status"] == "paid")
    pods = session.until(
        f"/cloudpods?customerId={customer['id']}",
        lambda body: any(p["status"] == "active" for p in body["items"]),
        timeout=90,
    )
    return placed, pods["items"][0]


def test_an_admin_goes_from_login_to_an_active_cloudpod(stack: Stack) -> None:
    session = login(stack)
    me = session.call("GET", "/auth/me")
    assert me["roles"] == ["admin"] and me["permissions"] == ["*"]

    placed, pod = _paid_cloudpod(session, stack)

    invoice = session.call("GET", f"/invoices/{placed['invoice']['id']}")
    assert invoice["number"].startswith(f"INV-{datetime.now(UTC).year}-")
    assert sum(item["total"] for item in invoice["items"]) == invoice["subtotal"]
    assert invoice["total"] == round(invoice["subtotal"] + invoice["tax"], 2)
    pdf = session.call("GET", f"/invoices/{invoice['id']}/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert session.call("GET", f"/invoices/{invoice['id']}/pdf").content == pdf.content
    order = session.until(f"/orders/{placed['order']['id']}", lambda o: o["status"] == "active")
    assert order["status"] == "active"
    servers = stack.servers(pod["id"])
    assert len(servers) == 1 and servers[0].running
    subscriptions = session.call("GET", f"/subscriptions?customerId={invoice['customerId']}")
    assert [s["status"] for s in subscriptions["items"]] == ["active"]
    audit = session.call("GET", f"/audit?resourceId={placed['order']['id']}")
    assert {"order.created", "order.paid"} <= {e["action"] for e in audit["items"]}


def test_a_retried_order_with_its_idempotency_key_is_the_same_order(stack: Stack) -> None:
    session = login(stack)
    product, customer = session.cloudpod_product(), session.customer()
    key = f"order-{uuid4()}"

    first = session.order(customer["id"], product["id"], key)
    again = session.order(customer["id"], product["id"], key)

    assert again == first
    other = session.customer()
    refused = session.call(
        "POST",
        "/orders",
        409,
        headers={"Idempotency-Key": key},
        json={"customerId": other["id"], "items": [{"productId": product["id"]}]},
    )
    assert refused["error"]["code"] == "CONFLICT"
    invoices = session.call("GET", f"/invoices?customerId={customer['id']}")
    assert invoices["total"] == 1


def test_another_tenants_invoice_is_not_found(stack: Stack) -> None:
    admin = login(stack)
    placed = admin.order(admin.customer()["id"], admin.cloudpod_product()["id"])
    brand = admin.call("POST", "/tenants", 201, json={"name": f"Brand {uuid4().hex[:8]}"})
    email = f"ops-{uuid4().hex[:8]}@example.com"
    admin.call(
        "POST",
        "/users",
        201,
        json={
            "name": "Other ops",
            "email": email,
            "password": "another-long-password",
            "roles": ["admin"],
            "tenantId": brand["id"],
        },
    )
    other = login(stack, email, "another-long-password")

    missing = other.call("GET", f"/invoices/{placed['invoice']['id']}", 404)

    assert missing["error"]["code"] == "NOT_FOUND"
    assert other.call("GET", "/invoices")["total"] == 0
    other.call(
        "POST",
        "/payments/session",
        404,
        json={
            "invoiceId": placed["invoice"]["id"],
            "successUrl": "https://a.test",
            "cancelUrl": "https://b.test",
        },
    )


def _stripe_events(stack: Stack, invoice_id: str) -> list[dict[str, Any]]:
    events = stack.admin("GET", "/stripe/events").json()
    return [
        e
        for e in events
        if e["event"]["data"]["object"].get("metadata", {}).get("invoice_id") == invoice_id
    ]


def test_stripe_webhooks_replayed_and_reordered_pay_the_invoice_once(stack: Stack) -> None:
    session = login(stack)
    placed = session.order(session.customer()["id"], session.cloudpod_product()["id"])
    invoice_id = placed["invoice"]["id"]
    stack.admin("POST", "/stripe/webhooks/hold")
    try:
        session.pay(invoice_id)
    finally:
        stack.admin("POST", "/stripe/webhooks/release", {"order": "reverse"})
    session.until(f"/invoices/{invoice_id}", lambda i: i["status"] == "paid")
    for event in _stripe_events(stack, invoice_id):
        stack.admin("POST", f"/stripe/events/{event['id']}/resend")

    def payments() -> list[dict[str, Any]] | None:
        # Every send of every event (the resends too) was answered 2xx.
        events = _stripe_events(stack, invoice_id)
        answered = all(
            any(a["delivered"] and a["send"] == e["sends"] for a in e["attempts"]) for e in events
        )
        return session.call("GET", f"/audit?resourceId={invoice_id}")["items"] if answered else None

    wait_until(payments, 30, 0.2, what="every delivery answered")
    # A command for the same invoice travels behind the replays on its partition: once it
    # is answered (a paid invoice takes no new session), billing has seen every replay.
    session.call(
        "POST",
        "/payments/session",
        409,
        json={"invoiceId": invoice_id, "successUrl": "https://a.t", "cancelUrl": "https://b.t"},
    )
    audit = session.call("GET", f"/audit?resourceId={invoice_id}")["items"]
    assert [e["action"] for e in audit].count("payment.succeeded") == 1
    assert [e["action"] for e in audit].count("invoice.paid") == 1
    charges = stack.admin(
        "GET",
        f"/stripe/payment_intents?metadata_key=invoice_id&value={invoice_id}&status=succeeded",
    ).json()
    assert len(charges) == 1


def test_a_forged_webhook_is_refused(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.mpanel_url}/api/payments/stripe/webhook",
        content=b'{"id": "evt_forged", "type": "payment_intent.succeeded"}',
        headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_an_overdue_invoice_suspends_the_cloudpod_and_its_payment_unsuspends_it(
    stack: Stack,
) -> None:
    session = login(stack)
    _, pod = _paid_cloudpod(session, stack)
    subscription = session.call("GET", f"/subscriptions?customerId={pod['customerId']}")["items"][0]
    period_end = datetime.fromisoformat(subscription["renewsAt"].replace("Z", "+00:00"))

    stack.set_clock(period_end + timedelta(minutes=1))  # the period ends: a renewal invoice
    renewal = session.until(
        f"/invoices?customerId={pod['customerId']}&status=unpaid",
        lambda body: body["total"] == 1,
    )["items"][0]
    due = datetime.fromisoformat(renewal["dueAt"].replace("Z", "+00:00"))
    stack.set_clock(due + timedelta(days=8))  # past overdue and suspension

    session.until(f"/cloudpods/{pod['id']}", lambda p: p["status"] == "suspended", timeout=90)
    assert not stack.servers(pod["id"])[0].running
    audit = session.call("GET", f"/audit?resourceId={renewal['id']}")["items"]
    assert "invoice.overdue" in {e["action"] for e in audit}

    session.pay(renewal["id"])

    session.until(f"/cloudpods/{pod['id']}", lambda p: p["status"] == "active", timeout=90)
    assert stack.servers(pod["id"])[0].running
    assert session.call("GET", f"/subscriptions/{subscription['id']}")["status"] == "active"
