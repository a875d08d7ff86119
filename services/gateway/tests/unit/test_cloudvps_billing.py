"""A customer's billing at the gateway: their own invoices (another's is 404) in the contract's
shape, filtered and as a PDF; saved cards; a VPS order refused before anything is sent when
its plan, image or card cannot be."""

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from hostplane.contracts.billing import InvoiceLine
from hostplane.contracts.commands import billing as bc
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_rows import NOW, a_customer, a_product, a_tenant, an_invoice

PASSWORD = "correct horse battery"


def _customer(api: Api, email: str) -> tuple[dict[str, str], UUID]:
    data = api.cloudvps.post(
        "/api/v1/auth/register", json={"name": "Jo", "email": email, "password": PASSWORD}
    ).json()["data"]
    account = api.billing.reads.rows.accounts[UUID(data["user"]["id"])]
    rows = api.billing.reads.rows
    tenant = api.settings.platform_tenant_id
    rows.tenants.setdefault(tenant, a_tenant("Hostplane", tenant))
    rows.customers.setdefault(
        account.customer_id, a_customer(tenant, id=account.customer_id, email=email)
    )
    return {"Authorization": f"Bearer {data['token']}"}, account.customer_id


def _invoice(api: Api, customer_id: UUID, status: str, days: int, number: str) -> str:
    line = InvoiceLine(
        description="CloudPod Mini - monthly", quantity=1, unit_amount=999, amount=999
    )
    row = an_invoice(
        api.settings.platform_tenant_id,
        customer_id,
        status=status,
        number=number,
        lines=[line],
        subtotal=999,
        total=999,
        due_at=NOW + timedelta(days=days),
        paid_at=NOW if status == "paid" else None,
    )
    api.billing.reads.rows.invoices[row.id] = row
    return str(row.id)


