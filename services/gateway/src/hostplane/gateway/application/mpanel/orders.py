"""Orders: one checkout places an order and its invoice. With an `Idempotency-Key`, the same
key and body are the same order for 24 hours, however often and however concurrently sent."""

from dataclasses import dataclass
from uuid import UUID, uuid4

from hostplane.contracts.billing import AddonLine, OrderLine
from hostplane.contracts.commands.billing import PlaceOrder
from hostplane.contracts.mpanel.orders import OrderCreate
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import InvoiceRow, OrderRow
from hostplane.gateway.application.ports import IdempotencyKeys
from hostplane.gateway.domain.errors import Conflict, NotFound
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.mpanel.orders import body_digest, order_id_for, place_order_id


@dataclass(frozen=True)
class Placed:
    order: OrderRow
    invoice: InvoiceRow


def _lines(request: OrderCreate) -> list[OrderLine]:
    return [
        OrderLine(
            product_id=str(item.product_id),
            billing_cycle=item.billing_cycle,
            quantity=item.quantity,
            addons=[
                AddonLine(product_id=str(a.product_id), quantity=a.quantity) for a in item.addons
            ],
        )
        for item in request.items
    ]


@dataclass(frozen=True)
class Orders:
    reads: BillingReads
    commands: PanelCommands
    keys: IdempotencyKeys
    key_ttl_s: int

    async def place(self, operator: Operator, request: OrderCreate, key: str | None) -> Placed:
        """Place an order and its invoice for one of the tenant's customers."""
        await self._check(operator.tenant_id, request)
        order_id, command_id = uuid4(), None
        if key is not None:
            digest = body_digest(request)
            order_id = order_id_for(operator.tenant_id, key)
            claim = await self.keys.claim(
                f"order:{operator.tenant_id}:{key}", digest, order_id, self.key_ttl_s
            )
            if claim.body_sha256 != digest:
                raise Conflict("This Idempotency-Key was used for another order")
            order_id, command_id = claim.resource_id, place_order_id(claim.resource_id)
            if not claim.fresh and (placed := await self._placed(operator.tenant_id, order_id)):
                return placed
        command = PlaceOrder(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            order_id=order_id,
            customer_id=request.customer_id,
            items=_lines(request),
            coupon_code=request.coupon_code,
        )
        # Sent again for a key whose order does not show (its first request may have died
        # before sending): the same command id is the same job, so billing places it once.
        job = await self.commands.billing(command, command_id)
        return await self.commands.shown(job.id, lambda: self._placed(operator.tenant_id, order_id))

    async def get(self, operator: Operator, order_id: UUID) -> OrderRow:
        """One of the tenant's orders."""
        row = await self.reads.order(operator.tenant_id, order_id)
        if row is None:
            raise NotFound("Order not found")
        return row

    async def _check(self, tenant_id: UUID, request: OrderCreate) -> None:
        """The customer and every product are the tenant's (another tenant's: not found)."""
        if await self.reads.customer(tenant_id, request.customer_id) is None:
            raise NotFound("Customer not found", {"customerId": str(request.customer_id)})
        products = {item.product_id for item in request.items} | {
            addon.product_id for item in request.items for addon in item.addons
        }
        for product_id in sorted(products):
            if await self.reads.product(tenant_id, product_id) is None:
                raise NotFound("Product not found", {"productId": str(product_id)})

    async def _placed(self, tenant_id: UUID, order_id: UUID) -> Placed | None:
        order = await self.reads.order(tenant_id, order_id)
        invoice = order and await self.reads.invoice(tenant_id, order.invoice_id)
        return Placed(order, invoice) if order and invoice else None
