"""The webhooks service as the gateway sees it: it applies endpoint commands to its tables
and records each command's outcome, refusing a URL that is not http(s), a loopback target or an unknown event."""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from hostplane.contracts.commands import webhooks as wc
from hostplane.gateway.application.cloudvps.webhooks import (
    AttemptRow,
    CommandOutcome,
    DeliveryRow,
    EndpointRow,
)

EVENTS = {"vps.created", "vps.started", "vps.stopped", "vps.deleted", "invoice.paid"}


@dataclass
class FakeWebhooks:
    endpoints_by_id: dict[UUID, EndpointRow] = field(default_factory=dict)
    secrets: dict[UUID, list[str]] = field(default_factory=dict)  # sealed, newest first
    outcomes: dict[UUID, CommandOutcome] = field(default_factory=dict)
    delivered: dict[UUID, DeliveryRow] = field(default_factory=dict)
    tried: list[AttemptRow] = field(default_factory=list)
    redelivered: list[UUID] = field(default_factory=list)

    def react(self, command: BaseModel, command_id: UUID) -> None:
        now = datetime.now(UTC)
        refusal = None
        match command:
            case wc.CreateWebhookEndpoint() | wc.UpdateWebhookEndpoint() if any(
                e not in EVENTS and e != "*" for e in command.events or ()
            ):
                refusal = "unknown event"
            case wc.CreateWebhookEndpoint() | wc.UpdateWebhookEndpoint() if "//127." in (
                command.url or ""
            ):
                refusal = "127.0.0.1 is a loopback address"
            case wc.CreateWebhookEndpoint():
                self.endpoints_by_id[command.endpoint_id] = EndpointRow(
                    command.endpoint_id,
                    command.url,
                    command.events,
                    command.description,
                    True,
                    None,
                    None,
                    now,
                    now,
                )
                self.secrets[command.endpoint_id] = [command.secret.model_dump_json()]
            case wc.UpdateWebhookEndpoint():
                row = self.endpoints_by_id[command.endpoint_id]
                self.endpoints_by_id[command.endpoint_id] = replace(
                    row,
                    url=command.url or row.url,
                    events=command.events or row.events,
                    enabled=row.enabled if command.enabled is None else command.enabled,
                    updated_at=now,
                )
            case wc.DeleteWebhookEndpoint():
                del self.endpoints_by_id[command.endpoint_id]
            case wc.RotateWebhookSecret():
                self.secrets[command.endpoint_id].insert(0, command.secret.model_dump_json())
            case wc.RedeliverWebhook():
                self.redelivered.append(command.delivery_id)
        self.outcomes[command_id] = CommandOutcome("refused" if refusal else "applied", refusal)

    async def endpoints(self) -> list[EndpointRow]:
        return list(self.endpoints_by_id.values())

    async def endpoint(self, endpoint_id: UUID) -> EndpointRow | None:
        return self.endpoints_by_id.get(endpoint_id)

    async def deliveries(
        self, endpoint_id: UUID, limit: int
    ) -> tuple[list[DeliveryRow], list[AttemptRow]]:
        rows = [d for d in self.delivered.values() if d.endpoint_id == endpoint_id][:limit]
        ids = {d.id for d in rows}
        return rows, [a for a in self.tried if a.delivery_id in ids]

    async def delivery(self, delivery_id: UUID) -> DeliveryRow | None:
        return self.delivered.get(delivery_id)

    async def command_outcome(self, command_id: UUID) -> CommandOutcome | None:
        return self.outcomes.get(command_id)
