"""The envelope of every answer: `{success, data, pagination}` or `{success, error}`, the error
codes with their HTTP statuses, and the page a list query asks for."""

from enum import StrEnum
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import Field, JsonValue

from hostplane.contracts.cloudvps.wire import Body, Id, Request

T = TypeVar("T")


class Pagination(Body):
    page: int
    limit: int
    total: int
    has_next: bool
    has_prev: bool


class Envelope(Body, Generic[T]):
    """A success: the data, and for a list that is paged, where the page lies."""

    success: Literal[True] = True
    data: T
    pagination: Pagination | None = None


class ErrorCode(StrEnum):
    INVALID_REQUEST = "INVALID_REQUEST"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    PROXMOX_ERROR = "PROXMOX_ERROR"  # any provider's failure, whichever cloud it is
    PAYMENT_ERROR = "PAYMENT_ERROR"
    SYSTEM_ERROR = "SYSTEM_ERROR"

    @property
    def status(self) -> int:
        """The HTTP status an answer with this code carries."""
        return HTTP_STATUS[self]


# The contract's table names the codes without statuses; these are the HTTP meanings of its
# descriptions (a malformed request 400, a well-formed one that fails validation 422).
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.VALIDATION_ERROR: 422,
    ErrorCode.PROXMOX_ERROR: 502,
    ErrorCode.PAYMENT_ERROR: 402,
    ErrorCode.SYSTEM_ERROR: 500,
}


class ErrorDetail(Body):
    code: ErrorCode
    message: str
    details: dict[str, JsonValue] = {}


class ErrorResponse(Body):
    """Every answer that is not a success."""

    success: Literal[False] = False
    error: ErrorDetail


class Message(Body):
    """The data of an action that leaves nothing to show (a logout, a new password)."""

    message: str


class InProgress(Body):
    """The data of a 202: the request was taken and its job is still running (or done, and
    not yet shown); the resource's own GET shows its effect. Repeating the request is safe."""

    job_id: Id
    status: Literal["queued", "running", "succeeded"]
    message: str


class Deleted(Body):
    id: Id
    deleted: Literal[True] = True


SortOrder = Literal["asc", "desc"]
Page = Annotated[int, Field(ge=1, le=1_000_000)]
Limit = Annotated[int, Field(ge=1, le=100)]


class ListQuery(Request):
    """The page a list asks for: 20 a page unless told, at most 100; newest first."""

    page: Page = 1
    limit: Limit = 20
    order: SortOrder = "desc"
