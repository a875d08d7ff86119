"""Wiring: settings → store, clock, sender → application and dispatcher. Tests wire the same
way."""

from hostplane.contracts.secrets import SecretBox
from hostplane.messaging.clock import Clock, FileClock, SystemClock
from hostplane.webhooks.adapters.sender import HttpSender
from hostplane.webhooks.adapters.store import WebhookStore
from hostplane.webhooks.application.service import Webhooks
from hostplane.webhooks.domain.targets import Resolver, resolve_with_dns
from hostplane.webhooks.entrypoints.dispatcher import Dispatcher
from hostplane.webhooks.settings import Settings

SCHEMA = "webhooks"


def clock_for(settings: Settings) -> Clock:
    return (
        FileClock(settings.webhooks_clock_file) if settings.webhooks_clock_file else SystemClock()
    )


def bootstrap(
    settings: Settings, clock: Clock | None = None, resolve: Resolver = resolve_with_dns
) -> Webhooks:
    """The webhooks application on its schema, created if missing (unless
    SCHEMA_SETUP=external)."""
    store = WebhookStore(settings.database_url, schema=SCHEMA)
    if settings.creates_schema:
        store.create_schema()
    return Webhooks(
        store, clock or clock_for(settings), settings.webhooks_allow_private_targets, resolve
    )


def dispatcher(
    settings: Settings, app: Webhooks, resolve: Resolver = resolve_with_dns
) -> Dispatcher:
    """The dispatcher sending `app`'s deliveries."""
    sender = HttpSender(
        settings.webhooks_timeout_s,
        settings.webhooks_allow_private_targets,
        resolve,
        connections=settings.webhooks_concurrency,
    )
    return Dispatcher(
        app.store,
        sender,
        SecretBox(settings.config_secrets_key),
        app.clock,
        timeout_s=settings.webhooks_timeout_s,
        concurrency=settings.webhooks_concurrency,
        poll_s=settings.webhooks_poll_s,
        owner_wait_s=settings.webhooks_owner_wait_s,
    )


def create_schema(database_url: str) -> None:
    """Create the webhooks schema and its tables (`python -m hostplane.schema`)."""
    store = WebhookStore(database_url, schema=SCHEMA, pool_size=1)
    try:
        store.create_schema()
    finally:
        store.close()
