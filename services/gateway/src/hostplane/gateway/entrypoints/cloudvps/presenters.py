"""Use-case results in seed 003's shapes."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from hostplane.contracts.billing import BillingCycle
from hostplane.contracts.catalog import SERVER_IMAGE, PlanSpec
from hostplane.contracts.cloudvps.auth import AuthToken, AuthUser, UserProfile
from hostplane.contracts.cloudvps.monitoring import Console, Metrics, MetricsPoint
from hostplane.contracts.cloudvps.plans import Plan, PlanPricing
from hostplane.contracts.cloudvps.vps import Specifications, Vps, VpsPricing, VpsStatus
from hostplane.contracts.cloudvps.webhook_endpoints import Attempt, Delivery, Endpoint
from hostplane.contracts.money import to_major
from hostplane.gateway.application.cloudvps.accounts import Profile, SignedIn
from hostplane.gateway.application.cloudvps.monitoring import ConsoleAccess, VpsMetrics
from hostplane.gateway.application.cloudvps.plans import OfferedPlan
from hostplane.gateway.application.cloudvps.servers import VpsRow
from hostplane.gateway.application.cloudvps.webhooks import AttemptRow, DeliveryRow, EndpointRow

MONTHS = 12


def plan(offered: OfferedPlan) -> Plan:
    """A CloudPod product as a plan: its specs (the provider plan's where the product names
    none) and its prices; a cycle it is not sold in is priced from the other."""
    product, spec = offered.product, offered.spec
    specs = Specifications(
        cpu=product.specs.cpu or spec.cores,
        ram=(product.specs.ram_mb or spec.memory_mb) // 1024,
        storage=product.specs.disk_gb or spec.disk_gb,
        bandwidth=spec.traffic_gb,
    )
    prices = {p.cycle: p for p in product.prices}
    monthly, yearly = prices.get(BillingCycle.MONTHLY), prices.get(BillingCycle.YEARLY)
    currency = (monthly or yearly or product.prices[0]).currency
    month = monthly.amount if monthly else round((yearly.amount if yearly else 0) / MONTHS)
    year = yearly.amount if yearly else month * MONTHS
    region = product.placement.region.value if product.placement else ""
    return Plan(
        id=str(product.id),
        name=product.name,
        description=(
            f"{specs.cpu} vCPU, {specs.ram} GB RAM and {specs.storage} GB of disk in {region}"
        ),
        specifications=specs,
        pricing=PlanPricing(
            monthly=to_major(month, currency),
            annually=to_major(year, currency),
            currency=currency,
        ),
        features=[
            f"{specs.storage} GB SSD storage",
            f"{specs.bandwidth:,} GB of traffic a month",
            f"Region {region}",
        ],
    )


def auth_token(signed_in: SignedIn) -> AuthToken:
    user = signed_in.user
    return AuthToken(
        token=signed_in.token,
        user=AuthUser(id=str(user.id), email=user.email, name=user.name, role=_role(user)),
        expires_in=signed_in.expires_in,
        refresh_token=signed_in.refresh_token,
    )


def profile(user: Profile) -> UserProfile:
    return UserProfile(
        id=str(user.id),
        name=user.name,
        email=user.email,
        role=_role(user),
        status="active" if user.status == "active" else "suspended",
        created_at=user.created_at,
    )


def _role(user: Profile) -> Literal["user", "admin"]:
    return "admin" if user.role == "admin" else "user"


def endpoint(row: EndpointRow, secret: str | None = None) -> Endpoint:
    return Endpoint(
        id=str(row.id),
        url=row.url,
        events=row.events,
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret=secret,
    )


def deliveries(rows: list[DeliveryRow], attempts: list[AttemptRow]) -> list[Delivery]:
    tried: dict[object, list[Attempt]] = {}
    for a in attempts:
        tried.setdefault(a.delivery_id, []).append(
            Attempt(
                n=a.n,
                at=a.at,
                status=a.status,
                latency_ms=a.latency_ms,
                error=a.error,
                response=a.response,
            )
        )
    return [
        Delivery(
            id=str(row.id),
            event=row.event,
            status=row.status,
            attempts=tried.get(row.id, []),
            last_status=row.last_status,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )
        for row in rows
    ]


# What a VPS shows for each instance status (`terminated` ones are not listed).
VPS_STATUS = {
    "pending": VpsStatus.CREATING,
    "provisioning": VpsStatus.CREATING,
    "active": VpsStatus.RUNNING,
    "suspended": VpsStatus.SUSPENDED,
    "error": VpsStatus.ERROR,
    "terminated": VpsStatus.DELETING,
}


@dataclass(frozen=True)
class StatusFilter:
    """A VPS status as the instance's: its statuses, its power, its operation in progress."""

    statuses: tuple[str, ...]
    stopped: bool | None = None
    operation: str | None = None


