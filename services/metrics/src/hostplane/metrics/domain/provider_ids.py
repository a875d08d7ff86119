"""Provider-neutral ids from events published before they named their provider."""

from hostplane.contracts import events as e


def server_id(ev: e.ServerCreated) -> int:
    """The provider's server id; events published before `server_id` have it in `hetzner_id`."""
    return ev.server_id if ev.server_id is not None else ev.hetzner_id


def dns_record_id(ev: e.DnsAssigned) -> str:
    """The DNS record's id; events published before `record_id` have it in
    `cloudflare_record_id`."""
    return ev.record_id if ev.record_id is not None else ev.cloudflare_record_id
