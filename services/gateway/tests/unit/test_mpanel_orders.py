"""mPanel's orders and catalog over fakes: one order per Idempotency-Key, money in its
currency's decimals both ways, and a job's refusal answered by its code."""

import json
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from hostplane.contracts.billing import Price
from hostplane.contracts.commands import billing as bc
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_rows import a_product, a_shop


def an_order(customer_id: UUID, product_id: UUID, quantity: int = 1) -> dict[str, object]:
    return {
        "customerId": str(customer_id),
        "items": [{"productId": str(product_id), "billingCycle": "monthly", "quantity": quantity}],
    }


def test_an_order_sent_twice_with_one_key_is_one_order(api: Api) -> None:
    tenant_id, customer_id, product_id = a_shop(api.billing.reads.rows)
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
    [placed] = api.broker.sent(bc.PlaceOrder)
    assert str(placed.order_id) == body["order"]["id"]
    assert placed.tenant_id == tenant_id


def test_a_key_used_again_for_another_order_is_a_conflict(api: Api) -> None:
    tenant_id, customer_id, product_id = a_shop(api.billing.reads.rows)
    key = {"Idempotency-Key": "checkout-43"}
    api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id), headers=key
    )
    other = api.operator(
        "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id, 2), headers=key
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "CONFLICT"
    assert len(api.broker.sent(bc.PlaceOrder)) == 1


def test_orders_without_a_key_are_each_their_own(api: Api) -> None:
    tenant_id, customer_id, product_id = a_shop(api.billing.reads.rows)
    ids = {
        api.operator(
            "POST", "/api/orders", tenant_id, json=an_order(customer_id, product_id)
        ).json()["order"]["id"]
        for _ in range(2)
    }
    assert len(ids) == 2


def test_an_order_for_another_tenants_customer_sends_nothing(api: Api) -> None:
    _, customer_id, product_id = a_shop(api.billing.reads.rows)
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
    tenant_id, _, product_id = a_shop(api.billing.reads.rows)
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
    [command] = api.broker.sent(bc.CreateProduct)
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
    tenant_id, customer_id, product_id = a_shop(api.billing.reads.rows)
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


def test_coupons_are_a_whole_percentage_or_an_amount_of_a_currency(api: Api) -> None:
    tenant_id = uuid4()
    percent = {"code": "WELCOME10", "type": "percent", "value": 10}
    fixed = {"code": "FIVE", "type": "fixed", "value": 5.5, "currency": "USD"}
    assert api.operator("POST", "/api/coupons", tenant_id, json=percent).status_code == 201
    created = api.operator("POST", "/api/coupons", tenant_id, json=fixed)
    assert created.status_code == 201
    assert (created.json()["value"], created.json()["currency"]) == (5.5, "USD")
    assert [c.value for c in api.broker.sent(bc.CreateCoupon)] == [10, 550]
    for refused in (
        {**percent, "value": 150},
        {**percent, "currency": "USD"},
        {**fixed, "currency": None},
        {**fixed, "value": 0},
        {**fixed, "value": 5.555},
    ):
        response = api.operator("POST", "/api/coupons", tenant_id, json=refused)
        assert response.status_code == 400, refused
    assert len(api.broker.sent(bc.CreateCoupon)) == 2


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
