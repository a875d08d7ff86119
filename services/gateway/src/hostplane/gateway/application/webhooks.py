"""WHMCS hooks: one that maps to a command becomes that command; every hook is recorded on
`whmcs.webhooks`; the same hook delivered twice acts once."""

from dataclasses import dataclass
from datetime import UTC, datetime

from hostplane.contracts.events import WhmcsWebhookReceived
from hostplane.contracts.openclaw.sso import WhmcsWebhook
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.application.ports import CommandPublisher
from hostplane.gateway.domain.webhooks import to_command, webhook_id
from hostplane.messaging.cloudevents import OutgoingEvent


@dataclass(frozen=True)
class Webhooks:
    commands: CommandPublisher

    async def receive(self, hook: WhmcsWebhook) -> None:
        """Record a hook, and act on it when it maps to a command."""
        hook_id = webhook_id(hook)
        command = to_command(hook)
        command_id = None
        if command is not None:
            command_id = await self.commands.send(
                PROVISIONING_COMMANDS, command.instance_id, command, command_id=hook_id
            )
        await self.commands.publish(
            OutgoingEvent(
                payload=WhmcsWebhookReceived(
                    occurred_at=datetime.now(UTC),
                    webhook_id=hook_id,
                    event=hook.event,
                    service_id=hook.service_id,
                    client_id=hook.client_id,
                    data=hook.data,
                    command_id=command_id,
                ),
                aggregate_id=hook_id,
                # The hook's first and only event: consumers apply versions from 1, once each.
                version=1,
                source="hostplane/gateway",
            )
        )
