"""Seed 002 §4.1: a tenant's operators. Passwords go in, never out."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import EmailStr, Field, SecretStr

from hostplane.contracts.billing import Role
from hostplane.contracts.mpanel.common import Body, ListResponse, Request, Timestamp

Password = Annotated[SecretStr, Field(min_length=8, max_length=1024)]
Roles = Annotated[list[Role], Field(min_length=1, max_length=4)]
UserStatus = Literal["active", "disabled"]


class User(Body):
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    roles: list[Role]
    status: str
    created_at: Timestamp


class UserList(ListResponse[User]):
    pass


class UserCreate(Request):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: EmailStr
    password: Password
    roles: Roles = [Role.VIEWER]
    status: UserStatus = "active"
    # Another tenant's operator: only the platform's admins name one (default: their own).
    tenant_id: UUID | None = None


class UserUpdate(Request):
    """Only the fields given change; a new password is optional."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    email: EmailStr | None = None
    password: Password | None = None
    roles: Roles | None = None
    status: UserStatus | None = None
