"""What mPanel's routes depend on: its use cases, the signed-in operator and what its roles
allow, and the paging every list takes."""

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from hostplane.gateway.bootstrap import MPanel
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.dependencies import GatewayDep


async def mpanel(gateway: GatewayDep) -> MPanel:
    return gateway.mpanel


MPanelDep = Annotated[MPanel, Depends(mpanel)]


class Allowed:
    """The operator an access token names, if its roles grant `permission` (403 otherwise);
    any signed-in operator without one."""

    def __init__(self, permission: Permission | None = None) -> None:
        self.permission = permission

    async def __call__(self, request: Request, mpanel: MPanelDep) -> Operator:
        operator = mpanel.sessions.authenticate(request.headers.get("authorization"))
        return operator.require(self.permission) if self.permission else operator


def allowed(permission: Permission) -> Any:
    """`Annotated[Operator, allowed(...)]`: an operator allowed `permission`."""
    return Depends(Allowed(permission))


SignedIn = Annotated[Operator, Depends(Allowed())]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=100)]
