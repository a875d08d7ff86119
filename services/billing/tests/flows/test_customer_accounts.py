"""Scenarios: a CloudVPS customer registers, changes its profile and password, is suspended;
an email belongs to one account of a tenant, and a password never leaves in clear."""

from typing import Literal
from uuid import UUID, uuid4, uuid5

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from hostplane.billing.application import Billing, handle_command
from hostplane.billing.application.handlers import carry_out
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.customer_account import Account
from hostplane.billing.domain.passwords import verify_password
from hostplane.contracts import billing_events as be
from hostplane.contracts.commands import billing as c
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE, tenant_id_for
from hostplane.contracts.secrets import SealedSecret
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.jobs import Job
from services.billing.tests.flows.conftest import World

TENANT = tenant_id_for("Hostplane")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def shop(world: World) -> World:
    world.app.ensure_first_admin("Hostplane", "admin@example.com", "a-long-admin-password")
    return world


def _register(
    world: World, email: str, password: str = PASSWORD, tenant_id: UUID = TENANT
) -> tuple[UUID, Job]:
    account_id = uuid4()
    job = world.send(
        c.RegisterAccount(
            tenant_id=tenant_id,
            account_id=account_id,
            email=email,
            name="John Doe",
            password=world.box.seal(password),
        )
    )
    return account_id, job


def _account(world: World, account_id: UUID) -> Account:
    account: Account = world.app.repository.get(account_id)
    return account


def _password(world: World, account: Account) -> str:
    """The argon2 hash the gateway would open."""
    return world.box.open(SealedSecret.model_validate(account.password))


def _account_events(world: World) -> list[be.AccountEvent]:
    return [
        o.payload
        for o in world.publish()
        if isinstance(o, OutgoingEvent) and isinstance(o.payload, be.AccountEvent)
    ]


def test_a_registered_account_is_an_active_user_with_a_customer_who_pays(shop: World) -> None:
    account_id, job = _register(shop, "John.Doe@Example.com")

    assert job.status == "succeeded", job.error_message
    account = _account(shop, account_id)
    assert (account.email, account.role, account.status) == (
        "John.Doe@example.com",
        "user",
        "active",
    )
    assert verify_password(_password(shop, account), PASSWORD)
    customer: Customer = shop.app.repository.get(account.customer_id)
    assert account.customer_id == UUID(job.result["customer_id"])
    assert customer.id == uuid5(HOSTPLANE_NAMESPACE, f"account-customer:{account_id}")
    assert (customer.name, customer.email, customer.timezone) == (
        "John Doe",
        "John.Doe@example.com",
        "UTC",
    )
    assert customer.country == ""
    [registered] = _account_events(shop)
    assert isinstance(registered, be.AccountRegistered)
    assert (registered.account_id, registered.customer_id, registered.status) == (
        account_id,
        customer.id,
        "active",
    )
    assert registered.password_changed_at is None


@pytest.mark.parametrize("again", ["jo@example.com", "JO@Example.com", "  Jo@example.COM "])
def test_an_email_another_account_holds_is_refused(shop: World, again: str) -> None:
    _, first = _register(shop, "jo@example.com")
    second_id, second = _register(shop, again)

    assert first.status == "succeeded", first.error_message
    assert (second.status, second.error_code, second.error_message) == (
        "failed",
        "CONFLICT",
        "An account with this email exists",
    )
    assert shop.app.find(Account, second_id) is None
    assert len(_account_events(shop)) == 1


def test_the_same_email_may_hold_an_account_in_another_tenant(shop: World) -> None:
    other = tenant_id_for("Another brand")
    shop.send(c.CreateTenant(tenant_id=other, name="Another brand"))
    _, first = _register(shop, "jo@example.com")
    _, second = _register(shop, "jo@example.com", tenant_id=other)
    assert (first.status, second.status) == ("succeeded", "succeeded")


