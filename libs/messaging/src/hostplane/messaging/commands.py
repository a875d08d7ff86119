"""Commands a service sends another through its outbox, stored first like its events.

A service that reacts to its own state by commanding another (billing asking provisioning
for a server) stores the command as an event of its aggregate; the outbox relay publishes it
with a command id derived from that event, so a relay publishing it again sends the same job.
"""

from dataclasses import dataclass
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts import envelope
from hostplane.contracts.topics import Topic
from hostplane.messaging.cloudevents import Headers


def command_headers(command_id: UUID, correlation_id: str | None = None) -> Headers:
    """The headers every command carries: its id (its job's id) and its correlation."""
    return [
        (envelope.COMMAND_ID, str(command_id).encode()),
        (envelope.CORRELATION_ID, (correlation_id or str(command_id)).encode()),
        (envelope.CONTENT_TYPE, b"application/json"),
    ]


@dataclass(frozen=True)
class OutgoingCommand:
    """A stored command as it leaves the service, keyed by the aggregate it is for."""

    command: BaseModel
    topic: Topic
    aggregate_id: UUID
    command_id: UUID
    correlation_id: str | None = None

    @property
    def key(self) -> bytes:
        return str(self.aggregate_id).encode()

    @property
    def value(self) -> bytes:
        return self.command.model_dump_json().encode()

    @property
    def headers(self) -> Headers:
        return command_headers(self.command_id, self.correlation_id)
