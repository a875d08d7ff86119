"""Seed 002 §1: sign-in, token refresh and the current operator."""

from typing import Annotated
from uuid import UUID

from pydantic import Field, SecretStr

from hostplane.contracts.billing import Role
from hostplane.contracts.mpanel.common import Body, Request


class LoginRequest(Request):
    # Any text: an unknown address is refused like a wrong password, not as malformed.
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[SecretStr, Field(min_length=1, max_length=1024)]


class UserSummary(Body):
    id: UUID
    name: str
    email: str
    roles: list[Role]
    tenant_id: UUID


class LoginResponse(Body):
    token: str
    refresh_token: str
    user: UserSummary


class RefreshRequest(Request):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class RefreshResponse(Body):
    token: str


class Me(UserSummary):
    """The operator and what its roles allow (`["*"]`: everything)."""

    permissions: list[str]
