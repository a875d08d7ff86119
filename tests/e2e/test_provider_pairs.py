"""The lifecycle once for each provider pair: Hetzner with Cloudflare, Proxmox with PowerDNS.

A WHMCS order in the pair's region becomes an active instance on a server at the pair's
provider with its A record at the pair's DNS provider; suspend, unsuspend and resize act on
the server; the owner's metrics come from the provider; delete leaves nothing at either.
"""

import random
from typing import Any

from hostplane.contracts.identity import user_id_for
from tests.conftest import wait_until
from tests.e2e.conftest import DOMAIN, Paired
from tests.e2e.whmcs import Dashboard, Whmcs, token
from tests.stack import Server, Stack


def wait_for_status(stack: Stack, instance_id: str, status: str) -> dict[str, Any]:
    admin = Dashboard(stack.gateway_url, token("admin"))

    def probe() -> dict[str, Any] | None:
        response = admin.get(instance_id)
        body = response.json() if response.status_code == 200 else None
        return body if body and body["status"] == status else None

    found: dict[str, Any] = wait_until(probe, 30, what=f"instance {instance_id} to be {status}")
    return found


def only_server(stack: Stack, instance_id: str) -> Server:
    [server] = stack.servers(instance_id)
    return server


def test_an_order_runs_its_whole_lifecycle_at_the_regions_providers(paired: Paired) -> None:
    stack, pair = paired.stack, paired.pair
    provider = "proxmox" if pair.region == "jp-tokyo" else "hetzner"
    whmcs = Whmcs(stack.gateway_url)
    client_id = random.randint(1, 10**6)
    subdomain = f"pair-{random.randint(1, 10**9)}"
    created = whmcs.create(
        whmcs_service_id=random.randint(1, 2**31 - 1),
        whmcs_client_id=client_id,
        plan="starter",
        region=pair.region,
        email="owner@example.com",
        hostname=subdomain,
    )
    assert created.status_code == 201, created.text
    instance_id = created.json()["id"]

    instance = wait_for_status(stack, instance_id, "active")
    server = only_server(stack, instance_id)
    assert (server.provider, server.running) == (provider, True)
    assert instance["server"]["hetzner_id"] == server.id  # the provider's id, VMID included
    assert instance["server"]["server_type"] == server.size
    fqdn = f"{subdomain}.{DOMAIN}"
    assert stack.dns_records(fqdn) == [
        (instance["dns"]["cloudflare_record_id"], "A", instance["ip_address"])
    ]

    suspended = whmcs.request("POST", f"/api/instances/{instance_id}/suspend")
    assert suspended.status_code == 200, suspended.text
    assert not only_server(stack, instance_id).running
    unsuspended = whmcs.request("POST", f"/api/instances/{instance_id}/unsuspend")
    assert unsuspended.status_code == 200, unsuspended.text
    assert only_server(stack, instance_id).running

    resized = whmcs.request(
        "POST", f"/api/instances/{instance_id}/resize", {"new_plan": "professional"}
    )
    assert resized.status_code in (200, 202), resized.text
    wait_until(
        lambda: wait_for_status(stack, instance_id, "active")["plan"] == "professional",
        30,
        what="the resize",
    )
    after = only_server(stack, instance_id)
    assert after.running and after.size != server.size
    assert wait_for_status(stack, instance_id, "active")["server"]["server_type"] == after.size

    owner = Dashboard(stack.gateway_url, token("client", sub=str(user_id_for(client_id))))

    def sampled() -> dict[str, Any] | None:
        body: dict[str, Any] = owner.request("GET", f"/api/instances/{instance_id}/metrics").json()
        return body if body["current"]["cpu_percent"] > 0 else None

    current = wait_until(sampled, 30, what="usage samples")["current"]
    if provider == "proxmox":  # Proxmox sees inside the VM; Hetzner reports no memory use
        assert 0 < current["ram_used_mb"] <= current["ram_total_mb"]
    else:
        assert current["ram_used_mb"] == 0

    deleted = whmcs.request("DELETE", f"/api/instances/{instance_id}")
    assert deleted.status_code == 200, deleted.text
    assert stack.servers(instance_id) == []
    wait_until(lambda: stack.dns_records(fqdn) == [], 30, what="the DNS record to go")
