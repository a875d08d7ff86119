"""Wiring: settings → attachment store → application, and the outbox's translation. Tests
wire fakes the same way."""

from uuid import UUID

from hostplane.messaging.eventstore import create_event_store, event_store_env
from hostplane.support.adapters.attachments import (
    AttachmentBlobs,
    InMemoryAttachments,
    PostgresAttachments,
)
from hostplane.support.adapters.publishing import Translator
from hostplane.support.application.service import Support
from hostplane.support.domain.ticket import Ticket
from hostplane.support.settings import Settings

SCHEMA = "support"


def attachment_store(settings: Settings) -> AttachmentBlobs:
    """Where attachments' bytes are kept: beside the events, or in memory with them."""
    if settings.event_store == "memory":
        return InMemoryAttachments()
    store = PostgresAttachments(settings.database_url, SCHEMA)
    if settings.creates_schema:
        store.create_table()
    return store


def bootstrap(settings: Settings, attachments: AttachmentBlobs | None = None) -> Support:
    """The support application on its own PostgreSQL schema."""
    return Support(
        env=event_store_env(settings, SCHEMA),
        attachments=attachments if attachments is not None else attachment_store(settings),
        limits=settings.attachment_limits,
    )


def translator(app: Support) -> Translator:
    """The outbox's translation, reading each ticket at the version of its event."""

    def ticket_at(ticket_id: UUID, version: int) -> Ticket:
        ticket: Ticket = app.repository.get(ticket_id, version=version)
        assert isinstance(ticket, Ticket)
        return ticket

    return Translator(ticket_at)


def create_schema(database_url: str) -> None:
    """Create the support schema: the event store and the attachments' table
    (`python -m hostplane.schema`)."""
    create_event_store(database_url, SCHEMA)
    PostgresAttachments(database_url, SCHEMA).create_table()
