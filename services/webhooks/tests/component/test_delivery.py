"""Outgoing webhooks end to end on the real Kafka and PostgreSQL: events become signed
deliveries, retried on the clock's schedule, in order per VPS, once per event."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from hostplane.contracts import events as e
from hostplane.contracts.commands.webhooks import (
    CreateWebhookEndpoint,
    RedeliverWebhook,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)
from hostplane.messaging.clock import SystemClock
from hostplane.messaging.eventstore import Position
from hostplane.webhooks.adapters.sender import HttpSender
from hostplane.webhooks.adapters.store import WebhookStore
from hostplane.webhooks.application.service import Webhooks
from hostplane.webhooks.domain.signing import (
    SEED_SIGNATURE,
    new_secret,
    verify_seed,
    verify_standard,
)
from services.webhooks.tests.component.conftest import Service
from tests.conftest import wait_until


def created(instance_id: UUID) -> e.InstanceCreated:
    return e.InstanceCreated(
        occurred_at=datetime.now(UTC),
        instance_id=instance_id,
        job_id=None,
        whmcs_service_id=7,
        whmcs_client_id=42,
        plan="starter",
        region="eu-frankfurt",
        email="owner@example.com",
        subdomain=f"vps-{instance_id.hex[:6]}",
        server_type="cx22",
        location="fsn1",
        ai_preset=None,
        ready_token_sha256="0" * 64,
    )


def suspended(instance_id: UUID) -> e.InstanceSuspended:
    return e.InstanceSuspended(occurred_at=datetime.now(UTC), instance_id=instance_id)


def delivery(service: Service, endpoint_id: UUID) -> tuple[str, int, int | None] | None:
    """(status, attempts, last status) of the endpoint's only delivery."""
    row = service.row(
        "SELECT status, attempts, last_status FROM deliveries WHERE endpoint_id = %s", endpoint_id
    )
    return (row[0], row[1], row[2]) if row else None


def test_a_created_vps_is_delivered_with_both_signatures(service: Service) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.*"])
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)

    [got] = wait_until(lambda: service.receiver.at(path), 30, 0.005, what="the delivery")
    assert got.seed_valid and got.standard_valid
    assert got.headers["user-agent"] == "Hostplane-Webhooks/1"
    assert got.headers["content-type"] == "application/json"
    body = got.body.decode()
    assert '"event":"vps.created"' in body and str(instance_id) in body
    wait_until(lambda: delivery(service, endpoint_id) == ("delivered", 1, 200), 10)
    assert got.headers["webhook-id"] == str(
        service.row("SELECT id FROM deliveries WHERE endpoint_id = %s", endpoint_id)[0]  # type: ignore[index]
    )


def test_an_endpoint_that_fails_then_recovers_is_delivered_after_the_clock_moves(
    service: Service,
) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.created"])
    service.receiver.answers[path] = [(500, {})]
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)

    wait_until(lambda: delivery(service, endpoint_id) == ("pending", 1, 500), 30)
    first_failure = service.row("SELECT first_failure_at FROM endpoints WHERE id = %s", endpoint_id)
    assert first_failure and first_failure[0] is not None

    service.move_clock(timedelta(seconds=6))  # past the first retry's wait (at most 5 s)
    wait_until(lambda: delivery(service, endpoint_id) == ("delivered", 2, 200), 30)
    assert [r.processed for r in service.receiver.at(path)] == [False, True]
    assert service.row("SELECT first_failure_at FROM endpoints WHERE id = %s", endpoint_id) == (
        None,
    )
    attempts = service.rows(
        "SELECT a.n, a.status FROM attempts a JOIN deliveries d ON d.id = a.delivery_id "
        "WHERE d.endpoint_id = %s ORDER BY n",
        endpoint_id,
    )
    assert attempts == [(1, 500), (2, 200)]


