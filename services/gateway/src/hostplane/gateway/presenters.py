"""Read-model rows as the contract's response bodies."""

from typing import Any

from hostplane.contracts.catalog import REGIONS, Region
from hostplane.contracts.openclaw import (
    DnsInfo,
    HealthInfo,
    InstanceResponse,
    InstanceStatus,
    ServerInfo,
    iso,
)
from hostplane.gateway.settings import Settings


def _health(row: dict[str, Any]) -> HealthInfo:
    # Until health probes report, the ready callback is the last thing known of the app.
    status = InstanceStatus(row["status"])
    if status is InstanceStatus.ACTIVE and row["ready_at"]:
        gateway_status = "up"
    elif status in (InstanceStatus.SUSPENDED, InstanceStatus.TERMINATED, InstanceStatus.ERROR):
        gateway_status = "down"
    else:
        gateway_status = "unknown"
    return HealthInfo(
        last_check=iso(row["ready_at"] or row["updated_at"]),
        gateway_status=gateway_status,
        uptime_percent=100.0 if gateway_status == "up" else 0.0,
    )


def instance_response(row: dict[str, Any], settings: Settings) -> InstanceResponse:
    """The full `InstanceResponse`; planned values stand in until the provider reports."""
    region = REGIONS.get(Region(row["region"]))
    return InstanceResponse(
        id=row["id"],
        status=InstanceStatus(row["status"]),
        plan=row["plan"],
        region=row["region"],
        ip_address=row["ip_address"],
        subdomain=row["subdomain"],
        url=settings.instance_url(row["subdomain"]),
        openclaw_version=row["openclaw_version"],
        created_at=iso(row["created_at"]),
        updated_at=iso(row["updated_at"]),
        whmcs_service_id=row["whmcs_service_id"],
        server=ServerInfo(
            hetzner_id=row["hetzner_id"] or 0,
            server_type=row["server_type"],
            datacenter=row["datacenter"] or (region.datacenter if region else ""),
        ),
        dns=DnsInfo(
            subdomain=row["subdomain"],
            cloudflare_record_id=row["cloudflare_record_id"] or row["dns_record_id"] or "",
        ),
        health=_health(row),
    )
