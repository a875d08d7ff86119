"""Read-only access to the read models in the `views` schema."""

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool


@dataclass(frozen=True)
class JobView:
    id: UUID
    status: str
    error_code: str | None
    error_message: str | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in ("succeeded", "failed")


class Views:
    def __init__(self, database_url: str, pool_size: int = 10) -> None:
        self._pool = AsyncConnectionPool(
            database_url,
            min_size=1,
            max_size=pool_size,
            open=False,
            kwargs={"row_factory": dict_row, "autocommit": True},
        )

    async def open(self) -> None:
        await self._pool.open()

    async def close(self) -> None:
        await self._pool.close()

    async def ping(self) -> bool:
        """Whether the database answers."""
        try:
            async with self._pool.connection(timeout=2) as conn:
                await conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    async def instance(self, instance_id: UUID) -> dict[str, Any] | None:
        return await self._one(
            """
            SELECT i.*, d.record_id AS dns_record_id
            FROM views.instances i LEFT JOIN views.dns_records d ON d.instance_id = i.id
            WHERE i.id = %s
            """,
            (instance_id,),
        )

    async def subdomain_owner(self, subdomain: str) -> UUID | None:
        """The live instance holding a subdomain, if any."""
        row = await self._one(
            "SELECT id FROM views.instances WHERE subdomain = %s AND status <> 'terminated'",
            (subdomain,),
        )
        return row["id"] if row else None

    async def job(self, job_id: UUID) -> JobView | None:
        row = await self._one(
            "SELECT id, status, error_code, error_message, finished_at FROM views.jobs "
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

    async def _one(self, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(query, params)
            return cast("dict[str, Any] | None", await cursor.fetchone())
