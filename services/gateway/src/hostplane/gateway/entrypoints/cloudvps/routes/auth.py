"""`/api/v1/auth`: register, sign in, refresh and sign out."""

from fastapi import APIRouter, Request

from hostplane.contracts.cloudvps.auth import (
    AuthToken,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
)
from hostplane.contracts.cloudvps.envelope import Envelope, Message
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import AccountsDep, SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=EnvelopeRoute)


@router.post(
    "/register",
    status_code=201,
    response_model=Envelope[AuthToken],
    responses=refusals(409),
)
async def register(body: RegisterRequest, accounts: AccountsDep) -> Envelope[AuthToken]:
    signed_in = await accounts.register(
        body.name, str(body.email), body.password.get_secret_value()
    )
    return Envelope(data=presenters.auth_token(signed_in))


@router.post(
    "/login",
    response_model=Envelope[AuthToken],
    responses=refusals(401, 403),
)
async def login(body: LoginRequest, request: Request, accounts: AccountsDep) -> Envelope[AuthToken]:
    client = request.client.host if request.client else "unknown"
    signed_in = await accounts.login(str(body.email), body.password.get_secret_value(), client)
    return Envelope(data=presenters.auth_token(signed_in))


@router.post(
    "/refresh",
    response_model=Envelope[AuthToken],
    responses=refusals(401),
)
async def refresh(body: RefreshRequest, accounts: AccountsDep) -> Envelope[AuthToken]:
    return Envelope(data=presenters.auth_token(await accounts.refresh(body.refresh_token)))


@router.post("/logout", response_model=Envelope[Message], responses=refusals(401))
async def logout(caller: SignedIn, accounts: AccountsDep) -> Envelope[Message]:
    await accounts.logout(caller)
    return Envelope(data=Message(message="Signed out"))
