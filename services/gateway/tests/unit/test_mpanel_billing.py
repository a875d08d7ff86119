"""mPanel's billing surface over fakes: tenants kept apart, orders made once, money as the
contract writes it, and refusals answered by what refused them."""

import json
from collections.abc import Iterator
from typing import TypeVar
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel

from hostplane.contracts.billing import Price
from hostplane.contracts.commands import billing as bc
from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.identity import cloudpod_instance_id, operator_id_for
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import BILLING_COMMANDS, PROVISIONING_COMMANDS
from hostplane.gateway.application.mpanel.readmodels import ProvisioningJobRow
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_fakes import (
    NOW,
    a_cloudpod,
    a_customer,
    a_product,
    a_subscription,
    a_tenant,
    an_invoice,
)

C = TypeVar("C", bound=BaseModel)


def sent(api: Api, kind: type[C]) -> list[C]:
    """The commands of a kind the gateway sent, in order."""
    return [command for _, _, command in api.broker.commands if isinstance(command, kind)]


def shop(api: Api) -> tuple[UUID, UUID, UUID]:
    """A tenant with a customer and a product (9.99 USD a month): their ids."""
    tenant_id = uuid4()
    customer = a_customer(tenant_id)
    item = a_product(tenant_id)
    api.billing.reads.rows.customers[customer.id] = customer
    api.billing.reads.rows.products[item.id] = item
    return tenant_id, customer.id, item.id


def an_order(customer_id: UUID, product_id: UUID, quantity: int = 1) -> dict[str, object]:
    return {
        "customerId": str(customer_id),
        "items": [{"productId": str(product_id), "billingCycle": "monthly", "quantity": quantity}],
    }


def test_another_tenants_invoice_is_not_found(api: Api) -> None:
    theirs = uuid4()
    invoice = an_invoice(theirs, uuid4(), total=999)
    api.billing.reads.rows.invoices[invoice.id] = invoice
    mine = uuid4()
    for method, path, body in [
        ("GET", f"/api/invoices/{invoice.id}", None),
        ("GET", f"/api/invoices/{invoice.id}/pdf", None),
        ("PATCH", f"/api/invoices/{invoice.id}/status", {"status": "paid"}),
        (
            "POST",
            "/api/payments/session",
            {
                "invoiceId": str(invoice.id),
                "successUrl": "https://panel.example.com/ok",
                "cancelUrl": "https://panel.example.com/no",
            },
        ),
    ]:
        response = api.operator(method, path, mine, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert api.operator("GET", f"/api/invoices/{invoice.id}", theirs).status_code == 200
    assert api.broker.commands == []


def test_an_order_sent_twice_with_one_key_is_one_order(api: Api) -> None:
    tenant_id, customer_id, product_id = shop(api)
    key = {"Idempotency-Key": "checkout-42"}
    first = api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id), headers=key
    )
    again = api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id), headers=key
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    body = first.json()
    assert body["order"]["total"] == 9.99
    assert body["order"]["currency"] == "USD"
    assert body["invoice"] == {"id": body["invoice"]["id"], "status": "unpaid", "amount": 9.99}
    [placed] = sent(api, bc.PlaceOrder)
    assert str(placed.order_id) == body["order"]["id"]
    assert placed.tenant_id == tenant_id


def test_a_key_used_again_for_another_order_is_a_conflict(api: Api) -> None:
    tenant_id, customer_id, product_id = shop(api)
    key = {"Idempotency-Key": "checkout-43"}
    api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id), headers=key
    )
    other = api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id, 2), headers=key
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "CONFLICT"
    assert len(sent(api, bc.PlaceOrder)) == 1


def test_orders_without_a_key_are_each_their_own(api: Api) -> None:
    tenant_id, customer_id, product_id = shop(api)
    ids = {
        api.operator(
            "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id)
        ).json()["order"]["id"]
        for _ in range(2)
    }
    assert len(ids) == 2


def test_an_order_for_another_tenants_customer_sends_nothing(api: Api) -> None:
    _, customer_id, product_id = shop(api)
    response = api.operator("POST", "/api/orders", uuid4(), json=an_order(customer_id, product_id))
    assert response.status_code == 404
    assert api.broker.commands == []


