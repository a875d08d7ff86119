"""The two ways a provider call fails."""


class ProviderError(Exception):
    """A provider call failed for good (retries exhausted, or the provider said no).

    `code` is what Hostplane reports (an instance's or job's `error_code`).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TransientError(Exception):
    """Throttled, 5xx, locked or unreachable: worth another try, after `retry_after` seconds
    when the provider said so (`Retry-After`)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_of(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header given in seconds (the form providers use)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
