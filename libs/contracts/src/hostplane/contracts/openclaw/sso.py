"""Seed 000: single sign-on from WHMCS, and WHMCS webhooks."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class SsoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[int, Field(gt=0, strict=True)]
    service_id: Annotated[int, Field(gt=0, strict=True)]
    email: EmailStr
    timestamp: Annotated[int, Field(gt=0, strict=True)]
    signature: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class SsoResponse(BaseModel):
    token: str
    redirect_url: str
    expires_in: int


class SsoPayload(BaseModel):
    """What a one-time dashboard link carries (base64url JSON, signed)."""

    client_id: int
    service_id: int
    email: str


class WhmcsWebhook(BaseModel):
    event: Annotated[str, Field(min_length=1, max_length=100)]
    service_id: Annotated[int, Field(gt=0, strict=True)]
    client_id: Annotated[int, Field(gt=0, strict=True)]
    data: dict[str, Any] = {}


class WebhookReceived(BaseModel):
    received: Literal[True]
