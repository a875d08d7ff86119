"""`/api/v1/users`: the signed-in user's profile and password."""

from fastapi import APIRouter

from hostplane.contracts.cloudvps.auth import (
    ChangePasswordRequest,
    UpdateProfileRequest,
    UserProfile,
)
from hostplane.contracts.cloudvps.envelope import Envelope, Message
from hostplane.gateway.entrypoints.cloudvps import presenters
from hostplane.gateway.entrypoints.cloudvps.dependencies import AccountsDep, SignedIn
from hostplane.gateway.entrypoints.cloudvps.errors import refusals
from hostplane.gateway.entrypoints.cloudvps.routes import EnvelopeRoute

router = APIRouter(prefix="/api/v1/users", tags=["users"], route_class=EnvelopeRoute)


@router.get(
    "/profile",
    response_model=Envelope[UserProfile],
    responses=refusals(401),
)
async def get_profile(caller: SignedIn, accounts: AccountsDep) -> Envelope[UserProfile]:
    return Envelope(data=presenters.profile(await accounts.profile(caller)))


@router.put(
    "/profile",
    response_model=Envelope[UserProfile],
    responses=refusals(401, 403, 409),
)
async def update_profile(
    body: UpdateProfileRequest, caller: SignedIn, accounts: AccountsDep
) -> Envelope[UserProfile]:
    email = str(body.email) if body.email is not None else None
    updated = await accounts.update_profile(caller, body.name, email)
    return Envelope(data=presenters.profile(updated))


@router.post("/change-password", response_model=Envelope[Message], responses=refusals(401, 403))
async def change_password(
    body: ChangePasswordRequest, caller: SignedIn, accounts: AccountsDep
) -> Envelope[Message]:
    await accounts.change_password(
        caller, body.current_password.get_secret_value(), body.new_password.get_secret_value()
    )
    return Envelope(data=Message(message="Password changed; other sessions are signed out"))
