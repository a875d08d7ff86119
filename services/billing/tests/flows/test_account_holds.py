"""Scenarios: a suspended CloudVPS account's running servers are suspended, once, and its
reactivation unsuspends only those; an admin's suspension of one server outlasts the
account's reactivation; a server that is not running cannot be suspended by an admin."""

from dataclasses import dataclass, field
from uuid import UUID, uuid4

from hostplane.billing.application.account_holds import REACTIONS, CustomerServer
from hostplane.billing.domain.order import Order
from hostplane.billing.entrypoints.consumers import INSTANCE_OUTCOMES
from hostplane.contracts import billing_events as be
from hostplane.contracts import events as contract
from hostplane.contracts.billing import (
    BillingCycle,
    CloudPodPlacement,
    OrderLine,
    Price,
    ProductType,
)
from hostplane.contracts.catalog import Plan, Region
from hostplane.contracts.commands import billing as c
from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.identity import tenant_id_for
from hostplane.messaging.cloudevents import OutgoingEvent
from hostplane.messaging.commands import OutgoingCommand
from services.billing.tests.flows.conftest import World

TENANT = tenant_id_for("Hostplane")


@dataclass
class FakeServers:
    """The customer's servers as the read models show them."""

    status: dict[UUID, str] = field(default_factory=dict)
    customer: UUID | None = None

    def servers(self, tenant_id: UUID, customer_id: UUID) -> list[CustomerServer]:
        if customer_id != self.customer:
            return []
        return [CustomerServer(i, s) for i, s in self.status.items() if s != "terminated"]


@dataclass
class Shop:
    world: World
    account_id: UUID
    servers: FakeServers
    pods: list[UUID]


def _shop(world: World, quantity: int = 2) -> Shop:
    """An account whose customer paid for `quantity` servers, all running."""
    world.app.ensure_first_admin("Hostplane", "admin@example.com", "a-long-admin-password")
    account_id, product = uuid4(), uuid4()
    world.send(
        c.RegisterAccount(
            tenant_id=TENANT,
            account_id=account_id,
            email="jo@example.com",
            name="Jo Doe",
            password=world.box.seal("correct horse battery"),
        )
    )
    customer = world.app.repository.get(account_id).customer_id
    world.send(
        c.CreateProduct(
            tenant_id=TENANT,
            product_id=product,
            name="CloudPod Mini",
            product_type=ProductType.CLOUDPOD,
            sku="CPOD-MINI",
            prices=[Price(cycle=BillingCycle.MONTHLY, amount=999, currency="USD")],
            placement=CloudPodPlacement(plan=Plan.STARTER, region=Region.EU_FRANKFURT),
        )
    )
    order_id = uuid4()
    placed = world.send(
        c.PlaceOrder(
            tenant_id=TENANT,
            order_id=order_id,
            customer_id=customer,
            items=[OrderLine(product_id=str(product), quantity=quantity)],
        )
    )
    invoice = world.app.repository.get(UUID(placed.result["invoice_id"]))
    world.send(
        c.RecordStripeEvent(
            tenant_id=TENANT,
            invoice_id=invoice.id,
            event_id="evt_1",
            event_type="checkout.session.completed",
            created=0,
            payment_intent_id="pi_1",
            amount=invoice.total,
        )
    )
    order: Order = world.app.repository.get(order_id)
    for pod in order.instance_ids:
        event = contract.InstanceActivated(occurred_at=world.clock.now(), instance_id=pod)
        INSTANCE_OUTCOMES[contract.InstanceActivated](world.app, event, None)
    servers = FakeServers({pod: "active" for pod in order.instance_ids}, customer)
    return Shop(world, account_id, servers, list(order.instance_ids))


def _set_status(shop: Shop, status: str) -> None:
    """An admin sets the account's status; billing reacts to the event it publishes, and the
    same event delivered again changes nothing."""
    job = shop.world.send(
        c.SetAccountStatus(tenant_id=TENANT, account_id=shop.account_id, status=status)
    )
    assert job.status == "succeeded", job.error_message
    kind = be.AccountSuspended if status == "suspended" else be.AccountReactivated
    (event,) = [
        o.payload
        for o in shop.world.publish()
        if isinstance(o, OutgoingEvent) and type(o.payload) is kind
    ][-1:]
    for _ in range(2):
        shop.world.app.save(*REACTIONS[kind](shop.world.app, shop.servers, event))


def _sent(world: World, kind: type) -> list[OutgoingCommand]:
    return [
        o for o in world.publish() if isinstance(o, OutgoingCommand) and type(o.command) is kind
    ]


def test_a_suspended_accounts_running_servers_are_suspended_once(world: World) -> None:
    shop = _shop(world, quantity=3)
    running, suspended_before, gone = shop.pods
    shop.servers.status[suspended_before] = "suspended"  # suspended by someone else before
    shop.servers.status[gone] = "terminated"

    _set_status(shop, "suspended")

    suspends = _sent(world, pc.SuspendInstance)
    assert [(o.aggregate_id, o.command.reason) for o in suspends] == [(running, "account")]  # type: ignore[attr-defined]


def test_reactivating_the_account_unsuspends_only_what_its_suspension_suspended(
    world: World,
) -> None:
    shop = _shop(world)
    by_account, by_admin = shop.pods
    _set_status(shop, "suspended")
    shop.servers.status[by_account] = "suspended"
    job = world.send(
        c.SuspendCloudPod(tenant_id=TENANT, instance_id=by_admin, reason="abuse report #42")
    )
    assert job.status == "succeeded", job.error_message

    _set_status(shop, "active")

    unsuspends = _sent(world, pc.UnsuspendInstance)
    assert [o.aggregate_id for o in unsuspends] == [by_account]
    assert {o.aggregate_id for o in _sent(world, pc.SuspendInstance)} == {by_account, by_admin}


def test_an_admin_suspends_one_running_server_with_a_reason(world: World) -> None:
    shop = _shop(world, quantity=1)
    (pod,) = shop.pods
    command = c.SuspendCloudPod(tenant_id=TENANT, instance_id=pod, reason="abuse report #42")
    for job_id in (uuid4(), uuid4()):  # asked twice: one suspension
        assert world.send(command, job_id).status == "succeeded"

    (suspend,) = _sent(world, pc.SuspendInstance)
    assert (suspend.aggregate_id, suspend.command.reason) == (pod, "admin")  # type: ignore[attr-defined]
    stored = world.app.repository.get(pod)
    assert stored.suspended_for == "admin"


def test_an_admin_cannot_suspend_a_server_that_is_not_there(world: World) -> None:
    shop = _shop(world, quantity=1)
    unknown = world.send(c.SuspendCloudPod(tenant_id=TENANT, instance_id=uuid4()))
    assert (unknown.status, unknown.error_code) == ("failed", "NOT_FOUND")
    other_tenant = world.send(
        c.SuspendCloudPod(tenant_id=tenant_id_for("Another"), instance_id=shop.pods[0])
    )
    assert (other_tenant.status, other_tenant.error_code) == ("failed", "NOT_FOUND")
    assert not _sent(world, pc.SuspendInstance)