def test_410_disables_the_endpoint_and_cancels_what_it_had_pending(service: Service) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.*"])
    service.receiver.answers[path] = [(410, {})]
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)
    service.event(suspended(instance_id), instance_id, 2)  # waits behind the first

    wait_until(
        lambda: (
            service.row("SELECT enabled, disabled_reason FROM endpoints WHERE id = %s", endpoint_id)
            == (False, "the endpoint answered 410 Gone")
        ),
        30,
    )
    # The second event met either a pending delivery (cancelled with the endpoint) or, when
    # it arrived after the 410, a disabled endpoint (no delivery at all).
    wait_until(service.consumed, 30, what="the second event consumed")
    statuses = service.rows(
        "SELECT event, status FROM deliveries WHERE endpoint_id = %s ORDER BY seq", endpoint_id
    )
    assert statuses in (
        [("vps.created", "failed"), ("vps.stopped", "cancelled")],
        [("vps.created", "failed")],
    )
    assert len(service.receiver.at(path)) == 1


def test_retry_after_is_honoured(service: Service) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.created"])
    service.receiver.answers[path] = [(503, {"Retry-After": "7200"})]
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)

    wait_until(lambda: delivery(service, endpoint_id) == ("pending", 1, 503), 30)
    row = service.row(
        "SELECT d.next_attempt_at - a.at FROM deliveries d JOIN attempts a ON a.delivery_id = d.id "
        "WHERE d.endpoint_id = %s",
        endpoint_id,
    )
    assert row is not None and row[0] >= timedelta(seconds=7200)

    service.receiver.answers[path] = []
    service.move_clock(timedelta(hours=2))
    wait_until(lambda: delivery(service, endpoint_id) == ("delivered", 2, 200), 30)


def test_an_event_published_twice_is_delivered_once(service: Service) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.created"])
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)
    wait_until(lambda: delivery(service, endpoint_id) == ("delivered", 1, 200), 30)

    service.event(created(instance_id), instance_id, 1)  # another relay published it again
    marker = uuid.uuid4()
    service.event(created(marker), marker, 1)  # published after it: once this is delivered...
    wait_until(
        lambda: service.row(
            "SELECT 1 FROM deliveries WHERE endpoint_id = %s AND ordering_key = %s AND status = 'delivered'",
            endpoint_id,
            str(marker),
        ),
        30,
    )
    assert len(service.receiver.at(path)) == 2  # ...the republished one was not
    assert service.row(
        "SELECT count(*) FROM deliveries WHERE endpoint_id = %s AND ordering_key = %s",
        endpoint_id,
        str(instance_id),
    ) == (1,)


def test_a_redelivery_keeps_its_webhook_id_so_the_receiver_drops_it(service: Service) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.created"])
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)
    wait_until(lambda: delivery(service, endpoint_id) == ("delivered", 1, 200), 30)
    delivery_id = service.row("SELECT id FROM deliveries WHERE endpoint_id = %s", endpoint_id)[0]  # type: ignore[index]

    service.command(RedeliverWebhook(delivery_id=delivery_id), delivery_id)
    received = wait_until(lambda: len(r := service.receiver.at(path)) == 2 and r, 30)
    assert {r.headers["webhook-id"] for r in received} == {str(delivery_id)}
    assert [r.processed for r in received] == [True, False]
    assert all(r.seed_valid and r.standard_valid for r in received)
    wait_until(lambda: delivery(service, endpoint_id) == ("delivered", 2, 200), 30)


def test_a_vps_events_stay_in_order_while_an_earlier_one_is_retried(service: Service) -> None:
    endpoint_id, path, _ = service.endpoint(["vps.*"])
    service.receiver.answers[path] = [(500, {})]
    first, other = uuid.uuid4(), uuid.uuid4()
    service.event(created(first), first, 1)
    wait_until(
        lambda: service.row(
            "SELECT 1 FROM deliveries WHERE endpoint_id = %s AND attempts = 1 AND status = 'pending'",
            endpoint_id,
        ),
        30,
    )
    service.event(suspended(first), first, 2)
    service.event(created(other), other, 1)  # another VPS: not held back

    wait_until(
        lambda: service.row(
            "SELECT 1 FROM deliveries WHERE endpoint_id = %s AND ordering_key = %s AND status = 'delivered'",
            endpoint_id,
            str(other),
        ),
        30,
    )
    held = service.row(
        "SELECT status, attempts FROM deliveries WHERE endpoint_id = %s AND ordering_key = %s AND event = 'vps.stopped'",
        endpoint_id,
        str(first),
    )
    assert held == ("pending", 0)

    service.move_clock(timedelta(seconds=6))
    wait_until(
        lambda: (
            service.row(
                "SELECT count(*) FROM deliveries WHERE endpoint_id = %s AND ordering_key = %s AND status = 'delivered'",
                endpoint_id,
                str(first),
            )
            == (2,)
        ),
        30,
    )
    events = [
        r.body for r in service.receiver.at(path) if r.processed and str(first).encode() in r.body
    ]
    assert [b'"vps.created"' in b for b in events] == [True, False]
    assert b'"vps.stopped"' in events[1]