def test_a_customer_lists_their_invoices_by_status_in_the_contracts_shape(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    paid = _invoice(api, customer, "paid", 7, "INV-2026-000001")
    _invoice(api, customer, "unpaid", -3, "INV-2026-000002")  # due three days ago
    _invoice(api, customer, "cancelled", 7, "INV-2026-000003")

    everything = api.cloudvps.get(
        "/api/v1/billing/invoices?sort=invoice_number&order=asc", headers=jo
    )
    only_paid = api.cloudvps.get("/api/v1/billing/invoices?status=paid", headers=jo).json()

    assert [(i["invoice_number"], i["status"]) for i in everything.json()["data"]] == [
        ("INV-2026-000001", "paid"),
        ("INV-2026-000002", "overdue"),
    ]
    assert everything.json()["pagination"]["total"] == 2
    assert only_paid["data"] == [
        {
            "id": paid,
            "invoice_number": "INV-2026-000001",
            "amount": 9.99,
            "currency": "USD",
            "status": "paid",
            "due_date": "2026-01-12T12:00:00Z",
            "paid_date": "2026-01-05T12:00:00Z",
            "items": [
                {
                    "description": "CloudPod Mini - monthly",
                    "quantity": 1,
                    "unit_price": 9.99,
                    "total": 9.99,
                }
            ],
        }
    ]


def test_another_users_invoice_is_not_found_and_a_pdf_is_the_same_every_time(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    invoice = _invoice(api, customer, "paid", 7, "INV-2026-000001")

    first = api.cloudvps.get(f"/api/v1/billing/invoices/{invoice}/pdf", headers=jo)
    second = api.cloudvps.get(f"/api/v1/billing/invoices/{invoice}/pdf", headers=jo)
    theirs = api.cloudvps.get(f"/api/v1/billing/invoices/{invoice}", headers=sam)

    assert first.headers["content-type"] == "application/pdf"
    assert first.content == second.content
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "NOT_FOUND"
    assert (
        api.cloudvps.get(f"/api/v1/billing/invoices/{invoice}/pdf", headers=sam).status_code == 404
    )


def test_the_default_card_is_listed_and_another_users_card_is_not_found(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    sam, _ = _customer(api, "sam@example.com")
    rows = api.billing.reads.rows
    rows.customers[customer] = replace(rows.customers[customer], default_payment_method="pm_1")

    cards = api.cloudvps.get("/api/v1/billing/payment-methods", headers=jo).json()["data"]
    removed = api.cloudvps.delete("/api/v1/billing/payment-methods/pm_1", headers=sam)

    assert cards == [
        {
            "id": "pm_1",
            "type": "card",
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2030,
            "is_default": True,
        }
    ]
    assert (removed.status_code, removed.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert api.broker.sent(bc.DetachPaymentMethod) == []


def test_a_card_id_that_is_not_stripes_is_a_validation_error(api: Api) -> None:
    jo, _ = _customer(api, "jo@example.com")

    answer = api.cloudvps.post(
        "/api/v1/billing/payment-methods", json={"payment_method_id": "tok_visa"}, headers=jo
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert api.broker.sent(bc.AttachPaymentMethod) == []


def test_a_vps_order_is_refused_before_it_is_sent_when_it_cannot_be(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    product = a_product(api.settings.platform_tenant_id)
    api.billing.reads.rows.products[product.id] = product
    body = {"name": "web-1", "plan_id": str(product.id)}

    no_card = api.cloudvps.post("/api/v1/vps", json=body, headers=jo)
    rows = api.billing.reads.rows
    rows.customers[customer] = replace(rows.customers[customer], default_payment_method="pm_1")
    no_plan = api.cloudvps.post("/api/v1/vps", json={**body, "plan_id": "plan-x"}, headers=jo)
    no_image = api.cloudvps.post(
        "/api/v1/vps", json={**body, "operating_system": "beos-5"}, headers=jo
    )
    no_name = api.cloudvps.post("/api/v1/vps", json={"plan_id": str(product.id)}, headers=jo)

    assert (no_card.status_code, no_card.json()["error"]["code"]) == (402, "PAYMENT_ERROR")
    for refused in (no_plan, no_image, no_name):
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert api.broker.sent(bc.OrderVps) == []


def test_a_vps_declined_by_billing_is_a_payment_error(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    product = a_product(api.settings.platform_tenant_id)
    rows = api.billing.reads.rows
    rows.products[product.id] = product
    rows.customers[customer] = replace(rows.customers[customer], default_payment_method="pm_1")
    api.billing.refusals["OrderVps"] = ("PAYMENT_FAILED", "Your card was declined.")

    answer = api.cloudvps.post(
        "/api/v1/vps",
        json={"name": "web-1", "plan_id": str(product.id)},
        headers=jo | {"Idempotency-Key": "k-1"},
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (402, "PAYMENT_ERROR")
    [sent] = api.broker.sent(bc.OrderVps)
    assert (sent.customer_id, sent.product_id, sent.name) == (customer, product.id, "web-1")


def test_stripe_away_while_a_vps_is_paid_for_is_a_payment_error(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    product = a_product(api.settings.platform_tenant_id)
    rows = api.billing.reads.rows
    rows.products[product.id] = product
    rows.customers[customer] = replace(rows.customers[customer], default_payment_method="pm_1")
    api.billing.refusals["OrderVps"] = ("PAYMENT_PROVIDER_ERROR", "stripe: unavailable")

    answer = api.cloudvps.post(
        "/api/v1/vps", json={"name": "web-1", "plan_id": str(product.id)}, headers=jo
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (402, "PAYMENT_ERROR")


def test_a_vps_order_carries_its_image_and_keys_and_its_key_holds_them(api: Api) -> None:
    jo, customer = _customer(api, "jo@example.com")
    product = a_product(api.settings.platform_tenant_id)
    rows = api.billing.reads.rows
    rows.products[product.id] = product
    rows.customers[customer] = replace(rows.customers[customer], default_payment_method="pm_1")
    api.billing.refusals["OrderVps"] = ("PAYMENT_FAILED", "Your card was declined.")
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9 jo@example.com"
    body = {
        "name": "web-1",
        "plan_id": str(product.id),
        "operating_system": "debian-12",
        "ssh_keys": [key],
    }
    headers = jo | {"Idempotency-Key": "k-os"}

    first = api.cloudvps.post("/api/v1/vps", json=body, headers=headers)
    other_os = api.cloudvps.post(
        "/api/v1/vps", json={**body, "operating_system": "rocky-9"}, headers=headers
    )
    other_keys = api.cloudvps.post("/api/v1/vps", json={**body, "ssh_keys": []}, headers=headers)

    assert first.status_code == 402
    for conflict in (other_os, other_keys):
        assert (conflict.status_code, conflict.json()["error"]["code"]) == (409, "CONFLICT")
    [sent] = api.broker.sent(bc.OrderVps)
    assert (sent.operating_system, sent.ssh_public_keys) == ("debian-12", [key])
