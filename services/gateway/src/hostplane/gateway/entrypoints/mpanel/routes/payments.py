"""Seed 002 §8: Stripe Checkout sessions for invoices, and Stripe's webhook."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from hostplane.contracts.mpanel.payments import PaymentSession, PaymentSessionRequest
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.dependencies import RawBody
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED

router = APIRouter(prefix="/api/payments", tags=["payments"])

Payer = Annotated[Operator, allowed(Permission.PAYMENTS_WRITE)]
StripeSignature = Annotated[
    str,
    Header(
        alias="Stripe-Signature",
        min_length=1,
        max_length=4096,
        description="`t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>`, by Stripe",
    ),
]
# A Stripe event, read as it is signed: its body is not validated before its signature.
STRIPE_EVENT: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post("/session", response_model=PaymentSession, responses=WAITED)
async def create_session(
    body: PaymentSessionRequest, operator: Payer, mpanel: MPanelDep
) -> PaymentSession:
    """A Stripe Checkout session paying one of the tenant's invoices (a paid or cancelled
    invoice is 409)."""
    session = await mpanel.payments.session(operator, body)
    return PaymentSession(session_id=session.session_id, checkout_url=session.checkout_url)


@router.post(
    "/stripe/webhook",
    response_class=Response,
    responses={200: {"description": "Received (an empty body)"}},
    openapi_extra=STRIPE_EVENT,
)
async def stripe_webhook(body: RawBody, mpanel: MPanelDep, signature: StripeSignature) -> Response:
    """Stripe's webhook: a signed event about an invoice's payment goes to billing; the
    answer comes at once (a bad or stale signature is 400)."""
    await mpanel.stripe.receive(body, signature)
    return Response(status_code=200)
