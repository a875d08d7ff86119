"""A billing that answers each command it is sent as the real one would in the scenarios
tested: the read models' rows change and the command's job finishes (provisioning's too,
for a CloudPod's lifecycle)."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from argon2 import PasswordHasher
from pydantic import BaseModel

from hostplane.contracts.billing import InvoiceLine
from hostplane.contracts.commands import billing as bc
from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.identity import cloudpod_instance_id
from hostplane.contracts.secrets import SealedSecret, SecretBox
from hostplane.contracts.topics import PROVISIONING_COMMANDS, Topic
from hostplane.gateway.application.cloudvps.ports import AccountRow
from hostplane.gateway.application.mpanel.readmodels import (
    CouponRow,
    CustomerRow,
    OperatorRow,
    OrderRow,
    ProductRow,
    ProvisioningJobRow,
)
from hostplane.gateway.application.readmodels import JobRow
from services.gateway.tests.mpanel_fakes import BillingRows, FakeBillingReads
from services.gateway.tests.mpanel_rows import NOW, a_cloudpod, an_invoice


@dataclass(frozen=True)
class Outcome:
    """How a command's job ends: succeeded unless it carries an error code."""

    error_code: str | None = None
    error_message: str | None = None
    session_id: str | None = None
    checkout_url: str | None = None

    def job(self, job_id: UUID) -> JobRow:
        status = "failed" if self.error_code else "succeeded"
        return JobRow(
            job_id,
            status,
            self.error_code,
            self.error_message,
            NOW,
            None,
            None,
            False,
            session_id=self.session_id,
            checkout_url=self.checkout_url,
        )


SUCCEEDED = Outcome()


@dataclass
class FakeBilling:
    """Answers the commands it is sent: the rows change and the job finishes, as billing
    (and provisioning, for a CloudPod's lifecycle) would in the scenarios tested; a command
    in `refusals` fails its job with that code and message instead."""

    reads: FakeBillingReads
    jobs: dict[UUID, JobRow]  # the instance read model's jobs, which the gateway waits on
    refusals: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Opens the passwords commands carry sealed, to store them hashed as billing does.
    box: SecretBox | None = None

    def react(self, topic: Topic, command: BaseModel, job_id: UUID) -> None:
        name = type(command).__name__
        refused = self.refusals.get(name)
        handler = HANDLERS.get(type(command))
        if refused:
            outcome = Outcome(*refused)
        elif type(command) in ACCOUNT_HANDLERS:
            assert self.box is not None, "accounts need the box their passwords are sealed with"
            outcome = ACCOUNT_HANDLERS[type(command)](self.reads.rows, command, self.box)
        else:
            outcome = handler(self.reads.rows, command) if handler else SUCCEEDED
        job = self.jobs[job_id] = outcome.job(job_id)
        pod = self.reads.rows.cloudpods.get(getattr(command, "instance_id", job_id))
        if topic == PROVISIONING_COMMANDS and pod is not None:
            self.reads.rows.jobs[job_id] = ProvisioningJobRow(
                job_id,
                pod.tenant_id,
                name,
                job.status,
                pod.id,
                job.error_code,
                job.error_message,
                NOW,
                NOW,
            )


def _operator_created(rows: BillingRows, c: bc.CreateUser) -> Outcome:
    if c.tenant_id not in rows.tenants:
        return Outcome("NOT_FOUND", f"tenant {c.tenant_id} does not exist")
    rows.operators[c.user_id] = OperatorRow(
        c.user_id, c.tenant_id, c.name, str(c.email), list(c.roles), c.status, None, NOW
    )
    return SUCCEEDED


def _customer_created(rows: BillingRows, c: bc.CreateCustomer) -> Outcome:
    rows.customers[c.customer_id] = CustomerRow(
        c.customer_id,
        c.tenant_id,
        c.name,
        str(c.email),
        c.phone,
        c.address,
        c.timezone,
        "active",
        None,
        None,
        NOW,
    )
    return SUCCEEDED


def _product_created(rows: BillingRows, c: bc.CreateProduct) -> Outcome:
    rows.products[c.product_id] = ProductRow(
        c.product_id,
        c.tenant_id,
        c.name,
        c.product_type,
        c.sku,
        c.prices,
        c.specs,
        c.status,
        c.placement,
        NOW,
    )
    return SUCCEEDED


def _coupon_created(rows: BillingRows, c: bc.CreateCoupon) -> Outcome:
    rows.coupons[c.coupon_id] = CouponRow(
        c.coupon_id,
        c.tenant_id,
        c.code,
        c.kind,
        c.value,
        c.currency,
        c.expires_at,
        c.max_uses,
        0,
        NOW,
    )
    return SUCCEEDED


def _order_placed(rows: BillingRows, c: bc.PlaceOrder) -> Outcome:
    lines = []
    for item in c.items:
        product = rows.products[UUID(item.product_id)]
        price = next(p for p in product.prices if p.cycle == item.billing_cycle)
        lines.append(
            InvoiceLine(
                description=f"{product.name} - {price.cycle}",
                quantity=item.quantity,
                unit_amount=price.amount,
                amount=price.amount * item.quantity,
            )
        )
    currency = rows.products[UUID(c.items[0].product_id)].prices[0].currency
    total = sum(line.amount for line in lines)
    invoice_id = uuid4()
    rows.invoices[invoice_id] = an_invoice(
        c.tenant_id,
        c.customer_id,
        invoice_id=invoice_id,
        order_id=c.order_id,
        lines=lines,
        subtotal=total,
        total=total,
        currency=currency,
    )
    rows.orders[c.order_id] = OrderRow(
        c.order_id,
        c.tenant_id,
        c.customer_id,
        "pending",
        c.items,
        c.coupon_code,
        invoice_id,
        total,
        currency,
        [],
        [],
        None,
        None,
        NOW,
        NOW,
    )
    return SUCCEEDED


