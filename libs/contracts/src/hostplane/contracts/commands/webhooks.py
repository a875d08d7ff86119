"""Commands on `webhooks.commands`: an endpoint's management and redeliveries, keyed by the
endpoint's id (a redelivery's by its delivery's).

The command id (also its job id) travels as the `command_id` header. An endpoint's secret is
made by the sender (so it can answer with it at once) and travels sealed with the shared
`CONFIG_SECRETS_KEY`; the webhooks service keeps it sealed and opens it only to sign.
"""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hostplane.contracts.secrets import SealedSecret


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True)


class _EndpointCommand(_Command):
    endpoint_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.endpoint_id


class CreateWebhookEndpoint(_EndpointCommand):
    """A URL that receives the events it subscribes to (names, `*`, or a prefix `vps.*`)."""

    type: Literal["CreateWebhookEndpoint"] = "CreateWebhookEndpoint"
    url: str = Field(min_length=1, max_length=2048)
    events: list[str] = Field(min_length=1)
    secret: SealedSecret
    description: str = Field(default="", max_length=500)


class UpdateWebhookEndpoint(_EndpointCommand):
    """Change what is given; enabling an endpoint again forgets why it was disabled."""

    type: Literal["UpdateWebhookEndpoint"] = "UpdateWebhookEndpoint"
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1)
    enabled: bool | None = None
    description: str | None = Field(default=None, max_length=500)


class DeleteWebhookEndpoint(_EndpointCommand):
    """The endpoint and its delivery log are removed; nothing more is sent to it."""

    type: Literal["DeleteWebhookEndpoint"] = "DeleteWebhookEndpoint"


class RotateWebhookSecret(_EndpointCommand):
    """Sign with a new secret; the previous one keeps signing beside it for 24 hours."""

    type: Literal["RotateWebhookSecret"] = "RotateWebhookSecret"
    secret: SealedSecret


class RedeliverWebhook(_Command):
    """Send a delivery again, under its own `webhook-id`, whatever became of it."""

    type: Literal["RedeliverWebhook"] = "RedeliverWebhook"
    delivery_id: UUID

    @property
    def subject_id(self) -> UUID:
        return self.delivery_id


class RedeliverWebhooksSince(_EndpointCommand):
    """Send again every delivery of the endpoint made since `since` that failed or was
    cancelled."""

    type: Literal["RedeliverWebhooksSince"] = "RedeliverWebhooksSince"
    since: AwareDatetime


WebhookCommand = Annotated[
    CreateWebhookEndpoint
    | UpdateWebhookEndpoint
    | DeleteWebhookEndpoint
    | RotateWebhookSecret
    | RedeliverWebhook
    | RedeliverWebhooksSince,
    Field(discriminator="type"),
]