def test_of_two_registrations_of_one_email_at_once_one_wins(shop: World) -> None:
    """Both find the email free; the second save finds its claim taken, and handled again
    (as the consumer does on a conflict) it is refused."""
    commands = [
        c.RegisterAccount(
            tenant_id=TENANT,
            account_id=uuid4(),
            email="race@example.com",
            name=f"Racer {n}",
            password=shop.box.seal(PASSWORD),
        )
        for n in (1, 2)
    ]
    jobs = [uuid4(), uuid4()]
    carried = [
        _carried_out(shop.app, command, job) for command, job in zip(commands, jobs, strict=True)
    ]

    shop.app.save_tracked(*carried[0], position=None)
    with pytest.raises(IntegrityError):
        shop.app.save_tracked(*carried[1], position=None)
    loser = shop.send(commands[1], jobs[1])

    assert (loser.status, loser.error_code) == ("failed", "CONFLICT")
    assert shop.app.find(Account, commands[0].account_id) is not None
    assert shop.app.find(Account, commands[1].account_id) is None


def _carried_out(app: Billing, command: c.RegisterAccount, job_id: UUID) -> list[Aggregate]:
    job = app.new_job(job_id, type(command).__name__, command.subject_id)
    assert job is not None
    changed = carry_out(app, command, job)
    assert job.status == "succeeded", job.error_message
    return changed


def test_a_changed_email_frees_the_old_one_for_another_registration(shop: World) -> None:
    account_id, _ = _register(shop, "old@example.com")

    job = shop.send(
        c.UpdateAccountProfile(
            tenant_id=TENANT,
            account_id=account_id,
            actor_id=account_id,
            name="Jane Doe",
            email="new@example.com",
        )
    )

    assert job.status == "succeeded", job.error_message
    account = _account(shop, account_id)
    assert (account.name, account.email) == ("Jane Doe", "new@example.com")
    customer: Customer = shop.app.repository.get(account.customer_id)
    assert (customer.name, customer.email) == ("Jane Doe", "new@example.com")
    _, taken = _register(shop, "NEW@example.com")
    _, freed = _register(shop, "old@example.com")
    assert (taken.error_code, freed.status) == ("CONFLICT", "succeeded")
    updated = [e for e in _account_events(shop) if isinstance(e, be.AccountUpdated)]
    assert [(e.email, e.name, e.actor_id) for e in updated] == [
        ("new@example.com", "Jane Doe", account_id)
    ]


def test_an_accounts_customer_tells_its_account_and_an_operators_customer_none(
    shop: World,
) -> None:
    account_id, _ = _register(shop, "paying@example.com")
    shop.send(c.UpdateAccountProfile(tenant_id=TENANT, account_id=account_id, name="Jo Payer"))
    operators = uuid4()
    shop.send(
        c.CreateCustomer(tenant_id=TENANT, customer_id=operators, name="Al", email="al@example.com")
    )

    published = [
        o.payload
        for o in shop.publish()
        if isinstance(o, OutgoingEvent) and isinstance(o.payload, be.CustomerEvent)
    ]
    told = [(type(e), e.customer_id, e.account_id) for e in published]
    account_customer = _account(shop, account_id).customer_id
    assert told == [
        (be.CustomerCreated, account_customer, account_id),
        (be.CustomerUpdated, account_customer, account_id),
        (be.CustomerCreated, operators, None),
    ]


def test_an_email_held_by_another_account_cannot_be_changed_to(shop: World) -> None:
    account_id, _ = _register(shop, "mine@example.com")
    _register(shop, "theirs@example.com")

    job = shop.send(
        c.UpdateAccountProfile(
            tenant_id=TENANT, account_id=account_id, actor_id=account_id, email="Theirs@example.com"
        )
    )

    assert (job.status, job.error_code) == ("failed", "CONFLICT")
    assert _account(shop, account_id).email == "mine@example.com"
    # Its own email is still its own: nobody else may register it.
    _, again = _register(shop, "mine@example.com")
    assert again.error_code == "CONFLICT"


def test_a_changed_password_is_stored_hashed_with_when_it_changed(shop: World) -> None:
    account_id, _ = _register(shop, "pw@example.com")

    job = shop.send(
        c.ChangeAccountPassword(
            tenant_id=TENANT,
            account_id=account_id,
            actor_id=account_id,
            password=shop.box.seal("a brand new passphrase"),
        )
    )

    assert job.status == "succeeded", job.error_message
    account = _account(shop, account_id)
    assert verify_password(_password(shop, account), "a brand new passphrase")
    assert not verify_password(_password(shop, account), PASSWORD)
    [changed] = [e for e in _account_events(shop) if isinstance(e, be.AccountPasswordChanged)]
    assert changed.password_changed_at == shop.clock.now()
    assert changed.password is not None
    assert changed.password.fingerprint != shop.box.seal("a brand new passphrase").fingerprint


