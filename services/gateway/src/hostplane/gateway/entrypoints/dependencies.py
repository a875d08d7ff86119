"""What routes depend on: the use cases, who is calling, and the request body.

Coroutine functions throughout, so FastAPI calls them inline rather than in its thread pool.
"""

import json
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from hostplane.gateway.application.fleet import Fleet
from hostplane.gateway.application.health import Health
from hostplane.gateway.application.instances import Instances
from hostplane.gateway.application.signon import SignOn
from hostplane.gateway.application.telemetry import Telemetry
from hostplane.gateway.application.webhooks import Webhooks
from hostplane.gateway.bootstrap import Gateway
from hostplane.gateway.domain.access import Principal
from hostplane.gateway.domain.errors import PayloadTooLarge
from hostplane.gateway.domain.signatures import WhmcsRequest
from hostplane.gateway.entrypoints.errors import validation_error
from hostplane.gateway.settings import Settings

Body = TypeVar("Body", bound=BaseModel)


async def gateway(request: Request) -> Gateway:
    """The gateway the app's lifespan wired (see `bootstrap`)."""
    wired: Gateway = request.app.state.gateway
    return wired


GatewayDep = Annotated[Gateway, Depends(gateway)]


async def settings(gateway: GatewayDep) -> Settings:
    return gateway.settings


async def instances(gateway: GatewayDep) -> Instances:
    return gateway.instances


async def sign_on(gateway: GatewayDep) -> SignOn:
    return gateway.sign_on


async def webhooks(gateway: GatewayDep) -> Webhooks:
    return gateway.webhooks


async def telemetry(gateway: GatewayDep) -> Telemetry:
    return gateway.telemetry


async def fleet(gateway: GatewayDep) -> Fleet:
    return gateway.fleet


async def health(gateway: GatewayDep) -> Health:
    return gateway.health


SettingsDep = Annotated[Settings, Depends(settings)]
InstancesDep = Annotated[Instances, Depends(instances)]
SignOnDep = Annotated[SignOn, Depends(sign_on)]
WebhooksDep = Annotated[Webhooks, Depends(webhooks)]
TelemetryDep = Annotated[Telemetry, Depends(telemetry)]
FleetDep = Annotated[Fleet, Depends(fleet)]
HealthDep = Annotated[Health, Depends(health)]


async def raw_body(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused past the size limit before it is read whole."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
        raise PayloadTooLarge("Request body too large")
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge("Request body too large")
    return body


RawBody = Annotated[bytes, Depends(raw_body)]


def _whmcs_request(request: Request, body: bytes) -> WhmcsRequest:
    headers = request.headers
    return WhmcsRequest(
        method=request.method,
        path=request.url.path,
        body=body,
        api_key=headers.get("x-api-key"),
        timestamp=headers.get("x-timestamp"),
        signature=headers.get("x-signature"),
    )


async def require_whmcs(request: Request, gateway: GatewayDep, body: RawBody) -> bytes:
    """A WHMCS call, signed within the time window, once; returns the verified body."""
    await gateway.authentication.whmcs(_whmcs_request(request, body))
    return body


async def require_user(request: Request, gateway: GatewayDep) -> Principal:
    """A dashboard user (client or admin) by JWT."""
    return gateway.authentication.user(request.headers.get("authorization"))


async def require_admin(request: Request, gateway: GatewayDep) -> Principal:
    """An admin by JWT; a client is refused 403."""
    return gateway.authentication.admin(request.headers.get("authorization"))


async def require_whmcs_or_user(request: Request, gateway: GatewayDep, body: RawBody) -> Principal:
    """WHMCS by signature, or a dashboard user by JWT."""
    authorization = request.headers.get("authorization")
    return await gateway.authentication.whmcs_or_user(_whmcs_request(request, body), authorization)


async def require_instance(instance_id: UUID, request: Request, gateway: GatewayDep) -> str:
    """A call an instance made with its own token; returns the token."""
    return gateway.authentication.instance(instance_id, request.headers.get("authorization"))


WhmcsBody = Annotated[bytes, Depends(require_whmcs)]
User = Annotated[Principal, Depends(require_user)]
Admin = Annotated[Principal, Depends(require_admin)]
WhmcsOrUser = Annotated[Principal, Depends(require_whmcs_or_user)]
InstanceToken = Annotated[str, Depends(require_instance)]


def parse(model: type[Body], body: bytes) -> Body:
    """Validate a raw JSON body into a contract model; VALIDATION_ERROR otherwise.

    Strictly, as the OpenAPI document describes it: a number is no string or time, a string
    no number. JSON does not tell `1` from `1.0`, and neither does the document's `integer`;
    the contract's ids are strict integers, so a body that fails is read again with each
    integral number written as an integer before it is refused.
    """
    try:
        return model.model_validate_json(body or b"{}", strict=True)
    except ValidationError as error:
        refused = error
    try:
        document = json.loads(body or b"{}", parse_float=_number, parse_constant=_no_constant)
        return model.model_validate_json(json.dumps(document), strict=True)
    except ValidationError as error:
        raise validation_error(error) from error
    except (ValueError, RecursionError):  # not JSON: the first refusal says where
        raise validation_error(refused) from refused


def _number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _no_constant(text: str) -> None:
    raise ValueError(f"{text} is not JSON")


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a JSON body the route validates itself (after checking its signature).

    Nested models are referred to as components (`openapi.exact` moves them there).
    """
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