def test_a_validation_error_names_each_field(api: Api) -> None:
    response = api.operator("POST", "/api/customers", uuid4(), json={"name": "", "email": "nope"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error["details"]) == {"name", "email"}
    malformed = api.operator("GET", "/api/customers/not-a-uuid", uuid4())
    assert malformed.status_code == 400
    assert "path.customer_id" in malformed.json()["error"]["details"]


def test_amounts_are_decimals_in_their_currencys_places(api: Api) -> None:
    tenant_id, _, product_id = shop(api)
    yen = a_product(tenant_id, amount=1000, currency="JPY")
    api.billing.reads.rows.products[yen.id] = yen
    usd = api.operator("GET", f"/api/products/{product_id}", tenant_id)
    jpy = api.operator("GET", f"/api/products/{yen.id}", tenant_id)
    assert usd.json()["billingCycles"] == [{"cycle": "monthly", "price": 9.99, "currency": "USD"}]
    assert '"price":1000,' in jpy.text  # no decimals in a currency without them
    assert usd.json()["metadata"] == {"cpu": 2, "ramMb": 2048, "diskGb": 40}


def product_body(price: object, currency: str = "USD") -> dict[str, object]:
    return {
        "name": "CloudPod Pro",
        "type": "cloudpod",
        "sku": "CPOD-PRO",
        "billingCycles": [{"cycle": "monthly", "price": price, "currency": currency}],
        "metadata": {"cpu": 4, "ramMb": 4096, "diskGb": 80},
        "plan": "professional",
        "region": "eu-frankfurt",
    }


def test_a_price_reaches_billing_in_minor_units(api: Api) -> None:
    created = api.operator("POST", "/api/products", uuid4(), ("billing",), json=product_body(19.99))
    assert created.status_code == 201, created.text
    assert created.json()["billingCycles"][0]["price"] == 19.99
    [command] = sent(api, bc.CreateProduct)
    assert command.prices == [Price(cycle="monthly", amount=1999, currency="USD")]


@pytest.mark.parametrize(
    ("price", "currency"), [(9.999, "USD"), (100.5, "JPY"), (-1, "USD"), ("lots", "USD")]
)
def test_a_price_its_currency_cannot_hold_is_refused(
    api: Api, price: object, currency: str
) -> None:
    response = api.operator("POST", "/api/products", uuid4(), json=product_body(price, currency))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert api.broker.commands == []


def test_a_cloudpod_product_in_a_region_not_sold_is_refused(api: Api) -> None:
    body = {**product_body(9.99), "region": "jp-tokyo"}
    response = api.operator("POST", "/api/products", uuid4(), json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "REGION_UNAVAILABLE"
    no_plan = {k: v for k, v in product_body(9.99).items() if k != "plan"}
    assert api.operator("POST", "/api/products", uuid4(), json=no_plan).status_code == 400


def test_an_invoice_status_billing_refuses_is_a_conflict_with_its_reason(api: Api) -> None:
    tenant_id = uuid4()
    invoice = an_invoice(tenant_id, uuid4(), status="paid")
    api.billing.reads.rows.invoices[invoice.id] = invoice
    path = f"/api/invoices/{invoice.id}/status"
    refused = api.operator("PATCH", path, tenant_id, json={"status": "unpaid"})
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "INVALID_STATE",
        "message": "A paid invoice cannot become unpaid",
        "details": {},
    }
    refunded = api.operator("PATCH", path, tenant_id, json={"status": "refunded"})
    assert refunded.status_code == 200
    assert refunded.json()["status"] == "refunded"
    [_, command] = sent(api, bc.SetInvoiceStatus)
    assert command.actor_id is not None and command.tenant_id == tenant_id


def test_a_payment_session_answers_billings_checkout(api: Api) -> None:
    tenant_id = uuid4()
    unpaid, paid = an_invoice(tenant_id, uuid4()), an_invoice(tenant_id, uuid4(), status="paid")
    api.billing.reads.rows.invoices |= {unpaid.id: unpaid, paid.id: paid}

    def session(invoice_id: UUID) -> tuple[int, dict[str, object]]:
        body = {
            "invoiceId": str(invoice_id),
            "successUrl": "https://panel.example.com/ok",
            "cancelUrl": "https://panel.example.com/no",
        }
        response = api.operator("POST", "/api/payments/session", tenant_id, ("billing",), json=body)
        return response.status_code, response.json()

    assert session(unpaid.id) == (
        200,
        {
            "provider": "stripe",
            "sessionId": "cs_test_1",
            "checkoutUrl": "https://checkout.example/cs_test_1",
        },
    )
    status, body = session(paid.id)
    assert status == 409
    assert body["error"] == {
        "code": "INVALID_STATE",
        "message": "The invoice is paid",
        "details": {},
    }


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("COUPON_EXPIRED", 400),
        ("PRICE_MISSING", 400),
        ("VALIDATION_ERROR", 400),
        ("NOT_FOUND", 404),
        ("INVALID_STATE", 409),
        ("PAYMENT_FAILED", 402),
        ("TAX_UNKNOWN", 422),
    ],
)
def test_a_failed_job_is_answered_by_its_code(api: Api, code: str, status: int) -> None:
    tenant_id, customer_id, product_id = shop(api)
    api.billing.refusals["PlaceOrder"] = (code, "Refused by billing")
    response = api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id)
    )
    assert response.status_code == status
    assert response.json()["error"] == {
        "code": code,
        "message": "Refused by billing",
        "details": {},
    }