def test_a_suspended_account_is_reactivated_with_its_reasons(shop: World) -> None:
    account_id, _ = _register(shop, "bad@example.com")
    admin = uuid4()

    def set_status(status: Literal["active", "suspended"], reason: str | None) -> Job:
        return shop.send(
            c.SetAccountStatus(
                tenant_id=TENANT,
                account_id=account_id,
                actor_id=admin,
                status=status,
                reason=reason,
            )
        )

    set_status("suspended", "abuse")
    assert _account(shop, account_id).status == "suspended"
    again = set_status("suspended", "abuse")  # already suspended: nothing new
    set_status("active", "appeal granted")

    assert again.status == "succeeded"
    assert _account(shop, account_id).status == "active"
    statuses = [
        (type(e).__name__, e.status, getattr(e, "reason", None), e.actor_id)
        for e in _account_events(shop)
        if isinstance(e, be.AccountSuspended | be.AccountReactivated)
    ]
    assert statuses == [
        ("AccountSuspended", "suspended", "abuse", admin),
        ("AccountReactivated", "active", "appeal granted", admin),
    ]


def test_another_tenants_or_an_unknown_account_is_not_found(shop: World) -> None:
    account_id, _ = _register(shop, "mine@example.com")
    other = tenant_id_for("Another brand")
    shop.send(c.CreateTenant(tenant_id=other, name="Another brand"))

    for command in (
        c.UpdateAccountProfile(tenant_id=other, account_id=account_id, name="Mallory"),
        c.ChangeAccountPassword(
            tenant_id=other, account_id=account_id, password=shop.box.seal("stolen")
        ),
        c.SetAccountStatus(tenant_id=other, account_id=account_id, status="suspended"),
        c.SetAccountStatus(tenant_id=TENANT, account_id=uuid4(), status="suspended"),
    ):
        job = shop.send(command)
        assert (job.status, job.error_code) == ("failed", "NOT_FOUND"), command
    account = _account(shop, account_id)
    assert (account.name, account.status, account.version) == ("John Doe", "active", 1)


def test_registering_in_an_unknown_tenant_is_not_found(shop: World) -> None:
    _, job = _register(shop, "jo@example.com", tenant_id=uuid4())
    assert (job.status, job.error_code) == ("failed", "NOT_FOUND")


def test_a_registration_sent_again_is_one_account(shop: World) -> None:
    command = c.RegisterAccount(
        tenant_id=TENANT,
        account_id=uuid4(),
        email="twice@example.com",
        name="John Doe",
        password=shop.box.seal(PASSWORD),
    )
    first, second = shop.send(command), shop.send(command)
    handle_command(shop.app, command, first.id, None)  # redelivered: its job exists

    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert first.result == second.result
    assert len(_account_events(shop)) == 1


def test_no_published_payload_holds_a_password_in_clear(shop: World) -> None:
    account_id, _ = _register(shop, "clear@example.com", password="plain-text-secret-1")
    shop.send(
        c.ChangeAccountPassword(
            tenant_id=TENANT,
            account_id=account_id,
            password=shop.box.seal("plain-text-secret-2"),
        )
    )
    shop.send(c.UpdateAccountProfile(tenant_id=TENANT, account_id=account_id, name="Clear"))
    shop.send(c.SetAccountStatus(tenant_id=TENANT, account_id=account_id, status="suspended"))

    published = [o for o in shop.publish() if isinstance(o, OutgoingEvent)]
    assert {type(o.payload) for o in published} >= {
        be.AccountRegistered,
        be.AccountPasswordChanged,
        be.AccountUpdated,
        be.AccountSuspended,
        be.CustomerCreated,
        be.CustomerUpdated,
    }
    for outgoing in published:
        body = outgoing.payload.model_dump_json()
        assert "plain-text-secret" not in body
        assert "$argon2" not in body  # the hash travels sealed
