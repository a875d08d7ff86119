"""Metrics' view store against the real PostgreSQL (see `tests.conftest.infra`)."""

from tests.conftest import infra

__all__ = ["infra"]
