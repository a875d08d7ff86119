"""Seed 003, Plans and Pricing: what a customer can order."""

from hostplane.contracts.cloudvps.vps import Specifications
from hostplane.contracts.cloudvps.wire import Body, Currency, Id, Money


class PlanPricing(Body):
    monthly: Money
    annually: Money
    currency: Currency


class Plan(Body):
    id: Id
    name: str
    description: str
    specifications: Specifications
    pricing: PlanPricing
    features: list[str]
