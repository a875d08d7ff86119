"""Single sign-on from WHMCS into the dashboard (see `application.signon`)."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from hostplane.contracts.openclaw.sso import SsoRequest, SsoResponse
from hostplane.gateway.entrypoints.dependencies import SignOnDep, WhmcsBody, body_schema, parse
from hostplane.gateway.entrypoints.openapi import Responses, refusals

router = APIRouter(tags=["sso"])

REDIRECT: Responses = {
    302: {
        "description": "Into the dashboard, the session's JWT in the URL fragment",
        "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
    }
}


@router.post("/api/auth/sso", response_model=SsoResponse, openapi_extra=body_schema(SsoRequest))
async def sso(body: WhmcsBody, sign_on: SignOnDep) -> SsoResponse:
    """Sign a WHMCS client into the dashboard; its user is created on first sight."""
    session = await sign_on.sign_in(parse(SsoRequest, body))
    return SsoResponse(
        token=session.token, redirect_url=session.link, expires_in=session.expires_in
    )


@router.get(
    "/auth/sso",
    response_class=RedirectResponse,
    status_code=302,
    responses={**REDIRECT, **refusals(401)},
)
async def sso_link(
    token: Annotated[str, Query(max_length=4096)], ts: int, sign_on: SignOnDep
) -> RedirectResponse:
    """Follow a one-time SSO link into the dashboard."""
    return RedirectResponse(await sign_on.follow_link(token, ts), 302)
