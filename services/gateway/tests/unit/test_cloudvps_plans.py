"""CloudVPS's plans and envelope: the platform tenant's active CloudPod products in seed 003's
shape, every refusal in `{success: false, error}`, and the limit per client address."""

from uuid import uuid4

from hostplane.contracts.billing import Price, ProductSpecs
from hostplane.contracts.cloudvps.envelope import Envelope, ErrorResponse
from hostplane.contracts.cloudvps.plans import Plan
from services.gateway.tests.fakes import Api, serve, unit_settings
from services.gateway.tests.mpanel_rows import a_product


def _sell(api: Api, **changes: object) -> str:
    row = a_product(api.settings.platform_tenant_id, **changes)
    api.billing.reads.rows.products[row.id] = row
    return str(row.id)


def test_plans_are_the_active_cloudpods_of_the_platform_tenant(api: Api) -> None:
    mini = _sell(
        api,
        prices=[
            Price(cycle="monthly", amount=999, currency="USD"),
            Price(cycle="yearly", amount=9999, currency="USD"),
        ],
    )
    monthly_only = _sell(api, name="CloudPod Max", specs=ProductSpecs(cpu=8))
    _sell(api, status="retired")
    _sell(api, product_type="backup", placement=None)
    other = a_product(uuid4())  # another brand's
    api.billing.reads.rows.products[other.id] = other

    response = api.cloudvps.get("/api/v1/plans")

    assert response.status_code == 200
    body = Envelope[list[Plan]].model_validate(response.json())
    plans = {p.id: p for p in body.data}
    assert set(plans) == {mini, monthly_only}
    raw = {p["id"]: p for p in response.json()["data"]}
    assert raw[mini]["pricing"] == {"monthly": 9.99, "annually": 99.99, "currency": "USD"}
    assert plans[mini].specifications.model_dump() == {
        "cpu": 2,
        "ram": 2,
        "storage": 40,
        "bandwidth": 20_000,
    }
    assert str(plans[monthly_only].pricing.annually) == "119.88"  # twelve months
    assert plans[monthly_only].specifications.cpu == 8
    assert "pagination" not in response.json()


def test_one_plan_and_what_is_not_one(api: Api) -> None:
    plan_id = _sell(api)
    retired = _sell(api, status="retired")

    assert api.cloudvps.get(f"/api/v1/plans/{plan_id}").json()["data"]["id"] == plan_id
    for missing in (retired, str(uuid4()), "plan-starter"):
        response = api.cloudvps.get(f"/api/v1/plans/{missing}")
        assert response.status_code == 404
        error = ErrorResponse.model_validate(response.json())
        assert (error.success, error.error.code) == (False, "NOT_FOUND")


def test_unknown_routes_and_methods_answer_in_the_envelope(api: Api) -> None:
    unknown = api.cloudvps.get("/api/v1/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "Not found", "details": {}},
    }
    wrong = api.cloudvps.delete("/api/v1/plans")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (405, "INVALID_REQUEST")
    assert wrong.headers["allow"] == "GET"


def test_every_answer_counts_against_the_limit_per_address() -> None:
    for api in serve(unit_settings(rate_limit_cloudvps_ip="3/15 minutes")):
        answers = [api.cloudvps.get("/api/v1/plans") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert answers[0].headers["X-RateLimit-Limit"] == "3"
        assert int(answers[3].headers["Retry-After"]) > 0
        assert answers[3].json()["error"]["code"] == "RATE_LIMITED"
        # The other surfaces keep their own counts.
        assert api.panel.get("/api/health").status_code == 200
