"""What each command on `webhooks.commands` does to the endpoints, found by command type.

A handler refuses (`CommandRefused`) what breaks a rule: an unknown endpoint, a pattern that
matches no event, a URL Hostplane does not deliver to. A refusal is recorded with the
command's id, as its outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from pydantic import ValidationError

from hostplane.contracts.commands.webhooks import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    RedeliverWebhook,
    RedeliverWebhooksSince,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)
from hostplane.webhooks.adapters import endpoints
from hostplane.webhooks.domain.endpoints import KeptSecret, rotate
from hostplane.webhooks.domain.events import EventFilter
from hostplane.webhooks.domain.targets import TargetRefused


class CommandRefused(Exception):
    """A command that breaks a rule; recorded as its outcome, changing nothing."""


@dataclass(frozen=True)
class Context:
    """What a handler works with: the transaction's cursor, the time, and the URL check."""

    cur: Cursor[Any]
    now: datetime
    check_target: Callable[[str], object]

    def check_url(self, url: str) -> None:
        try:
            self.check_target(url)
        except TargetRefused as error:
            raise CommandRefused(f"webhooks are not delivered to {url}: {error}") from error

    def existing(self, endpoint_id: UUID) -> None:
        if not endpoints.exists(self.cur, endpoint_id):
            raise CommandRefused(f"no webhook endpoint {endpoint_id}")


def _patterns(events: list[str]) -> list[str]:
    try:
        return list(EventFilter(patterns=tuple(events)).patterns)
    except ValidationError as error:
        raise CommandRefused(error.errors()[0]["msg"]) from error


def create_endpoint(ctx: Context, command: CreateWebhookEndpoint) -> None:
    """Create an endpoint, enabled, signing with the secret it came with."""
    patterns = _patterns(command.events)
    ctx.check_url(command.url)
    created = endpoints.insert_endpoint(
        ctx.cur,
        command.endpoint_id,
        command.url,
        patterns,
        [KeptSecret(secret=command.secret)],
        command.description,
        ctx.now,
    )
    if not created:
        raise CommandRefused(f"webhook endpoint {command.endpoint_id} exists")


def update_endpoint(ctx: Context, command: UpdateWebhookEndpoint) -> None:
    """Change an endpoint's URL, events, description, or whether it is enabled."""
    ctx.existing(command.endpoint_id)
    fields: dict[str, object] = {}
    if command.url is not None:
        ctx.check_url(command.url)
        fields["url"] = command.url
    if command.events is not None:
        fields["events"] = _patterns(command.events)
    if command.description is not None:
        fields["description"] = command.description
    if fields:
        endpoints.update_fields(ctx.cur, command.endpoint_id, ctx.now, **fields)
    if command.enabled is True:
        endpoints.enable(ctx.cur, command.endpoint_id, ctx.now)
    elif command.enabled is False:
        endpoints.disable(ctx.cur, command.endpoint_id, "disabled by its owner", ctx.now)


def delete_endpoint(ctx: Context, command: DeleteWebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log."""
    ctx.existing(command.endpoint_id)
    endpoints.delete(ctx.cur, command.endpoint_id)


def rotate_secret(ctx: Context, command: RotateWebhookSecret) -> None:
    """Sign with a new secret, the old one beside it for a while."""
    kept = endpoints.kept_secrets(ctx.cur, command.endpoint_id)
    if kept is None:
        raise CommandRefused(f"no webhook endpoint {command.endpoint_id}")
    rotated = rotate(kept, command.secret, ctx.now)
    endpoints.update_fields(
        ctx.cur, command.endpoint_id, ctx.now, secrets=endpoints.secrets_json(rotated)
    )


def redeliver(ctx: Context, command: RedeliverWebhook) -> None:
    """Send one delivery again."""
    if not endpoints.requeue_one(ctx.cur, command.delivery_id, ctx.now):
        raise CommandRefused(
            f"delivery {command.delivery_id} is unknown, pending, or its endpoint disabled"
        )


def redeliver_since(ctx: Context, command: RedeliverWebhooksSince) -> None:
    """Send again an endpoint's failed and cancelled deliveries since a moment."""
    ctx.existing(command.endpoint_id)
    endpoints.requeue_since(ctx.cur, command.endpoint_id, command.since, ctx.now)


COMMAND_HANDLERS: dict[type[Any], Callable[[Context, Any], None]] = {
    CreateWebhookEndpoint: create_endpoint,
    UpdateWebhookEndpoint: update_endpoint,
    DeleteWebhookEndpoint: delete_endpoint,
    RotateWebhookSecret: rotate_secret,
    RedeliverWebhook: redeliver,
    RedeliverWebhooksSince: redeliver_since,
}
