"""How a failed job is answered: by its error code, which billing and provisioning name."""

from hostplane.gateway.domain.errors import (
    Conflict,
    Invalid,
    NotFound,
    PaymentError,
    Refused,
    Unprocessable,
)

BY_CODE: dict[str, type[Refused]] = {
    "NOT_FOUND": NotFound,
    "VALIDATION_ERROR": Invalid,
    "INVALID_STATE": Conflict,
    "CONFLICT": Conflict,
    "PAYMENT_FAILED": PaymentError,
}
# Billing's catalog and pricing refusals: the request named something it cannot be.
INVALID_PREFIXES = ("COUPON_", "PRODUCT_", "PRICE_")


def job_refusal(code: str | None, message: str | None) -> Refused:
    """The refusal a failed job's `error_code` maps to, carrying that code and message;
    a code with no closer meaning is unprocessable (422)."""
    code = code or "JOB_FAILED"
    kind = BY_CODE.get(code) or (Invalid if code.startswith(INVALID_PREFIXES) else Unprocessable)
    return kind(message or "The job failed", code=code)
