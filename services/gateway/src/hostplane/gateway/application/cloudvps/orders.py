"""A CloudVPS customer orders a VPS: billing places the order and its invoice, charges the
customer's default card at once (off-session), and, paid, asks provisioning for the server.

The server is built from the request's operating system (the catalog's provider image of
that name; without one, the default image) and lets its SSH public keys in. The request is
checked before anything is sent: a plan that is not sold or an image the catalog lacks is a
VALIDATION_ERROR, and a customer without a default card a PAYMENT_ERROR,
with nothing created. A card declined by Stripe is a PAYMENT_ERROR too: billing voids the
invoice and fails the order, and no server is asked for. With an `Idempotency-Key`, the same
key and body are the same order for 24 hours — one VPS and one charge however often sent —
and another body under it is a CONFLICT.
"""

from dataclasses import dataclass
from uuid import UUID, uuid4, uuid5

from hostplane.contracts.billing import ProductType
from hostplane.contracts.catalog import OPERATING_SYSTEMS
from hostplane.contracts.cloudvps.vps import CreateVpsRequest
from hostplane.contracts.commands.billing import OrderVps
from hostplane.contracts.identity import HOSTPLANE_NAMESPACE
from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.cloudvps.billing import payment_refusal
from hostplane.gateway.application.cloudvps.servers import VpsReads, VpsRow
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import ProductRow
from hostplane.gateway.application.ports import IdempotencyKeys
from hostplane.gateway.domain.cloudvps.tokens import Caller
from hostplane.gateway.domain.errors import (
    Conflict,
    Forbidden,
    PaymentError,
    Refused,
    Unprocessable,
)
from hostplane.gateway.domain.mpanel.orders import body_digest


def vps_order_id(tenant_id: UUID, customer_id: UUID, key: str) -> UUID:
    """The order a customer's Idempotency-Key names: every replica computes the same one."""
    return uuid5(HOSTPLANE_NAMESPACE, f"vps-order:{tenant_id}:{customer_id}:{key}")


def order_vps_command_id(order_id: UUID) -> UUID:
    """The command placing the order (its job): sent again, it is the same job."""
    return uuid5(HOSTPLANE_NAMESPACE, f"order-vps:{order_id}")


@dataclass(frozen=True)
class VpsOrders:
    billing: BillingReads
    servers: VpsReads
    accounts: Accounts
    commands: PanelCommands
    keys: IdempotencyKeys
    key_ttl_s: int

    async def create(self, caller: Caller, request: CreateVpsRequest, key: str | None) -> VpsRow:
        """Order, pay for and start making a VPS; answered once its order is paid."""
        customer_id = await self._customer(caller)
        tenant_id = self.accounts.tenant_id
        product = await self._plan(tenant_id, request.plan_id)
        image = _image(request.operating_system)
        customer = await self.billing.customer(tenant_id, customer_id)
        if customer is None or customer.default_payment_method is None:
            raise PaymentError("Add a default payment method before creating a VPS")
        order_id = uuid4()
        if key is not None:
            digest = body_digest(request)
            claim = await self.keys.claim(
                f"vps-order:{tenant_id}:{customer_id}:{key}",
                digest,
                vps_order_id(tenant_id, customer_id, key),
                self.key_ttl_s,
            )
            if claim.body_sha256 != digest:
                raise Conflict("This Idempotency-Key was used for another VPS")
            order_id = claim.resource_id
        command = OrderVps(
            tenant_id=tenant_id,
            actor_id=caller.user_id,
            order_id=order_id,
            customer_id=customer_id,
            product_id=product.id,
            name=request.name,
            operating_system=image,
            ssh_public_keys=[*request.ssh_keys],
        )
        # Sent again under the same key, it is the same job: billing orders and charges once,
        # and a declined first attempt is answered declined again.
        try:
            job = await self.commands.billing(command, order_vps_command_id(order_id))
        except Refused as refusal:
            raise payment_refusal(refusal) from refusal
        return await self.commands.shown(
            job.id, lambda: self._made(tenant_id, customer_id, order_id)
        )

    async def _made(self, tenant_id: UUID, customer_id: UUID, order_id: UUID) -> VpsRow | None:
        order = await self.billing.order(tenant_id, order_id)
        if order is None or not order.instance_ids:
            return None
        return await self.servers.server(tenant_id, customer_id, order.instance_ids[0])

    async def _plan(self, tenant_id: UUID, plan_id: str) -> ProductRow:
        """The plan: an active CloudPod product of the default tenant."""
        try:
            product_id = UUID(plan_id)
        except ValueError:
            product_id = None
        product = await self.billing.product(tenant_id, product_id) if product_id else None
        sold = (
            product is not None
            and product.status == "active"
            and product.product_type == ProductType.CLOUDPOD.value
            and product.placement is not None
        )
        if product is None or not sold:
            raise Unprocessable("No such plan", {"plan_id": "a plan from GET /plans"})
        return product

    async def _customer(self, caller: Caller) -> UUID:
        profile = await self.accounts.profile(caller) if caller.kind == "account" else None
        if profile is None or profile.customer_id is None:
            raise Forbidden("Only a customer's account orders a VPS")
        return profile.customer_id


def _image(operating_system: str | None) -> str | None:
    """The provider image an operating system is (None: the default one)."""
    if operating_system is None:
        return None
    image = OPERATING_SYSTEMS.get(operating_system)
    if image is None:
        raise Unprocessable(
            "No such operating system",
            {"operating_system": f"one of {', '.join(sorted(OPERATING_SYSTEMS))}"},
        )
    return image
