"""Seed 002 §8: a Stripe Checkout session for an invoice."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AnyHttpUrl, UrlConstraints

from hostplane.contracts.mpanel.common import Body, Request

ReturnUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=2048)]


class PaymentSessionRequest(Request):
    invoice_id: UUID
    success_url: ReturnUrl
    cancel_url: ReturnUrl


class PaymentSession(Body):
    provider: Literal["stripe"] = "stripe"
    session_id: str
    checkout_url: str
