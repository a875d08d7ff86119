"""The HTTP surface over in-memory fakes: what a caller is answered, and what is sent on."""

from hostplane.contracts.catalog import HetznerRegion, Region
from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import instance_id_for
from hostplane.gateway.application.readmodels import UsagePoint, UsageSample
from services.gateway.tests.fakes import Api, an_instance, serve, unit_settings

ORDER = {
    "whmcs_service_id": 11,
    "whmcs_client_id": 7,
    "plan": "starter",
    "region": "eu-frankfurt",
    "email": "owner@example.com",
}


def test_an_order_for_a_region_not_configured_is_refused_as_unavailable(api: Api) -> None:
    response = api.whmcs("POST", "/api/instances", {**ORDER, "region": "jp-tokyo"})
    assert response.status_code == 400
    assert response.json()["code"] == "REGION_UNAVAILABLE"
    assert api.broker.commands == []


def test_tokyo_is_sold_once_the_regions_configure_it() -> None:
    tokyo = HetznerRegion(location="tyo", datacenter="tyo-dc1")
    for api in serve(unit_settings(regions={Region.JP_TOKYO: tokyo})):
        response = api.whmcs("POST", "/api/instances", {**ORDER, "region": "jp-tokyo"})
        assert response.status_code == 201, response.text
        [(_, _, command)] = api.broker.commands
        assert isinstance(command, commands.CreateInstance)
        assert command.region is Region.JP_TOKYO


def test_an_unknown_plan_is_refused_on_order_and_on_resize(api: Api) -> None:
    api.reads.instances[instance_id_for(11)] = an_instance(11)
    ordered = api.whmcs("POST", "/api/instances", {**ORDER, "plan": "gigantic"})
    resized = api.whmcs(
        "POST", f"/api/instances/{instance_id_for(11)}/resize", {"new_plan": "gigantic"}
    )
    for response in (ordered, resized):
        assert response.status_code == 400
        assert response.json()["code"] == "INVALID_PLAN"
    assert api.broker.commands == []


def test_an_instance_shows_the_datacenter_its_provider_reported(api: Api) -> None:
    api.reads.instances[instance_id_for(12)] = an_instance(12, datacenter="fsn1-dc7")
    body = api.whmcs("GET", f"/api/instances/{instance_id_for(12)}").json()
    assert body["server"] == {"hetzner_id": 42, "server_type": "cx22", "datacenter": "fsn1-dc7"}


def test_before_the_provider_reports_the_datacenter_is_empty(api: Api) -> None:
    row = an_instance(13, status="provisioning", datacenter=None, hetzner_id=None)
    api.reads.instances[row.id] = row
    body = api.whmcs("GET", f"/api/instances/{row.id}").json()
    assert body["server"] == {"hetzner_id": 0, "server_type": "cx22", "datacenter": ""}


def test_metrics_report_memory_where_the_provider_sees_it(api: Api) -> None:
    row = an_instance(14, plan="professional")
    api.reads.instances[row.id] = row
    api.reads.samples = [UsageSample(12.345, 1536.0, 1.5, 20.0)]
    api.reads.history_points = [
        UsagePoint(row.created_at, 10.0, 1024.0, 2.0, 0.5, 0.25),
        UsagePoint(row.created_at, 11.0, None, 0.0, 0.0, 0.0),
    ]
    body = api.dashboard("GET", f"/api/instances/{row.id}/metrics").json()
    assert body["current"]["ram_used_mb"] == 1536.0
    assert body["current"]["ram_total_mb"] == 8192.0
    assert body["current"]["cpu_percent"] == 12.35
    assert body["history"]["ram"] == [1024.0, 0.0]
    assert body["history"]["disk"] == [2.0, 0.0]


def test_metrics_report_no_memory_where_the_provider_sees_none(api: Api) -> None:
    row = an_instance(15)
    api.reads.instances[row.id] = row
    api.reads.samples = [UsageSample(5.0, None, 1.5, 20.0)]
    body = api.dashboard("GET", f"/api/instances/{row.id}/metrics").json()
    assert body["current"]["ram_used_mb"] == 0.0


def test_a_signature_is_accepted_once(api: Api) -> None:
    api.reads.instances[instance_id_for(16)] = an_instance(16)
    path = f"/api/instances/{instance_id_for(16)}"
    headers = api.whmcs("GET", path).request.headers
    again = api.client.get(path, headers=dict(headers))
    assert again.status_code == 401
    assert again.json() == {"error": "Signature already used", "code": "UNAUTHORIZED"}


def test_a_client_does_not_see_another_clients_instance(api: Api) -> None:
    row = an_instance(17)
    api.reads.instances[row.id] = row
    response = api.dashboard("GET", f"/api/instances/{row.id}", role="client")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_malformed_id_is_the_contracts_400(api: Api) -> None:
    response = api.dashboard("GET", "/api/instances/not-a-uuid")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "instance_id" in " ".join(response.json()["details"])


def test_a_method_not_allowed_names_every_method_of_the_path(api: Api) -> None:
    response = api.client.put(f"/api/instances/{instance_id_for(18)}")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"DELETE", "GET"}
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_health_answers_when_the_database_and_the_broker_do(api: Api) -> None:
    assert api.client.get("/api/health").json()["db"] == "connected"


def test_an_id_written_as_an_integral_number_is_the_same_id(api: Api) -> None:
    hook = {"event": "AfterModuleSuspend", "service_id": 21.0, "client_id": 7, "data": {}}
    assert api.whmcs("POST", "/api/webhooks/whmcs", hook).status_code == 200
    [(_, instance_id, command)] = api.broker.commands
    assert isinstance(command, commands.SuspendInstance)
    assert instance_id == instance_id_for(21)


def test_an_id_written_as_text_or_a_fraction_is_refused(api: Api) -> None:
    for service_id in ("21", 21.5):
        hook = {"event": "AfterModuleSuspend", "service_id": service_id, "client_id": 7}
        response = api.whmcs("POST", "/api/webhooks/whmcs", hook)
        assert response.status_code == 400
        assert response.json()["details"] == {"service_id": "Input should be a valid integer"}
    assert api.broker.commands == []


def test_a_time_written_as_a_number_is_refused_as_the_document_says(api: Api) -> None:
    instance_id = instance_id_for(22)
    entry = {"level": "info", "message": "up", "source": "openclaw"}
    numeric = api.instance(
        "POST",
        instance_id,
        f"/api/instances/{instance_id}/logs",
        {"entries": [{**entry, "timestamp": 0}]},
    )
    assert numeric.status_code == 400
    text = api.instance(
        "POST",
        instance_id,
        f"/api/instances/{instance_id}/logs",
        {"entries": [{**entry, "timestamp": "2026-01-01T00:00:00Z"}]},
    )
    assert text.status_code == 202
    assert len(api.broker.batches) == 1


def test_an_address_at_a_special_use_domain_is_refused(api: Api) -> None:
    response = api.whmcs("POST", "/api/instances", {**ORDER, "email": "owner@shop.test"})
    assert response.status_code == 400
    assert "email" in response.json()["details"]
