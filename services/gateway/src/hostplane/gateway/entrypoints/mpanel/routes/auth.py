"""Seed 002 §1: sign-in, token refresh and the current operator."""

from fastapi import APIRouter

from hostplane.contracts.mpanel.auth import (
    LoginRequest,
    LoginResponse,
    Me,
    RefreshRequest,
    RefreshResponse,
)
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, SignedIn
from hostplane.gateway.entrypoints.mpanel.openapi import refusals

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", response_model=LoginResponse, responses=refusals(401))
async def login(body: LoginRequest, mpanel: MPanelDep) -> LoginResponse:
    """Sign in with email and password: an access token and a refresh token."""
    signed = await mpanel.sessions.login(body.email, body.password.get_secret_value())
    return presenters.login(signed)


@router.post("/refresh", response_model=RefreshResponse, responses=refusals(401))
async def refresh(body: RefreshRequest, mpanel: MPanelDep) -> RefreshResponse:
    """A new access token for a refresh token, while its operator is active."""
    return RefreshResponse(token=await mpanel.sessions.refresh(body.refresh_token))


@router.get("/me", response_model=Me)
async def me(operator: SignedIn, mpanel: MPanelDep) -> Me:
    """The signed-in operator and what its roles allow."""
    return presenters.me(await mpanel.sessions.me(operator), operator)
