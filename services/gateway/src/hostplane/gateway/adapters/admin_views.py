"""Fleet-wide read-model queries for the admin dashboard."""

from dataclasses import dataclass
from typing import Any

from hostplane.contracts.catalog import PLANS
from hostplane.gateway.adapters.database import Database

# Monthly price per plan, as SQL, so MRR is summed by the database.
PRICE_CASE = (
    "CASE plan "
    + " ".join(f"WHEN '{plan.value}' THEN {spec.monthly_price_usd}" for plan, spec in PLANS.items())
    + " ELSE 0 END"
)

# What a listed instance's answer is made of (`presenters.instance_response`), and no more:
# rows of every column cost more to read than the rest of the page.
LISTED = ", ".join(
    f"i.{column}"
    for column in (
        "id", "status", "plan", "region", "ip_address", "subdomain", "openclaw_version",
        "created_at", "updated_at", "ready_at", "whmcs_service_id", "hetzner_id", "server_type",
        "datacenter", "cloudflare_record_id",
    )
)  # fmt: skip


@dataclass(frozen=True)
class InstanceFilter:
    status: str | None = None
    region: str | None = None
    search: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.status:
            clauses.append("status = %s")
            params.append(self.status)
        if self.region:
            clauses.append("region = %s")
            params.append(self.region)
        if self.search:
            # An email, or its beginning; case does not matter.
            clauses.append("lower(email) LIKE %s")
            params.append(self.search.lower().replace("%", r"\%").replace("_", r"\_") + "%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# The fleet's totals by status and the monthly recurring revenue of active instances.
FLEET = f"""
    SELECT coalesce(sum(n) FILTER (WHERE status = 'active'), 0) AS active,
           coalesce(sum(n) FILTER (WHERE status = 'suspended'), 0) AS suspended,
           coalesce(sum(n) FILTER (WHERE status = 'provisioning'), 0) AS provisioning,
           coalesce(sum(n * {PRICE_CASE}) FILTER (WHERE status = 'active'), 0) AS mrr
    FROM views.instance_counts
"""  # noqa: S608


@dataclass(frozen=True)
class Listing:
    """One page of instances, how many match in all, and the fleet's totals."""

    rows: list[dict[str, Any]]
    total: int
    fleet: dict[str, Any]


class AdminViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def instances(self, filters: InstanceFilter, page: int, limit: int) -> Listing:
        """One page of instances, newest first, with the totals the listing shows."""
        skip = (page - 1) * limit
        if filters == InstanceFilter():
            return await self._ranked_page(skip, limit)
        where, params = filters.where()
        # The page's position is found in the filter's index alone: no table rows are read
        # for the instances skipped.
        rows = await self._db.all(
            f"""
            WITH page AS (
                SELECT id FROM views.instances{where}
                ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s
            )
            SELECT {LISTED}, d.record_id AS dns_record_id
            FROM page JOIN views.instances i ON i.id = page.id
            LEFT JOIN views.dns_records d ON d.instance_id = i.id
            ORDER BY i.created_at DESC, i.id DESC
            """,  # noqa: S608
            [*params, limit, skip],
        )
        if filters.search is None:  # the counts hold every other filter's columns
            count = f"SELECT coalesce(sum(n), 0) FROM views.instance_counts{where}"  # noqa: S608
        else:
            count = f"SELECT count(*) FROM views.instances{where}"  # noqa: S608
        totals = f"SELECT ({count}) AS total, fleet.* FROM ({FLEET}) fleet"  # noqa: S608
        fleet = await self._db.one(totals, params)
        assert fleet is not None
        return Listing(rows, int(fleet.pop("total")), fleet)

    async def _ranked_page(self, skip: int, limit: int) -> Listing:
        """An unfiltered page: a range of age ranks, as cheap on page 5,000 as on page 1.

        One statement: the newest instance's rank is the total, read in the same snapshot as
        the page and the fleet's totals. These stand alone (instance columns null) when the
        page is past the end.
        """
        rows = await self._db.all(
            f"""
            WITH top AS (SELECT coalesce(max(age_rank), 0) AS total FROM views.instances),
                 fleet AS ({FLEET})
            SELECT top.total, fleet.*, {LISTED},
                (SELECT record_id FROM views.dns_records WHERE instance_id = i.id) AS dns_record_id
            FROM top CROSS JOIN fleet
            LEFT JOIN views.instances i ON i.age_rank <= top.total - %(skip)s
                AND i.age_rank > top.total - %(skip)s - %(limit)s
            ORDER BY i.age_rank DESC
            """,  # noqa: S608
            {"skip": skip, "limit": limit},
        )
        first = rows[0]
        fleet = {key: first[key] for key in ("active", "suspended", "provisioning", "mrr")}
        return Listing([row for row in rows if row["id"] is not None], int(first["total"]), fleet)

    async def fleet(self) -> dict[str, Any]:
        """Totals by status and the monthly recurring revenue of active instances."""
        row = await self._db.one(FLEET)
        assert row is not None
        return row

    async def users(self, page: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        rows = await self._db.all(
            """
            SELECT u.*, count(i.id) AS instances,
                   count(i.id) FILTER (WHERE i.status = 'active') AS active_instances
            FROM views.users u LEFT JOIN views.instances i ON i.whmcs_client_id = u.whmcs_client_id
            GROUP BY u.id ORDER BY u.created_at DESC, u.id LIMIT %s OFFSET %s
            """,
            (limit, (page - 1) * limit),
        )
        total = await self._db.one("SELECT count(*) AS n FROM views.users")
        return rows, int(total["n"]) if total else 0

    async def counts(self, column: str) -> dict[str, int]:
        """Instances per value of status, region or plan."""
        assert column in ("status", "region", "plan")
        rows = await self._db.all(
            f"SELECT {column} AS key, sum(n) AS n FROM views.instance_counts "  # noqa: S608
            f"GROUP BY {column} HAVING sum(n) > 0"
        )
        return {row["key"]: int(row["n"]) for row in rows}

    async def jobs(self) -> dict[str, int]:
        row = await self._db.one(
            """
            SELECT count(*) FILTER (WHERE status = 'running') AS running,
                   count(*) FILTER (WHERE status = 'failed'
                                    AND finished_at > now() - interval '24 hours') AS failed_24h
            FROM views.jobs
            """
        )
        assert row is not None
        return {"running": int(row["running"]), "failed_24h": int(row["failed_24h"])}

    async def users_total(self) -> int:
        row = await self._db.one("SELECT count(*) AS n FROM views.users")
        return int(row["n"]) if row else 0