# An invoice's moves by hand, as billing's invoice allows them.
MOVES = {("unpaid", "paid"), ("unpaid", "cancelled"), ("paid", "refunded")}


def _invoice_status_set(rows: BillingRows, c: bc.SetInvoiceStatus) -> Outcome:
    invoice = rows.invoices[c.invoice_id]
    if (invoice.status, c.status) not in MOVES:
        return Outcome("INVALID_STATE", f"A {invoice.status} invoice cannot become {c.status}")
    rows.invoices[c.invoice_id] = replace(invoice, status=c.status)
    return SUCCEEDED


def _session_created(rows: BillingRows, c: bc.CreatePaymentSession) -> Outcome:
    invoice = rows.invoices[c.invoice_id]
    if invoice.status != "unpaid":
        return Outcome("INVALID_STATE", f"The invoice is {invoice.status}")
    return Outcome(session_id="cs_test_1", checkout_url="https://checkout.example/cs_test_1")


def _cloudpod_requested(rows: BillingRows, c: bc.RequestCloudPod) -> Outcome:
    subscription = rows.subscriptions[c.subscription_id]
    instance_id = cloudpod_instance_id(c.subscription_id)
    rows.cloudpods[instance_id] = a_cloudpod(
        c.tenant_id,
        subscription.customer_id,
        c.subscription_id,
        status="provisioning",
        name=c.name,
    )
    return SUCCEEDED


def _lifecycle(status: str) -> Callable[[BillingRows, Any], Outcome]:
    def changed(rows: BillingRows, c: pc.SuspendInstance) -> Outcome:
        pod = rows.cloudpods.get(c.instance_id)
        if pod is None or pod.status == "terminated":
            return Outcome("INVALID_STATE", "The instance is terminated")
        rows.cloudpods[c.instance_id] = replace(pod, status=status)
        return SUCCEEDED

    return changed


HANDLERS: dict[type[BaseModel], Callable[[BillingRows, Any], Outcome]] = {
    bc.CreateUser: _operator_created,
    bc.CreateCustomer: _customer_created,
    bc.CreateProduct: _product_created,
    bc.CreateCoupon: _coupon_created,
    bc.PlaceOrder: _order_placed,
    bc.SetInvoiceStatus: _invoice_status_set,
    bc.CreatePaymentSession: _session_created,
    bc.RequestCloudPod: _cloudpod_requested,
    pc.SuspendInstance: _lifecycle("suspended"),
    pc.UnsuspendInstance: _lifecycle("active"),
    pc.TerminateInstance: _lifecycle("terminated"),
}


# ---- CloudVPS's accounts -------------------------------------------------------------------

HASHER = PasswordHasher(time_cost=1, memory_cost=1024)  # fast, for tests


def _sealed_hash(box: SecretBox, sealed: SealedSecret) -> SealedSecret:
    return box.seal(HASHER.hash(box.open(sealed)))


def _email_taken(rows: BillingRows, email: str, but: UUID | None = None) -> bool:
    return any(a.email.lower() == email.lower() and a.id != but for a in rows.accounts.values())


def _account_registered(rows: BillingRows, c: bc.RegisterAccount, box: SecretBox) -> Outcome:
    if _email_taken(rows, str(c.email)):
        return Outcome("CONFLICT", "An account with this email exists")
    rows.accounts[c.account_id] = AccountRow(
        c.account_id,
        c.tenant_id,
        uuid4(),
        str(c.email),
        c.name,
        "user",
        "active",
        _sealed_hash(box, c.password),
        None,
        NOW,
    )
    return SUCCEEDED


def _account_updated(rows: BillingRows, c: bc.UpdateAccountProfile, box: SecretBox) -> Outcome:
    account = rows.accounts.get(c.account_id)
    if account is None or account.tenant_id != c.tenant_id:
        return Outcome("NOT_FOUND", "account not found")
    if c.email is not None and _email_taken(rows, str(c.email), but=account.id):
        return Outcome("CONFLICT", "An account with this email exists")
    rows.accounts[c.account_id] = replace(
        account, name=c.name or account.name, email=str(c.email or account.email)
    )
    return SUCCEEDED


def _password_changed(rows: BillingRows, c: bc.ChangeAccountPassword, box: SecretBox) -> Outcome:
    account = rows.accounts[c.account_id]
    rows.accounts[c.account_id] = replace(
        account, password=_sealed_hash(box, c.password), password_changed_at=datetime.now(UTC)
    )
    return SUCCEEDED


def _status_set(rows: BillingRows, c: bc.SetAccountStatus, box: SecretBox) -> Outcome:
    rows.accounts[c.account_id] = replace(rows.accounts[c.account_id], status=c.status)
    return SUCCEEDED


ACCOUNT_HANDLERS: dict[type[BaseModel], Callable[[BillingRows, Any, SecretBox], Outcome]] = {
    bc.RegisterAccount: _account_registered,
    bc.UpdateAccountProfile: _account_updated,
    bc.ChangeAccountPassword: _password_changed,
    bc.SetAccountStatus: _status_set,
}
