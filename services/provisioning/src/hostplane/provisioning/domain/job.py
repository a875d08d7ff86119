"""The Job aggregate: one command's outcome (seed 004's job model). Its id is the command id."""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Job(Aggregate):
    @staticmethod
    def create_id(job_id: UUID, **_: Any) -> UUID:
        return job_id

    @event("Started")
    def __init__(self, *, job_id: UUID, command: str, instance_id: UUID | None) -> None:
        self.command = command
        self.instance_id = instance_id
        self.finished = False
        self.result: dict[str, Any] = {}
        self.error_code: str | None = None
        self.error_message: str | None = None

    def succeed(self, result: dict[str, Any] | None = None) -> None:
        """The command had its effect; `result` is what its caller may want to know."""
        if not self.finished:
            self._succeeded(result=result or {})

    @event("Succeeded")
    def _succeeded(self, result: dict[str, Any]) -> None:
        self.finished = True
        self.result = result

    def fail(self, code: str, message: str, result: dict[str, Any] | None = None) -> None:
        """The command was refused or its effect failed for good; `result` says what it met
        (for a refusal, the instance's state)."""
        if not self.finished:
            self._failed(code=code, message=message, result=result or {})

    @event("Failed")
    def _failed(self, code: str, message: str, result: dict[str, Any] | None = None) -> None:
        self.finished = True
        self.error_code, self.error_message = code, message
        self.result = result or {}
