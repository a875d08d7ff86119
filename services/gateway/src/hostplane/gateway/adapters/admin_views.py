"""Fleet-wide read-model queries for the admin dashboard."""

from dataclasses import dataclass
from typing import Any

from hostplane.contracts.catalog import PLANS
from hostplane.gateway.adapters.database import Database

INSTANCE_COLUMNS = "i.*, d.record_id AS dns_record_id"
INSTANCE_FROM = "views.instances i LEFT JOIN views.dns_records d ON d.instance_id = i.id"

# Monthly price per plan, as SQL, so MRR is summed by the database.
MRR_CASE = (
    "CASE plan "
    + " ".join(f"WHEN '{plan.value}' THEN {spec.monthly_price_usd}" for plan, spec in PLANS.items())
    + " ELSE 0 END"
)


@dataclass(frozen=True)
class InstanceFilter:
    status: str | None = None
    region: str | None = None
    search: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.status:
            clauses.append("i.status = %s")
            params.append(self.status)
        if self.region:
            clauses.append("i.region = %s")
            params.append(self.region)
        if self.search:
            # An email, or its beginning; case does not matter.
            clauses.append("lower(i.email) LIKE %s")
            params.append(self.search.lower().replace("%", r"\%").replace("_", r"\_") + "%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class AdminViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def instances(
        self, filters: InstanceFilter, page: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of instances, newest first, and how many match in all."""
        where, params = filters.where()
        rows = await self._db.all(
            f"SELECT {INSTANCE_COLUMNS} FROM {INSTANCE_FROM}{where} "  # noqa: S608
            "ORDER BY i.created_at DESC, i.id LIMIT %s OFFSET %s",
            [*params, limit, (page - 1) * limit],
        )
        total = await self._db.one(
            f"SELECT count(*) AS n FROM views.instances i{where}",  # noqa: S608
            params,
        )
        return rows, int(total["n"]) if total else 0

    async def fleet(self) -> dict[str, Any]:
        """Totals by status and the monthly recurring revenue of active instances."""
        row = await self._db.one(
            f"""
            SELECT count(*) FILTER (WHERE status = 'active') AS active,
                   count(*) FILTER (WHERE status = 'suspended') AS suspended,
                   count(*) FILTER (WHERE status = 'provisioning') AS provisioning,
                   coalesce(sum({MRR_CASE}) FILTER (WHERE status = 'active'), 0) AS mrr
            FROM views.instances
            """  # noqa: S608
        )
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
            f"SELECT {column} AS key, count(*) AS n FROM views.instances GROUP BY {column}"  # noqa: S608
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
