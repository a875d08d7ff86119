"""The gateway's probes on its main listener: what Docker, compose and Kubernetes are told."""

from services.gateway.tests.fakes import serve, unit_settings

# Nothing listens on port 1: connections are refused at once.
DATABASE_DOWN = "postgresql://hostplane:hostplane@127.0.0.1:1/hostplane"


def test_the_gateway_is_live_but_not_ready_while_its_database_is_down() -> None:
    for api in serve(unit_settings(database_url=DATABASE_DOWN)):
        live = api.client.get("/health/live")
        ready = api.client.get("/health/ready")

        assert (live.status_code, live.json()) == (
            200,
            {"status": "ok", "checks": {"loop": "ok"}},
        )
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "failing",
            "checks": {"loop": "ok", "database": "unreachable: OperationalError"},
        }


def test_the_probes_are_not_part_of_the_published_api() -> None:
    for api in serve(unit_settings(database_url=DATABASE_DOWN)):
        paths = api.client.get("/openapi.json").json()["paths"]
        assert "/health/live" not in paths
        assert "/health/ready" not in paths
        assert "/api/health" in paths
