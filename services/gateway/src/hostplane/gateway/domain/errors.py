"""What the gateway refuses, named by the contract's error codes.

The rules and use cases raise these; the HTTP entrypoints choose each one's status.
"""

from hostplane.contracts.openclaw.errors import ErrorCode


class Refused(Exception):
    """A request answered with the contract's error body `{error, code, details}`."""

    default_code: str = ErrorCode.INTERNAL_ERROR

    def __init__(
        self, message: str, details: dict[str, str] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.code = code or str(self.default_code)


class Invalid(Refused):
    default_code = ErrorCode.VALIDATION_ERROR


class InvalidPlan(Invalid):
    default_code = ErrorCode.INVALID_PLAN


class RegionUnavailable(Invalid):
    default_code = ErrorCode.REGION_UNAVAILABLE


class Unauthorized(Refused):
    default_code = ErrorCode.UNAUTHORIZED


class Forbidden(Refused):
    default_code = ErrorCode.FORBIDDEN


class NotFound(Refused):
    default_code = ErrorCode.NOT_FOUND


class HostnameTaken(Refused):
    default_code = ErrorCode.HOSTNAME_TAKEN


class InvalidState(Refused):
    """The instance's state refused the command (the provisioning service judged it)."""

    default_code = ErrorCode.INVALID_STATE


class Conflict(Refused):
    """The request conflicts with what exists (mPanel: an Idempotency-Key reused for another
    body, a billing state that refused the command)."""

    default_code = "CONFLICT"


class PaymentError(Refused):
    """The payment provider refused the payment."""

    default_code = "PAYMENT_ERROR"


class Unprocessable(Refused):
    """A job failed for a reason with no closer status (mPanel: 422 with the job's code)."""

    default_code = "UNPROCESSABLE"


class PayloadTooLarge(Refused):
    default_code = ErrorCode.PAYLOAD_TOO_LARGE


class JobFailed(Refused):
    """A job failed at a provider; `code` is the job's own error code."""

    default_code = ErrorCode.INTERNAL_ERROR


class Unavailable(Refused):
    """A dependency (the database, the broker) does not answer: the caller should retry."""

    default_code = ErrorCode.SERVICE_UNAVAILABLE


class TooManyAttempts(Refused):
    """Too many failed attempts (sign-ins): the next one is heard after `retry_after_s`."""

    default_code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
