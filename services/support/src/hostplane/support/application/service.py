"""The support use cases' application: tickets and their jobs on the `support` schema, and
the attachments' bytes beside them."""

from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from hostplane.contracts.attachments import AttachmentLimits
from hostplane.messaging.eventstore import TrackedApplication
from hostplane.messaging.jobs import Job
from hostplane.support.adapters.attachments import AttachmentBlobs

A = TypeVar("A", bound=Aggregate)


class Support(TrackedApplication):
    name = "support"

    def __init__(
        self, env: dict[str, str], attachments: AttachmentBlobs, limits: AttachmentLimits
    ) -> None:
        super().__init__(env)
        self.attachments = attachments
        self.limits = limits

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, kind) else None

    def new_job(self, job_id: UUID, command: str, subject_id: UUID | None) -> Job | None:
        """A new job for a command, or None when the command was handled before."""
        if self.find(Job, job_id) is not None:
            return None
        return Job(job_id=job_id, command=command, subject_id=subject_id)
