"""One handler per command on `billing.commands`, found by the command's type.

A handler gets the application, the command and its (new) job, and returns the aggregates it
changed; `handle_command` saves them with the job and the command's position in one
transaction. A command handled before (its job exists) changes nothing; a refused one
(`Refused`) stores its failed job and nothing else.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from hostplane.billing.application import (
    account_holds,
    cloudpod_names,
    customer_accounts,
    orders,
    payment_methods,
)
from hostplane.billing.application.service import Billing
from hostplane.billing.domain.accounts import ClientUser, Operator, Tenant
from hostplane.billing.domain.catalog import Coupon, Product
from hostplane.billing.domain.customer import Customer
from hostplane.billing.domain.errors import Refused, not_found
from hostplane.billing.domain.periods import valid_timezone
from hostplane.billing.domain.pricing import PricingError
from hostplane.contracts.billing import ProductType
from hostplane.contracts.commands import billing as commands
from hostplane.messaging.eventstore import Position
from hostplane.messaging.jobs import Job
from hostplane.providers.errors import ProviderError

Changed = list[Aggregate]
Handler = Callable[[Billing, Any, Job], Changed]


def handle_command(
    app: Billing, command: commands.BillingCommand, job_id: UUID, position: Position | None
) -> None:
    """Carry out one command from `billing.commands` as job `job_id`."""
    job = app.new_job(job_id, type(command).__name__, command.subject_id)
    if job is None:
        app.save_tracked(position=position)  # a redelivered command whose job exists
        return
    if type(command) in NUMBERING:
        # Numbers come from one series per tenant and year: commands that may take one take
        # turns, across replicas, rather than lose the race to each other's save.
        with app.numbering:
            app.save_tracked(*carry_out(app, command, job), position=position)
    else:
        app.save_tracked(*carry_out(app, command, job), position=position)


def handle_commands_together(
    app: Billing, batch: list[tuple[commands.BillingCommand, UUID]], position: Position | None
) -> None:
    """Carry out a run of commands (renewals, in bulk) in one numbering turn and one save.

    Each command finds what the ones before it changed (its number series above all). Only
    commands whose handlers refuse before changing anything may run together: a refusal
    leaves the run's other changes as they are.
    """
    handled = app.existing(job_id for _, job_id in batch)
    with app.numbering, app.together() as changed:
        for command, job_id in batch:
            if job_id in handled or job_id in changed:
                continue  # handled before, or earlier in this run
            job = Job(job_id=job_id, command=type(command).__name__, subject_id=command.subject_id)
            changed.update((aggregate.id, aggregate) for aggregate in carry_out(app, command, job))
        app.save_tracked(*changed.values(), position=position)


def carry_out(app: Billing, command: commands.BillingCommand, job: Job) -> Changed:
    """The command's job, succeeded or failed, and the aggregates it changed."""
    try:
        changed = COMMAND_HANDLERS[type(command)](app, command, job)
    except Refused as refusal:
        job.fail(refusal.code, refusal.message)
        changed = []
    except PricingError as error:
        job.fail(error.code, str(error))
        changed = []
    except ProviderError as error:
        job.fail(error.code, error.message)
        changed = []
    job.succeed()  # unless it failed above or in the handler
    return [job, *_unique(changed)]


def _unique(changed: Changed) -> Changed:
    seen: dict[UUID, Aggregate] = {}
    for aggregate in changed:
        seen.setdefault(aggregate.id, aggregate)
    return list(seen.values())


# ---- accounts ----------------------------------------------------------------------------


def create_tenant(app: Billing, command: commands.CreateTenant, job: Job) -> Changed:
    if app.find(Tenant, Tenant.create_id(command.name)) is not None:
        return []  # a retried create: tenant ids come from their names
    return [Tenant(name=command.name, status=command.status, actor_id=command.actor_id)]


def _tenant(app: Billing, tenant_id: UUID) -> Tenant:
    tenant = app.find(Tenant, tenant_id)
    if tenant is None:
        raise not_found("tenant", tenant_id)
    return tenant


def create_user(app: Billing, command: commands.CreateUser, job: Job) -> Changed:
    _tenant(app, command.tenant_id)
    email = str(command.email).lower()
    existing = app.find(Operator, Operator.create_id(email))
    if existing is not None and not existing.deleted:
        if existing.tenant_id == command.tenant_id and existing.id == command.user_id:
            return []
        raise Refused("CONFLICT", f"{email} is taken")
    return [
        Operator(
            email=email,
            tenant_id=command.tenant_id,
            name=command.name,
            roles=[role.value for role in command.roles],
            status=command.status,
            password=app.sealed_hash(command.password),
            actor_id=command.actor_id,
        )
    ]


def update_user(app: Billing, command: commands.UpdateUser, job: Job) -> Changed:
    operator = app.in_tenant(Operator, command.user_id, command.tenant_id)
    if operator.deleted:
        raise not_found("user", command.user_id)
    operator.update(
        command.actor_id,
        name=command.name,
        roles=[role.value for role in command.roles] if command.roles is not None else None,
        status=command.status,
        password=app.sealed_hash(command.password) if command.password else None,
    )
    return [operator]


def delete_user(app: Billing, command: commands.DeleteUser, job: Job) -> Changed:
    operator = app.in_tenant(Operator, command.user_id, command.tenant_id)
    operator.delete(command.actor_id)
    return [operator]


def register_user(app: Billing, command: commands.RegisterUser, job: Job) -> Changed:
    user = app.find(ClientUser, ClientUser.create_id(command.whmcs_client_id))
    if user is None:
        return [ClientUser(whmcs_client_id=command.whmcs_client_id, email=str(command.email))]
    user.log_in(str(command.email))
    return [user]