def test_a_rotated_secret_signs_beside_the_new_one(service: Service) -> None:
    endpoint_id, path, old = service.endpoint(["vps.created"])
    new = new_secret()
    service.command(
        RotateWebhookSecret(endpoint_id=endpoint_id, secret=service.box.seal(new)), endpoint_id
    )
    wait_until(
        lambda: (
            service.row(
                "SELECT jsonb_array_length(secrets) FROM endpoints WHERE id = %s", endpoint_id
            )
            == (2,)
        ),
        30,
    )
    instance_id = uuid.uuid4()
    service.event(created(instance_id), instance_id, 1)

    [got] = wait_until(lambda: service.receiver.at(path), 30)
    now = service.clock.now()
    assert verify_standard(got.body, got.headers, [old], now)
    assert verify_standard(got.body, got.headers, [new], now)
    assert len(got.headers["webhook-signature"].split()) == 2
    assert verify_seed(got.body, got.headers[SEED_SIGNATURE.lower()], new)


def test_a_command_handled_twice_changes_nothing(service: Service) -> None:
    endpoint_id, _, _ = service.endpoint(["vps.created"])
    first = service.command(
        UpdateWebhookEndpoint(endpoint_id=endpoint_id, description="first"), endpoint_id
    )
    service.command(
        UpdateWebhookEndpoint(endpoint_id=endpoint_id, description="second"), endpoint_id
    )
    wait_until(
        lambda: (
            service.row("SELECT description FROM endpoints WHERE id = %s", endpoint_id)
            == ("second",)
        ),
        30,
    )
    again = UpdateWebhookEndpoint(endpoint_id=endpoint_id, description="first")
    service.command(again, endpoint_id, command_id=first)  # the same command, delivered again
    marker = service.command(
        UpdateWebhookEndpoint(endpoint_id=endpoint_id, events=["vps.*"]), endpoint_id
    )
    wait_until(lambda: service.row("SELECT 1 FROM commands WHERE id = %s", marker), 30)
    assert service.row("SELECT description FROM endpoints WHERE id = %s", endpoint_id) == (
        "second",
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://169.254.169.254/latest"])
def test_an_internal_target_is_refused_when_not_allowed(service: Service, url: str) -> None:
    """The running service allows private targets (its receiver is local); one that does not
    refuses the command, and its sender refuses before connecting."""
    app = Webhooks(WebhookStore(service.database_url), SystemClock(), allow_private_targets=False)
    try:
        command_id = uuid.uuid4()
        create = CreateWebhookEndpoint(
            endpoint_id=uuid.uuid4(), url=url, events=["*"], secret=service.box.seal(new_secret())
        )
        position = Position(f"refusals-{command_id}", 0, 0)
        assert app.handle_command(position, command_id, create)
    finally:
        app.close()
    outcome = service.row("SELECT outcome, error FROM commands WHERE id = %s", command_id)
    assert outcome is not None and outcome[0] == "refused" and url in outcome[1]
    assert service.row("SELECT 1 FROM endpoints WHERE id = %s", create.endpoint_id) is None

    async def post() -> str | None:
        sender = HttpSender(timeout_s=2, allow_private=False)
        try:
            sent = await sender.post(url, b"{}", {})
        finally:
            await sender.close()
        assert sent.status is None
        return sent.error

    error = asyncio.run(post())
    assert error is not None and error.startswith("refused:")
