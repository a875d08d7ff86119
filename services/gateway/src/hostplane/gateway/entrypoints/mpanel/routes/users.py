"""Seed 002 §4.1: the tenant's operators (admins). Passwords go in, never out."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response

from hostplane.contracts.mpanel.users import User, UserCreate, UserList, UserUpdate
from hostplane.gateway.domain.mpanel.access import Operator, Permission
from hostplane.gateway.entrypoints.mpanel import presenters
from hostplane.gateway.entrypoints.mpanel.dependencies import MPanelDep, PageNo, PageSize, allowed
from hostplane.gateway.entrypoints.mpanel.openapi import WAITED, refusals

router = APIRouter(prefix="/api/users", tags=["users"])

Reader = Annotated[Operator, allowed(Permission.USERS_READ)]
Writer = Annotated[Operator, allowed(Permission.USERS_WRITE)]


@router.get("", response_model=UserList)
async def list_users(
    operator: Reader, mpanel: MPanelDep, page: PageNo = 1, page_size: PageSize = 20
) -> UserList:
    """The tenant's operators."""
    rows = await mpanel.operators.list(operator, page, page_size)
    return presenters.listing(UserList, rows, presenters.user, page, page_size)


@router.get("/{user_id}", response_model=User, responses=refusals(404))
async def get_user(user_id: UUID, operator: Reader, mpanel: MPanelDep) -> User:
    """One of the tenant's operators."""
    return presenters.user(await mpanel.operators.get(operator, user_id))


@router.post("", status_code=201, response_model=User, responses=WAITED)
async def create_user(body: UserCreate, operator: Writer, mpanel: MPanelDep) -> User:
    """A new operator of the tenant (its id comes from its email)."""
    return presenters.user(await mpanel.operators.create(operator, body))


@router.put("/{user_id}", response_model=User, responses=WAITED)
async def update_user(user_id: UUID, body: UserUpdate, operator: Writer, mpanel: MPanelDep) -> User:
    """Change an operator's name, email, roles, status or password."""
    return presenters.user(await mpanel.operators.update(operator, user_id, body))


@router.delete("/{user_id}", status_code=204, response_class=Response, responses=WAITED)
async def delete_user(user_id: UUID, operator: Writer, mpanel: MPanelDep) -> Response:
    """Delete an operator: it can no longer sign in or refresh its tokens."""
    await mpanel.operators.delete(operator, user_id)
    return Response(status_code=204)
