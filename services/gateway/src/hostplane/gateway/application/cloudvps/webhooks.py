"""Outgoing webhooks' endpoints, managed by the platform's admins: commands to the webhooks
service on `webhooks.commands`, answered once it has applied (or refused) them.

A new endpoint's secret, and a rotated one, is made here so it can be answered at once (and
never again); it travels sealed. The webhooks service judges the URL (private addresses are
refused unless its settings allow them) and the event filter; its refusal is the answer.
"""

import asyncio
import base64
import os
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from pydantic import BaseModel

from hostplane.contracts.commands import webhooks as commands
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import WEBHOOKS_COMMANDS
from hostplane.gateway.application.ports import CommandPublisher
from hostplane.gateway.domain.errors import NotFound, Unavailable, Unprocessable


@dataclass(frozen=True)
class EndpointRow:
    id: UUID
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AttemptRow:
    delivery_id: UUID
    n: int
    at: datetime
    status: int | None
    latency_ms: int
    error: str | None
    response: str | None


@dataclass(frozen=True)
class DeliveryRow:
    id: UUID
    endpoint_id: UUID
    event: str
    status: str
    last_status: int | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class CommandOutcome:
    outcome: str  # applied | refused
    error: str | None


class WebhookReads(Protocol):
    async def endpoints(self) -> list[EndpointRow]: ...

    async def endpoint(self, endpoint_id: UUID) -> EndpointRow | None: ...

    async def deliveries(
        self, endpoint_id: UUID, limit: int
    ) -> tuple[list[DeliveryRow], list[AttemptRow]]: ...

    async def delivery(self, delivery_id: UUID) -> DeliveryRow | None: ...

    async def command_outcome(self, command_id: UUID) -> CommandOutcome | None: ...


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class WebhookEndpoints:
    reads: WebhookReads
    commands: CommandPublisher
    box: SecretBox
    wait_s: float

    async def create(
        self, url: str, events: list[str], description: str
    ) -> tuple[EndpointRow, str]:
        endpoint_id, secret = uuid4(), new_secret()
        command = commands.CreateWebhookEndpoint(
            endpoint_id=endpoint_id,
            url=url,
            events=events,
            secret=self.box.seal(secret),
            description=description,
        )
        await self._applied(endpoint_id, command)
        return await self.one(endpoint_id), secret

    async def all(self) -> list[EndpointRow]:
        return await self.reads.endpoints()

    async def one(self, endpoint_id: UUID) -> EndpointRow:
        row = await self.reads.endpoint(endpoint_id)
        if row is None:
            raise NotFound("Webhook endpoint not found")
        return row

    async def update(
        self,
        endpoint_id: UUID,
        url: str | None,
        events: list[str] | None,
        enabled: bool | None,
        description: str | None,
    ) -> EndpointRow:
        await self.one(endpoint_id)
        command = commands.UpdateWebhookEndpoint(
            endpoint_id=endpoint_id,
            url=url,
            events=events,
            enabled=enabled,
            description=description,
        )
        await self._applied(endpoint_id, command)
        return await self.one(endpoint_id)

    async def delete(self, endpoint_id: UUID) -> None:
        await self.one(endpoint_id)
        await self._applied(endpoint_id, commands.DeleteWebhookEndpoint(endpoint_id=endpoint_id))

    async def rotate(self, endpoint_id: UUID) -> tuple[EndpointRow, str]:
        await self.one(endpoint_id)
        secret = new_secret()
        command = commands.RotateWebhookSecret(
            endpoint_id=endpoint_id, secret=self.box.seal(secret)
        )
        await self._applied(endpoint_id, command)
        return await self.one(endpoint_id), secret

    async def deliveries(
        self, endpoint_id: UUID, limit: int
    ) -> tuple[list[DeliveryRow], list[AttemptRow]]:
        await self.one(endpoint_id)
        return await self.reads.deliveries(endpoint_id, limit)

    async def redeliver(self, delivery_id: UUID) -> None:
        if await self.reads.delivery(delivery_id) is None:
            raise NotFound("Delivery not found")
        await self._applied(delivery_id, commands.RedeliverWebhook(delivery_id=delivery_id))

    async def redeliver_since(self, endpoint_id: UUID, since: datetime) -> None:
        await self.one(endpoint_id)
        command = commands.RedeliverWebhooksSince(endpoint_id=endpoint_id, since=since)
        await self._applied(endpoint_id, command)

    async def _applied(self, key: UUID, command: BaseModel) -> None:
        """Send the command and wait until the webhooks service applied it; its refusal is
        VALIDATION_ERROR with its reason."""
        command_id = await self.commands.send(WEBHOOKS_COMMANDS, key, command)
        deadline, delay = time.monotonic() + self.wait_s, 0.01
        while (outcome := await self.reads.command_outcome(command_id)) is None:
            if time.monotonic() >= deadline:
                raise Unavailable("The webhooks service has not answered yet; retry")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)
        if outcome.outcome != "applied":
            raise Unprocessable(outcome.error or "Refused", code="VALIDATION_ERROR")
