"""CloudVPS Pro (seed 003) end to end, on its own listener: a CloudPod product an mPanel admin
creates is a plan customers see, in the contract's envelope, and the limit per address is
announced on every answer."""

import httpx

from tests.conftest import wait_until
from tests.e2e.mpanel import login
from tests.stack import Stack


def test_a_product_the_admin_sells_is_a_plan(stack: Stack) -> None:
    product = login(stack).cloudpod_product(price=12.5)

    def listed() -> dict[str, object] | None:
        answer = httpx.get(f"{stack.cloudvps_url}/api/v1/plans")
        plans = {p["id"]: p for p in answer.json()["data"]} if answer.status_code == 200 else {}
        return plans.get(product["id"])

    plan = wait_until(listed, 30, 0.2, what="the product among the plans")
    assert plan["name"] == product["name"]
    assert plan["pricing"] == {"monthly": 12.5, "annually": 150, "currency": "USD"}
    assert plan["specifications"] == {"cpu": 2, "ram": 2, "storage": 40, "bandwidth": 20_000}

    one = httpx.get(f"{stack.cloudvps_url}/api/v1/plans/{product['id']}")
    assert one.json() == {"success": True, "data": plan}
    assert int(one.headers["X-RateLimit-Limit"]) > 0
    assert int(one.headers["X-RateLimit-Remaining"]) < int(one.headers["X-RateLimit-Limit"])

    missing = httpx.get(f"{stack.cloudvps_url}/api/v1/plans/plan-nothing")
    assert missing.status_code == 404
    assert missing.json()["success"] is False
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_the_asyncapi_document_is_served(stack: Stack) -> None:
    document = httpx.get(f"{stack.gateway_url}/asyncapi.json").json()
    assert document["asyncapi"] == "3.0.0"
    assert "vps.events" in {c["address"] for c in document["channels"].values()}
