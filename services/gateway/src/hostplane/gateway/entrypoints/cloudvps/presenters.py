"""Use-case results in seed 003's shapes."""

from typing import Literal

from hostplane.contracts.billing import BillingCycle
from hostplane.contracts.cloudvps.auth import AuthToken, AuthUser, UserProfile
from hostplane.contracts.cloudvps.plans import Plan, PlanPricing
from hostplane.contracts.cloudvps.vps import Specifications
from hostplane.contracts.cloudvps.webhook_endpoints import Attempt, Delivery, Endpoint
from hostplane.contracts.money import to_major
from hostplane.gateway.application.cloudvps.accounts import Profile, SignedIn
from hostplane.gateway.application.cloudvps.plans import OfferedPlan
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
