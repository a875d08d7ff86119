"""`POST /api/webhooks/whmcs`: WHMCS hooks (see `application.webhooks`)."""

from fastapi import APIRouter

from hostplane.contracts.openclaw.sso import WebhookReceived, WhmcsWebhook
from hostplane.gateway.entrypoints.dependencies import WebhooksDep, WhmcsBody, body_schema, parse

router = APIRouter(tags=["webhooks"])


@router.post(
    "/api/webhooks/whmcs", response_model=WebhookReceived, openapi_extra=body_schema(WhmcsWebhook)
)
async def whmcs_webhook(body: WhmcsBody, webhooks: WebhooksDep) -> WebhookReceived:
    """Record a WHMCS hook, and act on it when it maps to a command."""
    await webhooks.receive(parse(WhmcsWebhook, body))
    return WebhookReceived(received=True)
