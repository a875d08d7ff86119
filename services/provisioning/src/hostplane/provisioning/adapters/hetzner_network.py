"""A VPS's network at Hetzner Cloud, through `hcloud`: one Firewall per instance, and its
additional IPv4 addresses as Floating IPs.

Hetzner's Firewalls only allow: whatever no incoming rule allows is dropped, and outgoing
traffic is free until an outgoing rule exists. So an `accept` rule becomes a Hetzner rule and
`drop`/`reject` rules have nothing to say there (the CloudVPS surface refuses them for a VPS
at Hetzner). A server holds exactly one primary IPv4, so an additional address is a Floating
IPv4 homed in the server's location and assigned to it.

The Firewall is labelled with the instance id and each Floating IP with its address id too,
and both are looked up before one is created, so a repeated call never makes a second.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from hcloud import APIException, Client
from hcloud.firewalls import BoundFirewall, FirewallResource
from hcloud.firewalls import FirewallRule as HetznerRule
from hcloud.floating_ips import BoundFloatingIP
from hcloud.locations import Location
from hcloud.servers import Server

from hostplane.contracts.network import FirewallRule
from hostplane.providers.budget import Budget, pace_requests
from hostplane.provisioning.adapters.hetzner import (
    INSTANCE_LABEL,
    MANAGED_LABEL,
    failing_for_good,
    provider_call,
)
from hostplane.provisioning.adapters.network import AttachedAddress, VpsServer

ADDRESS_LABEL = "hostplane.io/address-id"


def hetzner_rules(rules: Sequence[FirewallRule]) -> list[HetznerRule]:
    """The accepting rules, as Hetzner's (which only allow)."""
    return [
        HetznerRule(
            direction=rule.direction,
            protocol=rule.protocol,
            # Hetzner needs a port for tcp and udp: every port is the whole range.
            port=rule.ports or ("1-65535" if rule.protocol in ("tcp", "udp") else None),
            source_ips=[rule.cidr] if rule.direction == "in" else None,
            destination_ips=[rule.cidr] if rule.direction == "out" else None,
            description=rule.description,
        )
        for rule in rules
        if rule.action == "accept"
    ]


class HetznerNetwork:
    def __init__(
        self, token: str, endpoint: str, timeout_s: float = 30.0, budget: Budget | None = None
    ) -> None:
        self._client = Client(
            token=token,
            api_endpoint=endpoint,
            application_name="hostplane",
            timeout=(3.05, timeout_s),
        )
        pace_requests(endpoint, "hetzner", budget)

    @property
    def pooled(self) -> bool:
        return False

    @failing_for_good("FIREWALL_FAILED")
    def apply_firewall(self, server: VpsServer, rules: Sequence[FirewallRule]) -> None:
        """The instance's Firewall holds `rules` and applies to its server."""
        wanted = hetzner_rules(rules)
        firewall = self._firewall(server.instance_id)
        if firewall is None:
            firewall = self._create_firewall(server, wanted)
            if firewall is None:
                return
        if [r.to_payload() for r in firewall.rules or []] != [r.to_payload() for r in wanted]:
            self._wait_all(self._set_rules(firewall, wanted))
        applied = {resource.server.id for resource in firewall.applied_to or [] if resource.server}
        if server.facts.server_id not in applied:
            self._wait_all(self._apply_to(firewall, server.facts.server_id))

    @failing_for_good("ADDRESS_FAILED")
    def attach_address(
        self, server: VpsServer, address_id: UUID, address: str | None
    ) -> AttachedAddress:
        """A Floating IPv4 in the server's location, assigned to it (found before made)."""
        floating = self._floating_ip(address_id) or self._create_floating_ip(server, address_id)
        assigned = floating.server.id if floating.server is not None else None
        if assigned != server.facts.server_id:
            self._wait(self._assign(floating, server.facts.server_id))
        assert floating.ip is not None
        return AttachedAddress(floating.ip, 4)

    @failing_for_good("ADDRESS_FAILED")
    def release_addresses(self, instance_id: UUID, addresses: Sequence[str]) -> None:
        """Delete every Floating IP of the instance, and its Firewall."""
        for floating in self._all(self._client.floating_ips, f"{INSTANCE_LABEL}={instance_id}"):
            self._delete(floating)
        firewall = self._firewall(instance_id)
        if firewall is not None:
            self._delete(firewall)

    # ---- calls -----------------------------------------------------------------------------

    def _firewall(self, instance_id: UUID) -> BoundFirewall | None:
        found = self._all(self._client.firewalls, f"{INSTANCE_LABEL}={instance_id}")
        return found[0] if found else None

    def _floating_ip(self, address_id: UUID) -> BoundFloatingIP | None:
        found = self._all(self._client.floating_ips, f"{ADDRESS_LABEL}={address_id}")
        return found[0] if found else None

    @provider_call
    def _all(self, resources: Any, selector: str) -> list[Any]:
        found: list[Any] = resources.get_all(label_selector=selector)
        return found

    @provider_call
    def _create_firewall(self, server: VpsServer, rules: list[HetznerRule]) -> BoundFirewall | None:
        """None once created with `rules` on the server; the Firewall found under its name
        when a create whose answer was lost made it before."""
        try:
            response = self._client.firewalls.create(
                name=f"hp-{server.instance_id}",
                rules=rules,
                # hcloud annotates `labels` as a string; the API takes (and it sends) a map.
                labels={INSTANCE_LABEL: str(server.instance_id), MANAGED_LABEL: "true"},  # type: ignore[arg-type]
                resources=[_server_resource(server.facts.server_id)],
            )
        except APIException as error:
            if error.code != "uniqueness_error":
                raise
            found = self._firewall(server.instance_id)
            if found is None:
                raise
            return found
        self._wait_all(response.actions or [])
        return None

    @provider_call
    def _create_floating_ip(self, server: VpsServer, address_id: UUID) -> BoundFloatingIP:
        response = self._client.floating_ips.create(
            type="ipv4",
            name=f"hp-{address_id}",
            home_location=Location(name=server.location),
            description=f"an additional address of hp-{server.instance_id}",
            labels={
                INSTANCE_LABEL: str(server.instance_id),
                ADDRESS_LABEL: str(address_id),
                MANAGED_LABEL: "true",
            },
        )
        return response.floating_ip

    @provider_call
    def _set_rules(self, firewall: BoundFirewall, rules: list[HetznerRule]) -> list[Any]:
        return firewall.set_rules(rules)

    @provider_call
    def _apply_to(self, firewall: BoundFirewall, server_id: int) -> list[Any]:
        return firewall.apply_to_resources([_server_resource(server_id)])

    @provider_call
    def _assign(self, floating: BoundFloatingIP, server_id: int) -> Any:
        return floating.assign(Server(id=server_id))

    @provider_call
    def _delete(self, resource: BoundFirewall | BoundFloatingIP) -> None:
        try:
            resource.delete()
        except APIException as error:
            if error.code != "not_found":
                raise

    def _wait_all(self, actions: Sequence[Any]) -> None:
        for action in actions:
            self._wait(action)

    def _wait(self, action: Any) -> None:
        if action is not None:
            provider_call(action.wait_until_finished)()


def _server_resource(server_id: int) -> FirewallResource:
    return FirewallResource(type="server", server=Server(id=server_id))
