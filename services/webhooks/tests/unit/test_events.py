"""The seed's webhook events, the body they travel in, and what an endpoint subscribes to."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from hostplane.contracts.cloudvps.webhooks import WebhookEvent
from hostplane.webhooks.domain.events import EventFilter, WebhookPayload


def test_the_thirteen_seed_events_are_known_by_their_seed_names() -> None:
    assert {event.value for event in WebhookEvent} == {
        "vps.created",
        "vps.started",
        "vps.stopped",
        "vps.deleted",
        "vps.backup.created",
        "vps.backup.failed",
        "invoice.created",
        "invoice.paid",
        "invoice.overdue",
        "payment.succeeded",
        "payment.failed",
        "user.registered",
        "user.suspended",
    }


def test_the_body_is_event_timestamp_and_data_with_the_time_in_utc_and_a_z() -> None:
    paris = timezone(timedelta(hours=1))
    payload = WebhookPayload(
        event=WebhookEvent.VPS_CREATED,
        timestamp=datetime(2025, 1, 15, 11, 0, tzinfo=paris),
        data={"vps_id": "vps-123", "user_id": "user-456", "plan": "Professional VPS"},
    )

    body = payload.body()

    assert body.startswith(b'{"event":"vps.created","timestamp":"2025-01-15T10:00:00Z"')
    assert json.loads(body) == {
        "event": "vps.created",
        "timestamp": "2025-01-15T10:00:00Z",
        "data": {"vps_id": "vps-123", "user_id": "user-456", "plan": "Professional VPS"},
    }


def test_a_timestamp_without_a_zone_is_refused() -> None:
    with pytest.raises(ValidationError):
        WebhookPayload(event=WebhookEvent.INVOICE_PAID, timestamp=datetime(2025, 1, 15), data={})


def test_a_star_subscribes_to_every_event() -> None:
    everything = EventFilter(patterns=("*",))

    assert all(everything.matches(event) for event in WebhookEvent)


def test_a_name_subscribes_to_that_event_alone() -> None:
    paid = EventFilter(patterns=("invoice.paid",))

    assert [event for event in WebhookEvent if paid.matches(event)] == [WebhookEvent.INVOICE_PAID]


def test_a_prefix_subscribes_to_the_events_under_it() -> None:
    vps = EventFilter(patterns=("vps.*",))
    backups = EventFilter(patterns=("vps.backup.*",))

    assert {e for e in WebhookEvent if vps.matches(e)} == {
        WebhookEvent.VPS_CREATED,
        WebhookEvent.VPS_STARTED,
        WebhookEvent.VPS_STOPPED,
        WebhookEvent.VPS_DELETED,
        WebhookEvent.VPS_BACKUP_CREATED,
        WebhookEvent.VPS_BACKUP_FAILED,
    }
    assert {e for e in WebhookEvent if backups.matches(e)} == {
        WebhookEvent.VPS_BACKUP_CREATED,
        WebhookEvent.VPS_BACKUP_FAILED,
    }


def test_patterns_add_up() -> None:
    money = EventFilter(patterns=("invoice.*", "payment.failed"))

    assert money.matches(WebhookEvent.INVOICE_OVERDUE)
    assert money.matches(WebhookEvent.PAYMENT_FAILED)
    assert not money.matches(WebhookEvent.PAYMENT_SUCCEEDED)
    assert not money.matches(WebhookEvent.VPS_CREATED)


def test_a_prefix_matches_whole_name_parts_only() -> None:
    with pytest.raises(ValidationError):
        EventFilter(patterns=("vp*",))
    with pytest.raises(ValidationError):
        EventFilter(patterns=("invoice.pa*",))


@pytest.mark.parametrize(
    "patterns",
    [(), ("vps.rebooted",), ("vsp.*",), ("invoice.paid", "invoices.*"), ("",), ("VPS.CREATED",)],
)
def test_a_subscription_that_matches_nothing_is_refused(patterns: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError):
        EventFilter(patterns=patterns)


def test_a_filter_is_built_from_a_list_as_an_api_body_gives_it() -> None:
    payload = {"patterns": ["user.*"]}

    assert EventFilter.model_validate(payload).matches(WebhookEvent.USER_SUSPENDED)


def test_every_event_time_is_written_in_utc() -> None:
    payload = WebhookPayload(
        event=WebhookEvent.USER_REGISTERED,
        timestamp=datetime(2026, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        data={},
    )

    assert json.loads(payload.body())["timestamp"] == "2026-12-31T23:59:59.500000Z"
