"""What CloudVPS's routes depend on: its use cases and the signed-in caller."""

from typing import Annotated

from fastapi import Depends, Request

from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.entrypoints.dependencies import GatewayDep


async def accounts(gateway: GatewayDep) -> Accounts:
    return gateway.cloudvps.accounts


AccountsDep = Annotated[Accounts, Depends(accounts)]


async def signed_in(request: Request, accounts: AccountsDep) -> Caller:
    """The caller a bearer token names: 401 without a good one, or for a suspended account."""
    return await accounts.authenticate(request.headers.get("authorization"))


SignedIn = Annotated[Caller, Depends(signed_in)]