def test_past_the_wait_the_job_is_answered_to_follow(api: Api) -> None:
    platform = api.settings.platform_tenant_id
    response = api.operator("POST", "/api/tenants", platform, json={"name": "Acme"})
    assert response.status_code == 202  # billing's tenant does not show in the read models
    [command] = sent(api, bc.CreateTenant)
    assert response.json() == {"job": {"id": str(api.broker.command_ids[0]), "status": "succeeded"}}
    assert command.name == "Acme"


def test_tenants_are_the_platforms_admins_to_see_and_create(api: Api) -> None:
    platform = a_tenant("Hostplane", api.settings.platform_tenant_id)
    other = a_tenant("Acme")
    api.billing.reads.rows.tenants |= {platform.id: platform, other.id: other}
    everyone = api.operator("GET", "/api/tenants", platform.id).json()
    assert everyone["total"] == 2 and everyone["page"] == 1 and everyone["pageSize"] == 20
    own = api.operator("GET", "/api/tenants", other.id).json()
    assert [t["id"] for t in own["items"]] == [str(other.id)]
    assert api.operator("GET", f"/api/tenants/{platform.id}", other.id).status_code == 404
    assert api.operator("GET", f"/api/tenants/{other.id}", platform.id).status_code == 200
    refused = api.operator("POST", "/api/tenants", other.id, json={"name": "Mine"})
    assert refused.status_code == 403


def test_an_operators_password_travels_sealed_and_is_never_answered(api: Api) -> None:
    tenant = a_tenant("Acme")
    api.billing.reads.rows.tenants[tenant.id] = tenant
    tenant_id = tenant.id
    body = {
        "name": "Ops",
        "email": "ops@example.com",
        "password": "s3cret-enough",
        "roles": ["support"],
    }
    response = api.operator("POST", "/api/users", tenant_id, json=body)
    [command] = sent(api, bc.CreateUser)
    assert "s3cret-enough" not in command.model_dump_json()
    assert SecretBox(api.settings.config_secrets_key).open(command.password) == "s3cret-enough"
    assert command.user_id == operator_id_for("ops@example.com")
    assert response.status_code == 201
    assert response.json()["roles"] == ["support"]
    assert "password" not in response.text
    short = api.operator("POST", "/api/users", tenant_id, json={**body, "password": "short"})
    assert short.status_code == 400
    assert "short" not in short.text


def test_a_cloudpod_is_requested_from_billing_and_suspended_through_provisioning(api: Api) -> None:
    tenant_id, customer_id, product_id = shop(api)
    subscription = a_subscription(tenant_id, customer_id, product_id)
    api.billing.reads.rows.subscriptions[subscription.id] = subscription
    body = {
        "customerId": str(customer_id),
        "subscriptionId": str(subscription.id),
        "productId": str(product_id),
        "name": "john-site-1",
        "template": "CPOD-MINI",
    }
    created = api.operator("POST", "/api/cloudpods", tenant_id, json=body)
    assert created.status_code == 201, created.text
    pod_id = str(cloudpod_instance_id(subscription.id))
    assert created.json()["cloudPod"] == {"id": pod_id, "status": "pending"}
    assert created.json()["job"]["type"] == "cloudpod_provision"
    assert api.operator("GET", f"/api/cloudpods/{pod_id}", tenant_id).json()["status"] == "pending"

    suspended = api.operator("POST", f"/api/cloudpods/{pod_id}/suspend", tenant_id, ("support",))
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    topic, key, command = api.broker.commands[-1]
    assert (topic, key) == (PROVISIONING_COMMANDS, UUID(pod_id))
    assert command == pc.SuspendInstance(instance_id=UUID(pod_id), reason="admin")
    assert [t for t, _, c in api.broker.commands if isinstance(c, bc.RequestCloudPod)] == [
        BILLING_COMMANDS
    ]


