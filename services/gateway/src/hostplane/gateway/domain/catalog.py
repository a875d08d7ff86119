"""What may be ordered: the configured plans and regions, by the names the contract uses."""

from collections.abc import Collection

from hostplane.contracts.catalog import Plan, Region
from hostplane.gateway.domain.errors import InvalidPlan, RegionUnavailable


def plan_named(name: str, plans: Collection[Plan]) -> Plan:
    """The plan of that name if it is sold; INVALID_PLAN otherwise."""
    if name not in plans:
        raise InvalidPlan(
            f"Unknown plan '{name}'", {"plan": f"one of {', '.join(p.value for p in plans)}"}
        )
    return Plan(name)


def region_named(name: str, regions: Collection[Region]) -> Region:
    """The region of that name if instances can be placed there; REGION_UNAVAILABLE otherwise
    (the contract's regions that are not configured, such as Tokyo by default, too)."""
    if name not in regions:
        raise RegionUnavailable(f"Region '{name}' is not available", {"region": name})
    return Region(name)
