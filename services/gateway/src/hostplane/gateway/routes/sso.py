"""Single sign-on from WHMCS into the dashboard.

`POST /api/auth/sso` (WHMCS headers, and a body signed over
`"{client_id}:{service_id}:{email}:{timestamp}"`) answers a client JWT and a one-time link;
`GET /auth/sso?token=…&ts=…` checks that link (5 minutes, once) and redirects into the
dashboard with the session's JWT in the URL fragment, which browsers do not send to servers.
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from hostplane.contracts.commands import provisioning as commands
from hostplane.contracts.identity import user_id_for
from hostplane.contracts.openclaw import ErrorResponse, SsoPayload, SsoRequest, SsoResponse
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.gateway.auth import DatabaseDep, SettingsDep, WhmcsBody, issue_jwt
from hostplane.gateway.deps import BusDep, body_schema, parse
from hostplane.gateway.errors import unauthorized
from hostplane.gateway.settings import Settings

router = APIRouter(tags=["sso"], responses={401: {"model": ErrorResponse}})


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sso_signature(secret: str, client_id: int, service_id: int, email: str, ts: int) -> str:
    """The body signature WHMCS sends to `POST /api/auth/sso`."""
    return _hmac(secret, f"{client_id}:{service_id}:{email}:{ts}")


def link_token(settings: Settings, payload: SsoPayload, ts: int) -> str:
    """`base64url(json payload)` + "." + hex HMAC of that text followed by `ts`."""
    encoded = base64.urlsafe_b64encode(payload.model_dump_json().encode()).decode().rstrip("=")
    return f"{encoded}.{_hmac(settings.whmcs_hmac_secret, encoded + str(ts))}"


def _fresh(settings: Settings, ts: int) -> bool:
    return abs(time.time() - ts) <= settings.sso_window_s


@router.post("/api/auth/sso", response_model=SsoResponse, openapi_extra=body_schema(SsoRequest))
async def sso(body: WhmcsBody, settings: SettingsDep, bus: BusDep) -> SsoResponse:
    """Sign a WHMCS client into the dashboard; its user is created on first sight."""
    request = parse(SsoRequest, body)
    expected = sso_signature(
        settings.whmcs_hmac_secret,
        request.client_id,
        request.service_id,
        str(request.email),
        request.timestamp,
    )
    if not hmac.compare_digest(expected, request.signature.lower()):
        raise unauthorized("Invalid SSO signature")
    if not _fresh(settings, request.timestamp):
        raise unauthorized("SSO timestamp outside the allowed window")
    user_id = user_id_for(request.client_id)
    await bus.send(
        PROVISIONING_COMMANDS,
        user_id,
        commands.RegisterUser(
            user_id=user_id, whmcs_client_id=request.client_id, email=request.email
        ),
    )
    ts = int(time.time())
    payload = SsoPayload(
        client_id=request.client_id, service_id=request.service_id, email=str(request.email)
    )
    link = f"{settings.public_api_url.rstrip('/')}/auth/sso?" + urlencode(
        {"token": link_token(settings, payload, ts), "ts": ts}
    )
    return SsoResponse(
        token=issue_jwt(settings, user_id, "client", settings.session_ttl_s),
        redirect_url=link,
        expires_in=settings.session_ttl_s,
    )


@router.get("/auth/sso", response_class=RedirectResponse, status_code=302)
async def sso_link(token: str, ts: int, settings: SettingsDep, db: DatabaseDep) -> RedirectResponse:
    """Follow a one-time SSO link into the dashboard."""
    encoded, _, signature = token.partition(".")
    expected = _hmac(settings.whmcs_hmac_secret, encoded + str(ts))
    if not signature or not hmac.compare_digest(expected, signature.lower()):
        raise unauthorized("Invalid SSO link")
    if not _fresh(settings, ts):
        raise unauthorized("SSO link expired")
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        payload = SsoPayload.model_validate_json(base64.urlsafe_b64decode(padded))
    except ValueError as error:
        raise unauthorized("Invalid SSO link") from error
    if not await db.first_use(f"sso:{signature}", 2 * settings.sso_window_s):
        raise unauthorized("SSO link already used")
    session = issue_jwt(settings, user_id_for(payload.client_id), "client", settings.session_ttl_s)
    fragment = urlencode({"token": session, "service_id": payload.service_id})
    return RedirectResponse(f"{settings.dashboard_url.rstrip('/')}/sso#{fragment}", 302)
