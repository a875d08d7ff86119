"""CloudPods: a subscription's server. Billing asks provisioning for one; the panel's admins
and support suspend, unsuspend or delete it through provisioning, as billing's dunning does."""

from dataclasses import dataclass
from uuid import UUID

from hostplane.contracts.commands import provisioning
from hostplane.contracts.commands.billing import RequestCloudPod
from hostplane.contracts.identity import cloudpod_instance_id
from hostplane.contracts.mpanel.cloudpods import CloudPodCreate
from hostplane.contracts.topics import PROVISIONING_COMMANDS
from hostplane.contracts.vps import InstanceStatus
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.readmodels import CloudPodRow, Page
from hostplane.gateway.domain.errors import Invalid, NotFound
from hostplane.gateway.domain.mpanel.access import Operator
from hostplane.gateway.domain.mpanel.cloudpods import PanelStatus, instance_status
from hostplane.gateway.domain.mpanel.jobs import InstanceCommand


@dataclass(frozen=True)
class Requested:
    instance_id: UUID
    job_id: UUID


@dataclass(frozen=True)
class CloudPods:
    reads: BillingReads
    commands: PanelCommands

    async def list(
        self,
        operator: Operator,
        customer_id: UUID | None,
        status: PanelStatus | None,
        page: int,
        page_size: int,
    ) -> Page[CloudPodRow]:
        """The tenant's CloudPods, of one customer or status if asked."""
        wanted = instance_status(status) if status else None
        return await self.reads.cloudpods(operator.tenant_id, customer_id, wanted, page, page_size)

    async def get(self, operator: Operator, instance_id: UUID) -> CloudPodRow:
        """One of the tenant's CloudPods."""
        row = await self.reads.cloudpod(operator.tenant_id, instance_id)
        if row is None:
            raise NotFound("CloudPod not found")
        return row

    async def request(self, operator: Operator, request: CloudPodCreate) -> Requested:
        """Ask billing for a subscription's CloudPod by hand (its payment normally does);
        asked twice, it is one CloudPod."""
        subscription = await self.reads.subscription(operator.tenant_id, request.subscription_id)
        if subscription is None:
            raise NotFound("Subscription not found")
        product = await self.reads.product(operator.tenant_id, request.product_id)
        if product is None:
            raise NotFound("Product not found")
        if subscription.customer_id != request.customer_id:
            raise Invalid("The subscription is another customer's", {"customerId": "mismatch"})
        if subscription.product_id != request.product_id:
            raise Invalid("The subscription is for another product", {"productId": "mismatch"})
        if request.template not in (None, product.sku):
            raise Invalid("The template is the product's SKU", {"template": product.sku})
        command = RequestCloudPod(
            tenant_id=operator.tenant_id,
            actor_id=operator.user_id,
            subscription_id=subscription.id,
            name=request.name,
        )
        job = await self.commands.billing(command)
        return Requested(cloudpod_instance_id(subscription.id), job.id)

    async def suspend(self, operator: Operator, instance_id: UUID) -> CloudPodRow:
        """Suspend a CloudPod (its server powers off); billing's payment does not lift it."""
        command = provisioning.SuspendInstance(instance_id=instance_id, reason="admin")
        return await self._lifecycle(operator, instance_id, command, InstanceStatus.SUSPENDED)

    async def unsuspend(self, operator: Operator, instance_id: UUID) -> CloudPodRow:
        """Unsuspend a CloudPod (its server powers on)."""
        command = provisioning.UnsuspendInstance(instance_id=instance_id)
        return await self._lifecycle(operator, instance_id, command, InstanceStatus.ACTIVE)

    async def terminate(self, operator: Operator, instance_id: UUID) -> CloudPodRow:
        """Delete a CloudPod's server and its DNS record."""
        command = provisioning.TerminateInstance(instance_id=instance_id)
        return await self._lifecycle(operator, instance_id, command, InstanceStatus.TERMINATED)

    async def _lifecycle(
        self,
        operator: Operator,
        instance_id: UUID,
        command: InstanceCommand,
        reached: InstanceStatus,
    ) -> CloudPodRow:
        """Provisioning queues the command behind the CloudPod's others and judges it there;
        the answer is the CloudPod once it shows the state reached."""
        await self.get(operator, instance_id)
        job = await self.commands.run(PROVISIONING_COMMANDS, instance_id, command)
        return await self.commands.shown(
            job.id,
            lambda: self.reads.cloudpod(operator.tenant_id, instance_id),
            lambda row: row.status == reached,
        )