# ---- customers ---------------------------------------------------------------------------


def create_customer(app: Billing, command: commands.CreateCustomer, job: Job) -> Changed:
    _tenant(app, command.tenant_id)
    if not valid_timezone(command.timezone):
        raise Refused("VALIDATION_ERROR", f"{command.timezone} is not a time zone")
    existing = app.find(Customer, command.customer_id)
    if existing is not None:
        if existing.tenant_id != command.tenant_id:
            raise Refused("CONFLICT", "that customer id is taken")
        return []
    return [
        Customer(
            customer_id=command.customer_id,
            tenant_id=command.tenant_id,
            name=command.name,
            email=str(command.email),
            phone=command.phone,
            address=command.address.model_dump(),
            timezone=command.timezone,
            actor_id=command.actor_id,
            account_id=None,  # an operator's customer signs in nowhere
        )
    ]


def update_customer(app: Billing, command: commands.UpdateCustomer, job: Job) -> Changed:
    customer = app.in_tenant(Customer, command.customer_id, command.tenant_id)
    if command.timezone is not None and not valid_timezone(command.timezone):
        raise Refused("VALIDATION_ERROR", f"{command.timezone} is not a time zone")
    customer.update(
        command.actor_id,
        name=command.name,
        email=str(command.email) if command.email else None,
        phone=command.phone,
        address=command.address.model_dump() if command.address else None,
        timezone=command.timezone,
        status=command.status,
    )
    return [customer]


# ---- catalog -----------------------------------------------------------------------------


def _check_prices(command: commands.CreateProduct | commands.UpdateProduct) -> None:
    cycles = [p.cycle for p in command.prices or []]
    if len(set(cycles)) != len(cycles):
        raise Refused("VALIDATION_ERROR", "one price per billing cycle")


def _placement(app: Billing, command: Any, product_type: str) -> dict[str, str] | None:
    placement = command.placement
    if product_type != ProductType.CLOUDPOD.value:
        return None
    if placement is None:
        raise Refused("VALIDATION_ERROR", "a cloudpod product needs a plan and a region")
    if not app.catalog.region_available(placement.region):
        raise Refused("VALIDATION_ERROR", f"region {placement.region.value} is not sold")
    return {"plan": placement.plan.value, "region": placement.region.value}


def create_product(app: Billing, command: commands.CreateProduct, job: Job) -> Changed:
    _tenant(app, command.tenant_id)
    _check_prices(command)
    if app.find(Product, command.product_id) is not None:
        return []
    return [
        Product(
            product_id=command.product_id,
            tenant_id=command.tenant_id,
            name=command.name,
            product_type=command.product_type.value,
            sku=command.sku,
            prices=[p.model_dump(mode="json") for p in command.prices],
            specs=command.specs.model_dump(),
            status=command.status,
            placement=_placement(app, command, command.product_type.value),
            actor_id=command.actor_id,
        )
    ]


def update_product(app: Billing, command: commands.UpdateProduct, job: Job) -> Changed:
    product = app.in_tenant(Product, command.product_id, command.tenant_id)
    _check_prices(command)
    product.update(
        command.actor_id,
        name=command.name,
        prices=[p.model_dump(mode="json") for p in command.prices] if command.prices else None,
        specs=command.specs.model_dump() if command.specs else None,
        status=command.status,
        placement=_placement(app, command, product.product_type) if command.placement else None,
    )
    return [product]


def retire_product(app: Billing, command: commands.RetireProduct, job: Job) -> Changed:
    product = app.in_tenant(Product, command.product_id, command.tenant_id)
    product.retire(command.actor_id)
    return [product]


def create_coupon(app: Billing, command: commands.CreateCoupon, job: Job) -> Changed:
    _tenant(app, command.tenant_id)
    if command.kind.value == "percent" and command.value > 100:
        raise Refused("VALIDATION_ERROR", "a percent coupon takes 1 to 100")
    if command.kind.value == "fixed" and not command.currency:
        raise Refused("VALIDATION_ERROR", "a fixed coupon needs a currency")
    if app.find(Coupon, Coupon.create_id(command.tenant_id, command.code)) is not None:
        raise Refused("CONFLICT", f"coupon {command.code} exists")
    return [
        Coupon(
            tenant_id=command.tenant_id,
            code=command.code,
            kind=command.kind.value,
            value=command.value,
            currency=command.currency.upper() if command.currency else None,
            expires_at=command.expires_at,
            max_uses=command.max_uses,
            actor_id=command.actor_id,
        )
    ]


# Commands whose handling may finalise an invoice or a credit note (and take a number).
NUMBERING: frozenset[type[Any]] = frozenset(
    {
        commands.PlaceOrder,
        commands.OrderVps,
        commands.RenewSubscription,
        commands.ChangeSubscriptionPlan,
        commands.SetInvoiceStatus,
    }
)

COMMAND_HANDLERS: dict[type[Any], Handler] = {
    commands.CreateTenant: create_tenant,
    commands.CreateUser: create_user,
    commands.UpdateUser: update_user,
    commands.DeleteUser: delete_user,
    commands.RegisterUser: register_user,
    commands.CreateCustomer: create_customer,
    commands.UpdateCustomer: update_customer,
    commands.CreateProduct: create_product,
    commands.UpdateProduct: update_product,
    commands.RetireProduct: retire_product,
    commands.CreateCoupon: create_coupon,
    **customer_accounts.HANDLERS,
    **payment_methods.HANDLERS,
    **account_holds.HANDLERS,
    **cloudpod_names.HANDLERS,
    **orders.HANDLERS,
}
