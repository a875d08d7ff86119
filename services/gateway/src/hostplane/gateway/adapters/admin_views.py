"""Fleet-wide read-model queries for the admin dashboard."""

from collections.abc import Mapping
from typing import Any

from psycopg.rows import args_row, class_row, scalar_row, tuple_row

from hostplane.contracts.catalog import Plan
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.adapters.views import INSTANCE_COLUMNS, INSTANCE_DNS_RECORD
from hostplane.gateway.application.ports import CountedBy
from hostplane.gateway.application.readmodels import (
    FleetTotals,
    InstanceFilter,
    InstanceRow,
    JobCounts,
    Listing,
    UserPage,
    UserRow,
)

# The fleet's totals by status and the monthly recurring revenue of active instances, priced
# by the database from `{price}`: a CASE over the configured plans.
FLEET = """
    SELECT coalesce(sum(n) FILTER (WHERE status = 'active'), 0)::bigint AS active,
           coalesce(sum(n) FILTER (WHERE status = 'suspended'), 0)::bigint AS suspended,
           coalesce(sum(n) FILTER (WHERE status = 'provisioning'), 0)::bigint AS provisioning,
           coalesce(sum(n * {price}) FILTER (WHERE status = 'active'), 0)::float8 AS mrr_usd
    FROM views.instance_counts
"""

Totals = tuple[int, FleetTotals]
RankedRow = tuple[int, FleetTotals, InstanceRow | None]


def _totals(total: int, *fleet: Any) -> Totals:
    """A listing's total, then the fleet's totals (`FLEET`'s columns)."""
    return total, FleetTotals(*fleet)


def _ranked(total: int, *columns: Any) -> RankedRow:
    """A row of the ranked page: the totals, then an instance's columns (`InstanceRow`'s),
    all null past the last page."""
    fleet, instance = FleetTotals(*columns[:4]), columns[4:]
    return total, fleet, InstanceRow(*instance) if instance[0] is not None else None


def _where(filters: InstanceFilter) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if filters.status:
        clauses.append("status = %s")
        params.append(filters.status)
    if filters.region:
        clauses.append("region = %s")
        params.append(filters.region)
    if filters.search:
        # An email, or its beginning; case does not matter.
        clauses.append("lower(email) LIKE %s")
        params.append(filters.search.lower().replace("%", r"\%").replace("_", r"\_") + "%")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class AdminViews:
    def __init__(self, db: Database, prices: Mapping[Plan, float]) -> None:
        self._db = db
        price = " ".join(f"WHEN '{plan.value}' THEN {usd}" for plan, usd in prices.items())
        self._fleet = FLEET.format(price=f"CASE plan {price} ELSE 0 END")

    async def instances(self, filters: InstanceFilter, page: int, limit: int) -> Listing:
        """One page of instances, newest first, with the totals the listing shows."""
        skip = (page - 1) * limit
        if filters == InstanceFilter():
            return await self._ranked_page(skip, limit)
        where, params = _where(filters)
        # The page's position is found in the filter's index alone: no table rows are read
        # for the instances skipped.
        rows = await self._db.all(
            class_row(InstanceRow),
            f"""
            WITH page AS (
                SELECT id FROM views.instances{where}
                ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s
            )
            SELECT {INSTANCE_COLUMNS}, {INSTANCE_DNS_RECORD}
            FROM page JOIN views.instances i ON i.id = page.id
            LEFT JOIN views.dns_records d ON d.instance_id = i.id
            ORDER BY i.created_at DESC, i.id DESC
            """,  # noqa: S608
            [*params, limit, skip],
        )
        if filters.search is None:  # the counts hold every other filter's columns
            count = f"SELECT coalesce(sum(n), 0)::bigint FROM views.instance_counts{where}"  # noqa: S608
        else:
            count = f"SELECT count(*) FROM views.instances{where}"  # noqa: S608
        query = f"SELECT ({count}), fleet.* FROM ({self._fleet}) fleet"  # noqa: S608
        totals = await self._db.one(args_row(_totals), query, params)
        assert totals is not None
        return Listing(rows, *totals)

    async def _ranked_page(self, skip: int, limit: int) -> Listing:
        """An unfiltered page: a range of age ranks, as cheap on page 5,000 as on page 1.

        One statement: the newest instance's rank is the total, read in the same snapshot as
        the page and the fleet's totals. These stand alone (instance columns null) when the
        page is past the end.
        """
        rows = await self._db.all(
            args_row(_ranked),
            f"""
            WITH top AS (SELECT coalesce(max(age_rank), 0) AS total FROM views.instances),
                 fleet AS ({self._fleet})
            SELECT top.total, fleet.*, {INSTANCE_COLUMNS},
                coalesce(nullif(i.cloudflare_record_id, ''),
                    (SELECT record_id FROM views.dns_records WHERE instance_id = i.id)
                ) AS dns_record_id
            FROM top CROSS JOIN fleet
            LEFT JOIN views.instances i ON i.age_rank <= top.total - %(skip)s
                AND i.age_rank > top.total - %(skip)s - %(limit)s
            ORDER BY i.age_rank DESC
            """,  # noqa: S608
            {"skip": skip, "limit": limit},
        )
        total, fleet, _ = rows[0]
        return Listing([row for _, _, row in rows if row is not None], total, fleet)

    async def fleet(self) -> FleetTotals:
        """Totals by status and the monthly recurring revenue of active instances."""
        fleet = await self._db.one(class_row(FleetTotals), self._fleet)
        assert fleet is not None
        return fleet

    async def users(self, page: int, limit: int) -> UserPage:
        rows = await self._db.all(
            class_row(UserRow),
            """
            SELECT u.id, u.whmcs_client_id, u.email, u.created_at, count(i.id) AS instances,
                   count(i.id) FILTER (WHERE i.status = 'active') AS active_instances
            FROM views.users u LEFT JOIN views.instances i ON i.whmcs_client_id = u.whmcs_client_id
            GROUP BY u.id ORDER BY u.created_at DESC, u.id LIMIT %s OFFSET %s
            """,
            (limit, (page - 1) * limit),
        )
        return UserPage(rows, await self.users_total())

    async def users_total(self) -> int:
        total = await self._db.one(scalar_row, "SELECT count(*) FROM views.users")
        return int(total or 0)

    async def counts(self, column: CountedBy) -> dict[str, int]:
        """Instances per value of status, region or plan."""
        rows = await self._db.all(
            tuple_row,
            f"SELECT {column}, sum(n)::bigint FROM views.instance_counts "  # noqa: S608
            f"GROUP BY {column} HAVING sum(n) > 0",
        )
        return {str(key): int(n) for key, n in rows}

    async def jobs(self) -> JobCounts:
        counts = await self._db.one(
            class_row(JobCounts),
            """
            SELECT count(*) FILTER (WHERE status = 'running') AS running,
                   count(*) FILTER (WHERE status = 'failed'
                                    AND finished_at > now() - interval '24 hours') AS failed_24h
            FROM views.jobs
            """,
        )
        assert counts is not None
        return counts
