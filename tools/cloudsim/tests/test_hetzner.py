"""The Hetzner simulator, as the official `hcloud` client sees it."""

import time
from typing import Any

import httpx
import pytest
from hcloud import APIException, Client
from hcloud.actions import ActionFailedException
from hcloud.images import Image
from hcloud.locations import Location
from hcloud.server_types import ServerType


def create(hetzner: Client, name: str = "web-1", **kwargs: Any) -> Any:
    return hetzner.servers.create(
        name=name,
        server_type=ServerType(name=kwargs.pop("server_type", "cx22")),
        image=Image(name="ubuntu-24.04"),
        location=Location(name="fsn1"),
        **kwargs,
    )


def test_a_created_server_boots_with_an_address(hetzner: Client) -> None:
    response = create(hetzner, labels={"hostplane.io/instance-id": "i-1", "tier": "web"})
    assert response.server.status == "initializing"
    response.action.wait_until_finished()
    server = hetzner.servers.get_by_id(response.server.id)
    assert server.status == "running"
    assert server.public_net.ipv4.ip.startswith("100.")
    assert server.server_type.name == "cx22"
    assert server.location.name == "fsn1"


def test_label_selectors(hetzner: Client) -> None:
    create(hetzner, "a", labels={"app": "x", "env": "prod"})
    create(hetzner, "b", labels={"app": "y"})

    def names(selector: str) -> list[str]:
        return sorted(s.name for s in hetzner.servers.get_all(label_selector=selector))

    assert names("app=x") == ["a"]
    assert names("app") == ["a", "b"]
    assert names("!env") == ["b"]
    assert names("app!=x") == ["b"]
    assert names("app in (x,y),env=prod") == ["a"]


def test_power_actions_and_change_type(hetzner: Client) -> None:
    response = create(hetzner)
    response.action.wait_until_finished()
    server = hetzner.servers.get_by_id(response.server.id)
    with pytest.raises(APIException) as refused:
        server.change_type(ServerType(name="cx32"), upgrade_disk=True)
    assert refused.value.code == "server_not_stopped"
    server.power_off().wait_until_finished()
    assert hetzner.servers.get_by_id(server.id).status == "off"
    server.change_type(ServerType(name="cx32"), upgrade_disk=True).wait_until_finished()
    with pytest.raises(APIException) as smaller:
        server.change_type(ServerType(name="cx22"), upgrade_disk=False)
    assert "smaller disk" in smaller.value.message
    server.power_on().wait_until_finished()
    server = hetzner.servers.get_by_id(server.id)
    assert server.status == "running"
    assert server.server_type.name == "cx32"


def test_delete_makes_the_server_gone(hetzner: Client) -> None:
    response = create(hetzner)
    response.action.wait_until_finished()
    hetzner.servers.get_by_id(response.server.id).delete().wait_until_finished()
    with pytest.raises(APIException) as gone:
        hetzner.servers.get_by_id(response.server.id)
    assert gone.value.code == "not_found"


def test_unknown_server_type_is_invalid_input(hetzner: Client) -> None:
    with pytest.raises(APIException) as refused:
        create(hetzner, server_type="cx999")
    assert refused.value.code == "invalid_input"


def test_missing_token_is_unauthorized(cloudsim_url: str) -> None:
    response = httpx.get(f"{cloudsim_url}/hetzner/v1/servers")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_an_injected_503_fails_as_often_as_asked(cloudsim_url: str, hetzner: Client) -> None:
    fault = {
        "method": "GET",
        "path": "/hetzner/v1/server_types",
        "kind": "status",
        "status": 503,
        "times": 2,
    }
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    statuses = [
        httpx.get(
            f"{cloudsim_url}/hetzner/v1/server_types", headers={"Authorization": "Bearer t"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [503, 503, 200]


def test_an_injected_429_carries_retry_after(cloudsim_url: str) -> None:
    fault = {"path": "/hetzner/v1/servers", "kind": "rate_limit", "retry_after": 7}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    response = httpx.get(
        f"{cloudsim_url}/hetzner/v1/servers", headers={"Authorization": "Bearer t"}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


def test_an_injected_timeout_outlasts_the_client(cloudsim_url: str) -> None:
    fault = {"path": "/hetzner/v1/servers", "kind": "timeout", "latency_s": 2, "times": 1}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{cloudsim_url}/hetzner/v1/servers", headers={"Authorization": "Bearer t"}, timeout=0.3
        )


def test_an_action_error_fails_the_create(cloudsim_url: str, hetzner: Client) -> None:
    fault = {"method": "POST", "path": "/hetzner/v1/servers", "kind": "action_error", "times": 1}
    httpx.post(f"{cloudsim_url}/_admin/faults", json=fault).raise_for_status()
    response = create(hetzner)
    with pytest.raises(ActionFailedException):
        response.action.wait_until_finished()
    assert hetzner.servers.get_by_id(response.server.id).status == "off"


def test_a_booted_server_calls_the_ready_url_from_its_user_data(
    hetzner: Client, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    user_data = f"#cloud-config\nHOSTPLANE_READY_URL={url}/ready\nHOSTPLANE_READY_TOKEN=tok-1\n"
    create(hetzner, user_data=user_data)
    deadline = time.monotonic() + 10
    while not received:
        assert time.monotonic() < deadline, "no ready callback"
        time.sleep(0.02)
    assert received == [
        {"auth": "Bearer tok-1", "body": {"openclaw_version": "2026.11.0", "gateway_port": 18789}}
    ]
