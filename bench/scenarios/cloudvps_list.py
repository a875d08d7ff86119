"""cloudvps_list: `GET /api/v1/vps` with 10,000 VPS across 1,000 CloudVPS users.

The read models are seeded directly (accounts, one CloudPod product, CloudPods, their
subscriptions and instances; one VPS in twenty terminated, others suspended, provisioning or
failed), and several users sign in through `POST /api/v1/auth/login`. wrk then lists as a
random one of them: the default page, `status=running`, and `sort=name`. The gateway's own
queries for each listing are explained (`EXPLAIN ANALYZE`) to show they read indexes.
"""

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
from argon2 import PasswordHasher
from psycopg.rows import BaseRowFactory, Row

from bench.common import DURATION_S, REPEATS, WRK_SCRIPTS, Result, Target, median_of, stack, wrk
from bench.seed import cloudvps_fleet
from hostplane.contracts.identity import tenant_id_for
from hostplane.contracts.secrets import SecretBox
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.adapters.vps_views import VpsViews
from hostplane.gateway.application.cloudvps.servers import VpsFilter
from tests.stack import Stack

USERS = 1_000
VPS = 10_000
SIGNED_IN = 20
CONNECTIONS = 8
PASSWORD = "bench-password-1"
LISTINGS = {
    "default_page": ("", VpsFilter(None, "created_at", True, 1, 20)),
    "status_running": ("?status=running", VpsFilter(("active",), "created_at", True, 1, 20)),
    "sort_name": ("?sort=name&order=asc", VpsFilter(None, "name", False, 1, 20)),
}
# Tables small enough that a sequential scan is the right plan.
TINY_TABLES = {"products"}


def run() -> Result:
    with (
        stack("cloudvps_list", only=("gateway",), CLOUDVPS_ACCESS_TTL_S="7200") as hostplane,
        tempfile.TemporaryDirectory() as tmp,
    ):
        tenant = tenant_id_for(hostplane.processes.env["DEFAULT_TENANT_NAME"])
        box = SecretBox(hostplane.processes.env["CONFIG_SECRETS_KEY"])
        sealed = box.seal(PasswordHasher().hash(PASSWORD)).model_dump_json()
        emails = cloudvps_fleet(hostplane.database_url, tenant, USERS, VPS, sealed)
        users = [sign_in(hostplane, email) for email in emails[:: USERS // SIGNED_IN]]
        check_totals(hostplane, users)
        customer = customer_of(hostplane, users[0][1])
        plans = {
            name: explain(hostplane.database_url, tenant, customer, wanted)
            for name, (_, wanted) in LISTINGS.items()
        }
        env = {"BENCH_WRK_DIR": str(WRK_SCRIPTS)}
        figures: dict[str, Any] = {}
        for name, (query, _) in LISTINGS.items():
            requests = Path(tmp) / name
            requests.write_text("".join(f"{token}\t/api/v1/vps{query}\n" for token, _ in users))
            figures[name] = median_of(
                [
                    wrk(
                        hostplane.cloudvps_url,
                        "as_users.lua",
                        env | {"BENCH_REQUESTS": str(requests)},
                        CONNECTIONS,
                    )
                    for _ in range(REPEATS)
                ]
            )
    figures["plans"] = plans
    targets = [
        Target(f"{name} p99 ms", figures[name]["p99_ms"], 10.0, higher_is_better=False)
        for name in LISTINGS
    ]
    seq_scans = [scan for plan in plans.values() for scan in plan["seq_scans"]]
    targets.append(Target("sequential scans of large tables", len(seq_scans), 0, False))
    settings = {
        "vps": VPS,
        "users": USERS,
        "signed_in_users": SIGNED_IN,
        "duration_s": DURATION_S,
        "repeats": REPEATS,
        "connections": CONNECTIONS,
        "load_generator": "wrk 4.1 (closed loop), 2 threads, a random signed-in user a request",
        "listings": {name: f"GET /api/v1/vps{query}" for name, (query, _) in LISTINGS.items()},
    }
    return Result("cloudvps_list", figures, settings, targets)


def sign_in(hostplane: Stack, email: str) -> tuple[str, UUID]:
    """The user's access token and id, from signing in as they would."""
    answer = httpx.post(
        f"{hostplane.cloudvps_url}/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    data = answer.json()["data"]
    return data["token"], UUID(data["user"]["id"])


def check_totals(hostplane: Stack, users: list[tuple[str, UUID]]) -> None:
    """Each user's listing counts what the read models hold for them, and nobody else's."""
    with psycopg.connect(hostplane.database_url) as conn:
        for token, user in users:
            held = conn.execute(
                "SELECT count(*) FROM views.accounts a"
                " JOIN views.cloudpods c ON c.customer_id = a.customer_id"
                " JOIN views.instances i ON i.id = c.instance_id"
                " WHERE a.id = %s AND i.status <> 'terminated'",
                (user,),
            ).fetchone()
            listed = httpx.get(
                f"{hostplane.cloudvps_url}/api/v1/vps",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            listed.raise_for_status()
            total = listed.json()["pagination"]["total"]
            if held is None or total != held[0]:
                raise AssertionError(f"user {user} lists {total} VPS, holds {held}")


def customer_of(hostplane: Stack, user: UUID) -> UUID:
    with psycopg.connect(hostplane.database_url) as conn:
        row = conn.execute("SELECT customer_id FROM views.accounts WHERE id = %s", (user,))
        found = row.fetchone()
    assert found is not None
    return UUID(str(found[0]))


class Explained(Database):
    """The gateway's database, explaining each query instead of answering it."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url, pool_size=2)
        self.plans: list[dict[str, Any]] = []

    async def one(self, row: BaseRowFactory[Row], query: str, params: Any = ()) -> Row | None:
        await self._explain(query, params)
        return None

    async def all(self, row: BaseRowFactory[Row], query: str, params: Any = ()) -> list[Row]:
        await self._explain(query, params)
        return []

    async def _explain(self, query: str, params: Any) -> None:
        async with self.pool.connection() as conn:
            cursor = await conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params)
            explained = await cursor.fetchone()
        assert explained is not None
        self.plans.append(explained[0][0])


def explain(database_url: str, tenant: UUID, customer: UUID, wanted: VpsFilter) -> dict[str, Any]:
    """The indexes a listing's queries read, the large tables they scan whole (none is
    wanted), and the time PostgreSQL took to run them."""

    async def explained() -> list[dict[str, Any]]:
        db = Explained(database_url)
        await db.pool.open()
        try:
            await VpsViews(db).servers(tenant, customer, wanted)
        finally:
            await db.close()
        return db.plans

    plans = asyncio.run(explained())
    nodes = [node for plan in plans for node in _nodes(plan["Plan"])]
    return {
        "indexes": sorted({n["Index Name"] for n in nodes if "Index Name" in n}),
        "seq_scans": sorted(
            {
                n["Relation Name"]
                for n in nodes
                if n["Node Type"] == "Seq Scan" and n["Relation Name"] not in TINY_TABLES
            }
        ),
        "execution_ms": sum(plan["Execution Time"] for plan in plans),
    }


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]
