"""The admin's view of the fleet: instances, users and platform statistics."""

import asyncio
from dataclasses import dataclass

from hostplane.gateway.application.ports import FleetReads
from hostplane.gateway.application.readmodels import (
    FleetTotals,
    InstanceFilter,
    JobCounts,
    Listing,
    UserPage,
)


@dataclass(frozen=True)
class Stats:
    by_status: dict[str, int]
    by_region: dict[str, int]
    by_plan: dict[str, int]
    fleet: FleetTotals
    users: int
    jobs: JobCounts


@dataclass(frozen=True)
class Fleet:
    reads: FleetReads

    async def instances(self, filters: InstanceFilter, page: int, limit: int) -> Listing:
        """One page of instances, newest first, with the fleet's totals."""
        return await self.reads.instances(filters, page, limit)

    async def users(self, page: int, limit: int) -> UserPage:
        """One page of dashboard users, newest first."""
        return await self.reads.users(page, limit)

    async def stats(self) -> Stats:
        """Instances by status, region and plan; users; revenue; jobs."""
        by_status, by_region, by_plan, fleet, users, jobs = await asyncio.gather(
            self.reads.counts("status"),
            self.reads.counts("region"),
            self.reads.counts("plan"),
            self.reads.fleet(),
            self.reads.users_total(),
            self.reads.jobs(),
        )
        return Stats(by_status, by_region, by_plan, fleet, users, jobs)
