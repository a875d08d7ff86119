"""Read-only access to the read models in the `views` schema."""

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from hostplane.gateway.adapters.database import Database


@dataclass(frozen=True)
class JobView:
    id: UUID
    status: str
    error_code: str | None
    error_message: str | None
    finished_at: datetime | None
    result: dict[str, Any]

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")


class Views:
    """Read-only queries on the `views` schema."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def instance(self, instance_id: UUID) -> dict[str, Any] | None:
        return await self._db.one(
            """
            SELECT i.*, d.record_id AS dns_record_id
            FROM views.instances i LEFT JOIN views.dns_records d ON d.instance_id = i.id
            WHERE i.id = %s
            """,
            (instance_id,),
        )

    async def instance_state(self, instance_id: UUID) -> dict[str, Any] | None:
        """What a command is checked against: the owner, plan, status and any operation
        under way (the whole row costs more to read than the rest of the request)."""
        return await self._db.one(
            "SELECT id, whmcs_client_id, plan, status, pending_operation, openclaw_version "
            "FROM views.instances WHERE id = %s",
            (instance_id,),
        )

    async def order_check(
        self, instance_id: UUID, subdomain: str
    ) -> tuple[str | None, UUID | None]:
        """The subdomain of the instance if it exists, and the live instance holding
        `subdomain` if any: what an order needs to know, in one round trip."""
        row = await self._db.one(
            """
            SELECT (SELECT subdomain FROM views.instances WHERE id = %s) AS existing,
                   (SELECT id FROM views.instances
                    WHERE subdomain = %s AND status <> 'terminated' LIMIT 1) AS owner
            """,
            (instance_id, subdomain),
        )
        assert row is not None
        return row["existing"], row["owner"]

    async def job(self, job_id: UUID) -> JobView | None:
        row = await self._db.one(
            "SELECT id, status, error_code, error_message, finished_at, result FROM views.jobs "
            "WHERE id = %s",
            (job_id,),
        )
        return JobView(**row) if row else None

    async def wait_for_job(self, job_id: UUID, timeout_s: float) -> JobView | None:
        """The job once finished, or its latest state when `timeout_s` runs out."""
        deadline = time.monotonic() + timeout_s
        delay = 0.01
        while True:
            job = await self.job(job_id)
            if (job and job.finished) or time.monotonic() >= deadline:
                return job
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)
