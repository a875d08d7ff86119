"""CloudVPS Pro billing end to end (seed 003): a customer saves a card at cloudsim's Stripe,
creates a VPS that is invoiced, charged once and made at the cloud; a retried create is the
same VPS and the same charge; a declined card creates nothing; invoices, their PDF and the
period's usage are the customer's alone."""

from typing import Any
from uuid import UUID, uuid4, uuid5

import httpx

from hostplane.billing.domain.customer_account import account_customer_id
from hostplane.billing.domain.subscription import subscription_id
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE, cloudpod_instance_id, tenant_id_for
from hostplane.gateway.application.cloudvps.orders import vps_order_id
from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import Stack

TENANT = tenant_id_for("Hostplane")
STRIPE = {"Authorization": "Bearer sk_test_e2e"}


def _account(stack: Stack, name: str) -> tuple[dict[str, str], UUID]:
    """A new customer's bearer header, and the billing customer their account pays as."""
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
    return {"Authorization": f"Bearer {data['token']}"}, account_customer_id(
        UUID(data["user"]["id"])
    )


def _plan(stack: Stack) -> str:
    """A CloudPod product the admin sells at 9.99 a month, once customers see it as a plan."""
    product_id = str(login(stack).cloudpod_product(price=9.99)["id"])

    def listed() -> bool:
        answer = httpx.get(f"{stack.cloudvps_url}/api/v1/plans")
        return answer.status_code == 200 and product_id in {p["id"] for p in answer.json()["data"]}

    wait_until(listed, 30, 0.2, what="the product among the plans")
    return product_id


def _charges(stack: Stack, invoice_id: str, status: str | None = None) -> int:
    wanted = f"metadata_key=invoice_id&value={invoice_id}" + (f"&status={status}" if status else "")
    return len(stack.admin("GET", f"/stripe/payment_intents?{wanted}").json())


