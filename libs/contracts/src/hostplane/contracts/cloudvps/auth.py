"""Seed 003, Authentication and Users: sign-in, registration, the token and the profile.

Passwords go in, never out.
"""

from typing import Annotated, Literal

from pydantic import EmailStr, Field, SecretStr
from pydantic.json_schema import SkipJsonSchema

from hostplane.contracts.cloudvps.wire import Body, Changes, Id, Label, Request, Timestamp

Role = Literal["user", "admin"]
UserStatus = Literal["active", "suspended"]
# A password being chosen; one being checked is any text, so a wrong one is not "malformed".
NewPassword = Annotated[SecretStr, Field(min_length=8, max_length=128)]
GivenPassword = Annotated[SecretStr, Field(min_length=1, max_length=1024)]


# An email being signed in with is a name to look up, not one to deliver to: any text with
# an @ (the platform's admin may be `admin@hostplane.test`); a wrong one is refused like a
# wrong password.
SignInEmail = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class LoginRequest(Request):
    email: SignInEmail
    password: GivenPassword


class RegisterRequest(Request):
    name: Label
    email: EmailStr
    password: NewPassword


class AuthUser(Body):
    id: Id
    email: str
    name: str
    role: Role


class AuthToken(Body):
    """A bearer token (JWT) and how many seconds it lives: from login, register and refresh.

    `refresh_token` is Hostplane's addition: it buys the next pair once (`POST
    /auth/refresh`), and is revoked by a logout or a password change."""

    token: str
    user: AuthUser
    expires_in: int
    refresh_token: str | None = None


class RefreshRequest(Request):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class UserProfile(Body):
    id: Id
    name: str
    email: str
    role: Role
    status: UserStatus
    created_at: Timestamp
    stripe_customer_id: str | None = None


class UpdateProfileRequest(Changes):
    name: Label | SkipJsonSchema[None] = None
    email: EmailStr | SkipJsonSchema[None] = None


class ChangePasswordRequest(Request):
    current_password: GivenPassword
    new_password: NewPassword