# What an active VPS shows while an operation of its customer runs on it.
IN_PROGRESS = {
    "reboot": VpsStatus.RESTARTING,
    "stop": VpsStatus.STOPPING,
    "start": VpsStatus.STARTING,
    "rebuild": VpsStatus.REBUILDING,
    "restore": VpsStatus.RESTORING,
}
# A VPS's statuses, as the instances they are (the list's `status` filter).
STATUS_FILTERS: dict[VpsStatus, StatusFilter] = {
    VpsStatus.CREATING: StatusFilter(("pending", "provisioning")),
    VpsStatus.RUNNING: StatusFilter(("active",), stopped=False),
    VpsStatus.STOPPED: StatusFilter(("active",), stopped=True),
    **{shown: StatusFilter(("active",), operation=op) for op, shown in IN_PROGRESS.items()},
    VpsStatus.SUSPENDED: StatusFilter(("suspended",)),
    VpsStatus.ERROR: StatusFilter(("error",)),
}
# The instance statuses alone, for filters that do not look at power.
INSTANCE_STATUSES = {status: wanted.statuses for status, wanted in STATUS_FILTERS.items()}


def _operating_system(image: str) -> str:
    """An image's display name: `ubuntu-24.04` is "Ubuntu 24.04 LTS"."""
    name, _, version = image.partition("-")
    lts = (
        " LTS" if name == "ubuntu" and version.endswith(".04") and int(version[:2]) % 2 == 0 else ""
    )
    return f"{name.capitalize()} {version}{lts}".strip()


def vps_status(row: VpsRow) -> VpsStatus:
    """The instance's status, and for an active one its power and what runs on it."""
    status = VPS_STATUS.get(row.status, VpsStatus.ERROR)
    if status is not VpsStatus.RUNNING:
        return status
    if row.pending_operation in IN_PROGRESS:
        return IN_PROGRESS[row.pending_operation]
    return VpsStatus.STOPPED if row.stopped_at is not None else status


def vps(row: VpsRow, spec: PlanSpec) -> Vps:
    status = vps_status(row)
    prices = {p["cycle"]: p for p in row.prices}
    monthly = prices.get("monthly")
    yearly = prices.get("yearly")
    currency = str((monthly or yearly or {"currency": "USD"})["currency"])
    amount = monthly["amount"] if monthly else round(yearly["amount"] / MONTHS) if yearly else 0
    return Vps(
        id=str(row.id),
        name=row.name,
        status=status,
        ip_address=row.ip_address,
        operating_system=_operating_system(row.image or SERVER_IMAGE),
        specifications=Specifications(
            cpu=spec.cores,
            ram=spec.memory_mb // 1024,
            storage=spec.disk_gb,
            bandwidth=spec.traffic_gb,
        ),
        pricing=VpsPricing(monthly_price=to_major(int(amount), currency), currency=currency),
        created_at=row.created_at,
        next_billing_date=row.next_billing_date,
    )


KB_PER_MB = 1000


def _ram_percent(ram_used_mb: float | None, memory_mb: int) -> float:
    """The share of the plan's memory in use; 0 where the provider cannot see inside."""
    return round(100 * (ram_used_mb or 0.0) / memory_mb, 1) if memory_mb else 0.0


def metrics(found: VpsMetrics) -> Metrics:
    """The latest sample, the newest point's network rates (KB/s) and the history. Providers
    report no disk fill level, so `disk` is 0; uptime counts from the server's last boot."""
    memory, newest = found.plan.memory_mb, found.history[-1] if found.history else None
    running = found.vps.running_since if vps_status(found.vps) is VpsStatus.RUNNING else None
    uptime = (datetime.now(UTC) - running).total_seconds() if running else 0
    return Metrics(
        cpu_usage=round(found.latest.cpu_percent, 1) if found.latest else 0.0,
        ram_usage=_ram_percent(found.latest.ram_used_mb if found.latest else 0.0, memory),
        disk_usage=0.0,
        network_in=round(newest.net_in_mbps * KB_PER_MB, 1) if newest else 0.0,
        network_out=round(newest.net_out_mbps * KB_PER_MB, 1) if newest else 0.0,
        uptime=max(0, int(uptime)),
        metrics_history=[
            MetricsPoint(
                timestamp=point.t,
                cpu=round(point.cpu_percent, 1),
                ram=_ram_percent(point.ram_used_mb, memory),
                disk=0.0,
                network_in=round(point.net_in_mbps * KB_PER_MB, 1),
                network_out=round(point.net_out_mbps * KB_PER_MB, 1),
            )
            for point in found.history
        ],
    )


def console(access: ConsoleAccess) -> Console:
    return Console(
        console_url=access.url, vnc_password=access.password, expires_at=access.expires_at
    )
