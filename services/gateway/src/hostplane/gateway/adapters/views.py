"""Read-only queries on the instance and job read models in the `views` schema."""

import asyncio
import time
from dataclasses import fields
from uuid import UUID

from psycopg.rows import class_row

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.readmodels import InstanceRow, InstanceState, JobRow, OrderCheck

# The columns of `InstanceRow`, from `views.instances` (alias `i`) but for the DNS record id,
# which the DNS service reports when the provisioning saga has not (yet).
INSTANCE_COLUMNS = ", ".join(
    f"i.{field.name}" for field in fields(InstanceRow) if field.name != "dns_record_id"
)
INSTANCE_DNS_RECORD = "coalesce(nullif(i.cloudflare_record_id, ''), d.record_id) AS dns_record_id"

INSTANCE = f"""
    SELECT {INSTANCE_COLUMNS}, {INSTANCE_DNS_RECORD}
    FROM views.instances i LEFT JOIN views.dns_records d ON d.instance_id = i.id
    WHERE i.id = %s
"""  # noqa: S608


class Views:
    """Read-only queries on the `views` schema."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def instance(self, instance_id: UUID) -> InstanceRow | None:
        return await self._db.one(class_row(InstanceRow), INSTANCE, (instance_id,))

    async def instance_state(self, instance_id: UUID) -> InstanceState | None:
        """Only the columns a command is checked against (the whole row costs more to read
        than the rest of the request)."""
        return await self._db.one(
            class_row(InstanceState),
            "SELECT id, whmcs_client_id, plan, status, pending_operation, openclaw_version "
            "FROM views.instances WHERE id = %s",
            (instance_id,),
        )

    async def order_check(self, instance_id: UUID, subdomain: str) -> OrderCheck:
        """What an order needs to know, in one round trip."""
        check = await self._db.one(
            class_row(OrderCheck),
            """
            SELECT (SELECT subdomain FROM views.instances WHERE id = %s) AS existing_subdomain,
                   (SELECT id FROM views.instances
                    WHERE subdomain = %s AND status <> 'terminated' LIMIT 1) AS subdomain_owner
            """,
            (instance_id, subdomain),
        )
        assert check is not None
        return check

    async def job(self, job_id: UUID) -> JobRow | None:
        return await self._db.one(
            class_row(JobRow),
            """
            SELECT id, status, error_code, error_message, finished_at,
                   result->>'at' AS at, result->>'status' AS met_status,
                   coalesce(result->'restart_required' = 'true'::jsonb, false) AS restart_required,
                   result->>'session_id' AS session_id, result->>'checkout_url' AS checkout_url,
                   result->'console' AS console
            FROM views.jobs WHERE id = %s
            """,
            (job_id,),
        )

    async def wait_for_job(self, job_id: UUID, timeout_s: float) -> JobRow | None:
        """The job once finished, or its latest state when `timeout_s` runs out."""
        deadline = time.monotonic() + timeout_s
        delay = 0.01
        while True:
            job = await self.job(job_id)
            if (job and job.finished) or time.monotonic() >= deadline:
                return job
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)
