"""Use-case results in seed 003's shapes."""

from typing import Literal

from hostplane.contracts.billing import BillingCycle
from hostplane.contracts.catalog import SERVER_IMAGE, PlanSpec
from hostplane.contracts.cloudvps.auth import AuthToken, AuthUser, UserProfile
from hostplane.contracts.cloudvps.plans import Plan, PlanPricing
from hostplane.contracts.cloudvps.vps import Specifications, Vps, VpsPricing, VpsStatus
from hostplane.contracts.cloudvps.webhook_endpoints import Attempt, Delivery, Endpoint
from hostplane.contracts.money import to_major
from hostplane.gateway.application.cloudvps.accounts import Profile, SignedIn
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
# A VPS's statuses, as the instance statuses they are (the list's `status` filter).
INSTANCE_STATUSES: dict[VpsStatus, tuple[str, ...]] = {
    VpsStatus.CREATING: ("pending", "provisioning"),
    VpsStatus.RUNNING: ("active",),
    VpsStatus.RESTARTING: ("active",),
    VpsStatus.SUSPENDED: ("suspended",),
    VpsStatus.ERROR: ("error",),
}


def _operating_system(image: str) -> str:
    """An image's display name: `ubuntu-24.04` is "Ubuntu 24.04 LTS"."""
    name, _, version = image.partition("-")
    lts = (
        " LTS" if name == "ubuntu" and version.endswith(".04") and int(version[:2]) % 2 == 0 else ""
    )
    return f"{name.capitalize()} {version}{lts}".strip()


def vps(row: VpsRow, spec: PlanSpec) -> Vps:
    status = VPS_STATUS.get(row.status, VpsStatus.ERROR)
    if status is VpsStatus.RUNNING and row.pending_operation == "reboot":
        status = VpsStatus.RESTARTING
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
        operating_system=_operating_system(SERVER_IMAGE),
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