def _error(answer: httpx.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_a_vps_is_paid_once_with_the_saved_card_and_made_at_the_cloud(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    jo, _ = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    plan = _plan(stack)
    body = {"name": "Web Server 01", "plan_id": plan, "operating_system": "ubuntu-24.04"}

    no_card = httpx.post(f"{api}/vps", json=body, headers=jo)
    assert _error(no_card) == (402, "PAYMENT_ERROR")
    refused = httpx.post(
        f"{api}/billing/payment-methods",
        json={"payment_method_id": "pm_card_visa_chargeDeclined", "set_as_default": True},
        headers=jo,
    )
    assert _error(refused) == (402, "PAYMENT_ERROR")
    assert httpx.get(f"{api}/billing/payment-methods", headers=jo).json()["data"] == []

    added = httpx.post(
        f"{api}/billing/payment-methods",
        json={"payment_method_id": "pm_card_visa", "set_as_default": True},
        headers=jo,
    )
    assert added.status_code == 201, added.text
    card = added.json()["data"]
    assert (card["brand"], card["last4"], card["is_default"]) == ("visa", "4242", True)
    assert httpx.get(f"{api}/billing/payment-methods", headers=jo).json()["data"] == [card]

    bad_plan = httpx.post(f"{api}/vps", json={**body, "plan_id": "plan-nothing"}, headers=jo)
    bad_image = httpx.post(f"{api}/vps", json={**body, "operating_system": "beos-5"}, headers=jo)
    assert _error(bad_plan) == _error(bad_image) == (422, "VALIDATION_ERROR")

    key = {"Idempotency-Key": uuid4().hex}
    created = httpx.post(f"{api}/vps", json=body, headers=jo | key, timeout=60)
    assert created.status_code == 201, created.text
    vps = created.json()["data"]
    assert (vps["name"], vps["status"]) == ("Web Server 01", "creating")
    assert vps["pricing"] == {"monthly_price": 9.99, "currency": "USD"}
    retried = httpx.post(f"{api}/vps", json=body, headers=jo | key, timeout=60)
    assert retried.json()["data"]["id"] == vps["id"]
    other_body = httpx.post(f"{api}/vps", json={**body, "name": "Other"}, headers=jo | key)
    assert _error(other_body) == (409, "CONFLICT")

    invoices = httpx.get(f"{api}/billing/invoices", headers=jo).json()
    assert invoices["pagination"]["total"] == 1
    invoice = invoices["data"][0]
    assert (invoice["status"], invoice["amount"], invoice["currency"]) == ("paid", 9.99, "USD")
    assert invoice["paid_date"] and invoice["items"][0]["unit_price"] == 9.99
    assert _charges(stack, invoice["id"], "succeeded") == 1
    assert httpx.get(f"{api}/billing/invoices?status=pending", headers=jo).json()["data"] == []
    one = httpx.get(f"{api}/billing/invoices/{invoice['id']}", headers=jo)
    assert one.json()["data"] == invoice
    pdf = httpx.get(f"{api}/billing/invoices/{invoice['id']}/pdf", headers=jo)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert httpx.get(f"{api}/billing/invoices/{invoice['id']}/pdf", headers=jo).content == (
        pdf.content
    )
    assert _error(httpx.get(f"{api}/billing/invoices/{invoice['id']}", headers=sam)) == (
        404,
        "NOT_FOUND",
    )
    assert httpx.get(f"{api}/billing/invoices/{invoice['id']}/pdf", headers=sam).status_code == 404
    assert httpx.get(f"{api}/billing/invoices", headers=sam).json()["data"] == []

    wait_until(lambda: stack.servers(vps["id"]), 90, 0.5, what="the VPS's server at the cloud")
    usage = httpx.get(f"{api}/billing/usage", headers=jo).json()["data"]
    assert usage["current_period"]["total_cost"] == 9.99
    assert [(s["vps_id"], s["name"], s["cost"]) for s in usage["services"]] == [
        (vps["id"], "Web Server 01", 9.99)
    ]


def test_a_vps_is_built_from_the_operating_system_it_was_ordered_with(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    kim, _ = _account(stack, "kim")
    plan = _plan(stack)
    added = httpx.post(
        f"{api}/billing/payment-methods",
        json={"payment_method_id": "pm_card_visa", "set_as_default": True},
        headers=kim,
    )
    assert added.status_code == 201, added.text
    body = {
        "name": "Debian Box",
        "plan_id": plan,
        "operating_system": "debian-12",
        "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 kim@example.com"],
    }

    created = httpx.post(f"{api}/vps", json=body, headers=kim, timeout=60)
    assert created.status_code == 201, created.text
    vps_id = created.json()["data"]["id"]

    wait_until(lambda: stack.servers(vps_id), 90, 0.5, what="the VPS's server at the cloud")
    [server] = stack.hetzner().servers.get_all(label_selector=f"hostplane.io/instance-id={vps_id}")
    assert server.image is not None and server.image.name == "debian-12"
    shown = httpx.get(f"{api}/vps/{vps_id}", headers=kim).json()["data"]
    assert shown["operating_system"] == "Debian 12"


def test_a_declined_card_creates_no_vps_and_no_charge(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    al, customer = _account(stack, "al")
    plan = _plan(stack)
    added = httpx.post(
        f"{api}/billing/payment-methods",
        json={"payment_method_id": "pm_card_chargeCustomerFail"},
        headers=al,
    )
    assert added.status_code == 201 and added.json()["data"]["is_default"] is True
    key = uuid4().hex
    body = {"name": "Declined", "plan_id": plan}

    declined = httpx.post(f"{api}/vps", json=body, headers=al | {"Idempotency-Key": key})
    again = httpx.post(f"{api}/vps", json=body, headers=al | {"Idempotency-Key": key})

    assert _error(declined) == _error(again) == (402, "PAYMENT_ERROR")
    order = vps_order_id(TENANT, customer, key)
    instance = cloudpod_instance_id(subscription_id(order, 0, 0))
    assert httpx.get(f"{api}/vps", headers=al).json()["data"] == []
    assert httpx.get(f"{api}/billing/invoices", headers=al).json()["data"] == []
    assert stack.servers(str(instance)) == []
    invoice = str(uuid5(HOSTPLANE_NAMESPACE, f"order-invoice:{order}"))
    assert (_charges(stack, invoice), _charges(stack, invoice, "succeeded")) == (1, 0)


def test_a_removed_card_is_gone_and_another_users_is_not_found(stack: Stack) -> None:
    api = f"{stack.cloudvps_url}/api/v1"
    jo, _ = _account(stack, "jo")
    sam, _ = _account(stack, "sam")
    card: dict[str, Any] = httpx.post(
        f"{api}/billing/payment-methods", json={"payment_method_id": "pm_card_visa"}, headers=jo
    ).json()["data"]

    stranger = httpx.delete(f"{api}/billing/payment-methods/{card['id']}", headers=sam)
    removed = httpx.delete(f"{api}/billing/payment-methods/{card['id']}", headers=jo)

    assert _error(stranger) == (404, "NOT_FOUND")
    assert removed.json()["data"] == {"id": card["id"], "deleted": True}
    assert httpx.get(f"{api}/billing/payment-methods", headers=jo).json()["data"] == []
    at_stripe = httpx.get(
        f"{stack.cloudsim_url}/stripe/v1/payment_methods/{card['id']}", headers=STRIPE
    ).json()
    assert at_stripe["customer"] is None