def test_a_failed_suspend_is_retried_as_a_new_job_and_a_provisioning_is_not(api: Api) -> None:
    tenant_id = uuid4()
    pod = a_cloudpod(tenant_id, uuid4(), uuid4())
    api.billing.reads.rows.cloudpods[pod.id] = pod

    def failed(command: str) -> ProvisioningJobRow:
        row = ProvisioningJobRow(uuid4(), tenant_id, command, "failed", pod.id, "X", "x", NOW, NOW)
        api.billing.reads.rows.jobs[row.id] = row
        return row

    retried = api.operator(
        "POST", f"/api/jobs/{failed('SuspendInstance').id}/retry", tenant_id, ("support",)
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["type"] == "cloudpod_suspend"
    assert retried.json()["status"] == "succeeded"
    assert retried.json()["targetId"] == str(pod.id)
    provisioning = api.operator("POST", f"/api/jobs/{failed('CreateInstance').id}/retry", tenant_id)
    assert provisioning.status_code == 409
    assert "POST /cloudpods" in provisioning.json()["error"]["message"]
    done = api.operator("POST", f"/api/jobs/{retried.json()['id']}/retry", tenant_id)
    assert done.status_code == 409
    assert len(sent(api, pc.SuspendInstance)) == 1


def test_lists_answer_their_page(api: Api) -> None:
    tenant_id = uuid4()
    for n in range(3):
        row = a_customer(tenant_id, name=f"Customer {n}")
        api.billing.reads.rows.customers[row.id] = row
    page = api.operator("GET", "/api/customers?page=2&pageSize=2", tenant_id).json()
    assert (page["total"], page["page"], page["pageSize"], len(page["items"])) == (3, 2, 2, 1)
    assert json.dumps(page["items"][0]["createdAt"]).endswith('Z"')


def test_the_platforms_admins_create_another_tenants_operators(api: Api) -> None:
    brand = a_tenant("Brand")
    api.billing.reads.rows.tenants[brand.id] = brand
    body = {
        "name": "Brand ops",
        "email": "ops@brand.example.com",
        "password": "another-long-password",
        "roles": ["admin"],
        "tenantId": str(brand.id),
    }
    platform = api.settings.platform_tenant_id
    created = api.operator("POST", "/api/users", platform, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["tenantId"] == str(brand.id)
    refused = api.operator("POST", "/api/users", uuid4(), json=body)
    assert refused.status_code == 403
    unknown = api.operator("POST", "/api/users", platform, json={**body, "tenantId": str(uuid4())})
    assert unknown.status_code == 404


def test_coupons_are_a_whole_percentage_or_an_amount_of_a_currency(api: Api) -> None:
    tenant_id = uuid4()
    percent = {"code": "WELCOME10", "type": "percent", "value": 10}
    fixed = {"code": "FIVE", "type": "fixed", "value": 5.5, "currency": "USD"}
    assert api.operator("POST", "/api/coupons", tenant_id, json=percent).status_code == 201
    created = api.operator("POST", "/api/coupons", tenant_id, json=fixed)
    assert created.status_code == 201
    assert (created.json()["value"], created.json()["currency"]) == (5.5, "USD")
    assert [c.value for c in sent(api, bc.CreateCoupon)] == [10, 550]
    for refused in (
        {**percent, "value": 150},
        {**percent, "currency": "USD"},
        {**fixed, "currency": None},
        {**fixed, "value": 0},
        {**fixed, "value": 5.555},
    ):
        response = api.operator("POST", "/api/coupons", tenant_id, json=refused)
        assert response.status_code == 400, refused
    assert len(sent(api, bc.CreateCoupon)) == 2


def test_the_audit_log_takes_times_as_iso_8601(api: Api) -> None:
    tenant_id = uuid4()
    assert (
        api.operator("GET", "/api/audit?since=2026-01-01T00:00:00Z", tenant_id).status_code == 200
    )
    assert api.operator("GET", "/api/audit?since=0.5", tenant_id).status_code == 400


def test_a_body_past_the_limit_is_refused_unread(api: Api) -> None:
    big = {"name": "x" * api.settings.max_body_bytes, "email": "a@example.com"}
    declared = api.operator("POST", "/api/customers", uuid4(), json=big)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks() -> Iterator[bytes]:
        yield json.dumps(big).encode()

    streamed = api.operator("POST", "/api/customers", uuid4(), content=chunks())
    assert streamed.status_code == 413
    assert api.broker.commands == []
