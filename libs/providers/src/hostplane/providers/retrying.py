"""Retries for provider calls: exponential backoff with jitter, or the provider's `Retry-After`.

Every provider call Hostplane makes is safe to repeat (servers and records are looked up by
the instance before they are created), so a transient failure is simply tried again.
"""

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from hostplane.providers.errors import TransientError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ATTEMPTS = 8
BACKOFF = wait_exponential_jitter(multiplier=0.2, max=10.0, jitter=0.5)
# A `Retry-After` longer than this is cut short: the budget paces the next try anyway.
RETRY_AFTER_CAP_S = 60.0


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TransientError)


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float):
        return min(float(retry_after), RETRY_AFTER_CAP_S)
    return float(BACKOFF(state))


def retrying(
    provider: str,
    transient: Callable[[BaseException], bool] = is_transient,
    attempts: int = ATTEMPTS,
) -> Callable[[F], F]:
    """Retry a call to `provider` while it fails with an error `transient` accepts."""

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s call failed, retrying (attempt %d): %s", provider, state.attempt_number, error
        )

    decorator = retry(
        retry=retry_if_exception(transient),
        wait=_wait,
        stop=stop_after_attempt(attempts),
        before_sleep=log_retry,
        reraise=True,
    )
    return cast(Callable[[F], F], decorator)
