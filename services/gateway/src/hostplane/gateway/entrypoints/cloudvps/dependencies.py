"""What CloudVPS's routes depend on: its use cases and the signed-in caller."""

from typing import Annotated

from fastapi import Depends, Request

from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.cloudvps.webhooks import WebhookEndpoints
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import Forbidden
from hostplane.gateway.entrypoints.dependencies import GatewayDep


async def accounts(gateway: GatewayDep) -> Accounts:
    return gateway.cloudvps.accounts


AccountsDep = Annotated[Accounts, Depends(accounts)]


async def signed_in(request: Request, accounts: AccountsDep) -> Caller:
    """The caller a bearer token names: 401 without a good one, or for a suspended account."""
    return await accounts.authenticate(request.headers.get("authorization"))


SignedIn = Annotated[Caller, Depends(signed_in)]


async def admin(caller: SignedIn) -> Caller:
    """A signed-in admin: 403 for anyone else."""
    if not caller.is_admin:
        raise Forbidden("Admins only")
    return caller


Admin = Annotated[Caller, Depends(admin)]


async def webhook_endpoints(gateway: GatewayDep) -> WebhookEndpoints:
    return gateway.cloudvps.webhooks


WebhooksDep = Annotated[WebhookEndpoints, Depends(webhook_endpoints)]
