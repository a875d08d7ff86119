"""Handlers of the commands about CloudVPS accounts: registration, profile, password, status.

An account's email is claimed in the transaction that stores the account (`EmailClaim`), and
its customer, who pays for it, is made and kept in step with it.
"""

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from hostplane.billing.application.service import Billing
from hostplane.billing.domain.accounts import Tenant
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.customer_account import Account, EmailClaim, email_key
from hostplane.billing.domain.errors import Refused, not_found
from hostplane.contracts.billing import Address
from hostplane.contracts.commands import billing as commands
from hostplane.messaging.jobs import Job

Changed = list[Aggregate]

EMAIL_TAKEN = "An account with this email exists"


def register_account(app: Billing, command: commands.RegisterAccount, job: Job) -> Changed:
    """The account, its email's claim, and the customer who pays for it."""
    if app.find(Tenant, command.tenant_id) is None:
        raise not_found("tenant", command.tenant_id)
    email = str(command.email)
    existing = app.find(Account, command.account_id)
    if existing is not None:
        if existing.tenant_id != command.tenant_id or email_key(existing.email) != email_key(email):
            raise Refused("CONFLICT", "that account id is taken")
        job.succeed(_registered(existing))  # the same registration, sent again
        return []
    claim = _claim(app, command.tenant_id, email, command.account_id)
    account = Account(
        account_id=command.account_id,
        tenant_id=command.tenant_id,
        email=email,
        name=command.name,
        password=app.sealed_hash(command.password),
        actor_id=command.actor_id,
    )
    customer = Customer(
        customer_id=account.customer_id,
        tenant_id=command.tenant_id,
        name=command.name,
        email=email,
        phone="",
        address=Address().model_dump(),
        timezone="UTC",
        actor_id=command.actor_id,
        account_id=account.id,
    )
    job.succeed(_registered(account))
    return [account, claim, customer]


def _registered(account: Account) -> dict[str, str]:
    return {"account_id": str(account.id), "customer_id": str(account.customer_id)}


def update_account_profile(
    app: Billing, command: commands.UpdateAccountProfile, job: Job
) -> Changed:
    """A new name or email, for the account and its customer; a new email changes hands."""
    account = app.in_tenant(Account, command.account_id, command.tenant_id)
    changed: Changed = [account]
    email = str(command.email) if command.email is not None else None
    if email is not None and email_key(email) != email_key(account.email):
        changed.append(_claim(app, account.tenant_id, email, account.id))
        released = app.find(EmailClaim, EmailClaim.create_id(account.tenant_id, account.email))
        if released is not None:
            released.release(account.id)
            changed.append(released)
    changes = account.update_profile(command.actor_id, name=command.name, email=email)
    customer = app.find(Customer, account.customer_id)
    if changes and customer is not None:
        customer.update(command.actor_id, **changes)
        changed.append(customer)
    return changed


def change_account_password(
    app: Billing, command: commands.ChangeAccountPassword, job: Job
) -> Changed:
    account = app.in_tenant(Account, command.account_id, command.tenant_id)
    account.change_password(app.sealed_hash(command.password), app.clock.now(), command.actor_id)
    return [account]


def set_account_status(app: Billing, command: commands.SetAccountStatus, job: Job) -> Changed:
    """Suspend the account or reactivate it (a change to the status it has is none)."""
    account = app.in_tenant(Account, command.account_id, command.tenant_id)
    if command.status == "suspended":
        account.suspend(command.reason, command.actor_id)
    else:
        account.reactivate(command.reason, command.actor_id)
    return [account]


def _claim(app: Billing, tenant_id: UUID, email: str, account_id: UUID) -> EmailClaim:
    """The email's claim, taken for the account, unless another account holds it."""
    claim = app.find(EmailClaim, EmailClaim.create_id(tenant_id, email))
    if claim is None:
        return EmailClaim(tenant_id=tenant_id, email=email, account_id=account_id)
    if claim.held_by_another(account_id):
        raise Refused("CONFLICT", EMAIL_TAKEN)
    claim.take(account_id)
    return claim


HANDLERS: dict[type[Any], Any] = {
    commands.RegisterAccount: register_account,
    commands.UpdateAccountProfile: update_account_profile,
    commands.ChangeAccountPassword: change_account_password,
    commands.SetAccountStatus: set_account_status,
}
