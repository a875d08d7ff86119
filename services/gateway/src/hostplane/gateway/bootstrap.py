"""Wiring: settings → adapters → the use cases the HTTP entrypoints call.

`bootstrap` only wires; `running` also opens the real adapters (Kafka, PostgreSQL) for as long
as the app serves. Tests wire fakes through `bootstrap` the same way.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from hostplane.contracts.attachments import AttachmentLimits
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.gateway.adapters.admin_views import AdminViews
from hostplane.gateway.adapters.backup_views import BackupViews
from hostplane.gateway.adapters.billing_views import BillingViews
from hostplane.gateway.adapters.cloudvps_admin_views import CloudVpsAdminViews
from hostplane.gateway.adapters.commands import CommandBus
from hostplane.gateway.adapters.customer_billing_views import CustomerBillingViews
from hostplane.gateway.adapters.database import Database
from hostplane.gateway.adapters.host_usage import LocalHost
from hostplane.gateway.adapters.invoice_pdf import render_invoice_pdf
from hostplane.gateway.adapters.network_views import NetworkViews
from hostplane.gateway.adapters.probes import TcpProbe
from hostplane.gateway.adapters.provider_probes import Reaches, provider_checks
from hostplane.gateway.adapters.ratelimits import HitCounter, SignInFailures, redis_limiter
from hostplane.gateway.adapters.telemetry_views import TelemetryViews
from hostplane.gateway.adapters.ticket_views import TicketViews
from hostplane.gateway.adapters.views import Views
from hostplane.gateway.adapters.vps_views import VpsViews
from hostplane.gateway.adapters.webhook_views import WebhookViews
from hostplane.gateway.application.authentication import Authentication
from hostplane.gateway.application.cloudvps.accounts import Accounts
from hostplane.gateway.application.cloudvps.admin import (
    AdminConsole,
    AdminReads,
    Check,
    HostFigures,
)
from hostplane.gateway.application.cloudvps.backups import BackupReads, Backups
from hostplane.gateway.application.cloudvps.billing import CustomerBilling, CustomerBillingReads
from hostplane.gateway.application.cloudvps.monitoring import Monitoring
from hostplane.gateway.application.cloudvps.network import NetworkReads, VpsNetwork
from hostplane.gateway.application.cloudvps.orders import VpsOrders
from hostplane.gateway.application.cloudvps.plans import Plans
from hostplane.gateway.application.cloudvps.ports import AccountReads, RefreshTokens, SignInAttempts
from hostplane.gateway.application.cloudvps.servers import Servers, VpsReads
from hostplane.gateway.application.cloudvps.tickets import TicketReads, Tickets
from hostplane.gateway.application.cloudvps.webhooks import WebhookEndpoints, WebhookReads
from hostplane.gateway.application.fleet import Fleet
from hostplane.gateway.application.health import Health
from hostplane.gateway.application.instances import Instances
from hostplane.gateway.application.jobs import Jobs
from hostplane.gateway.application.mpanel.audit import AuditLog
from hostplane.gateway.application.mpanel.catalog import Catalog
from hostplane.gateway.application.mpanel.cloudpods import CloudPods
from hostplane.gateway.application.mpanel.commands import PanelCommands
from hostplane.gateway.application.mpanel.customers import Customers
from hostplane.gateway.application.mpanel.invoices import InvoiceRenderer, Invoices
from hostplane.gateway.application.mpanel.jobs import ProvisioningJobs
from hostplane.gateway.application.mpanel.operators import Operators
from hostplane.gateway.application.mpanel.orders import Orders
from hostplane.gateway.application.mpanel.payments import Payments, StripeWebhooks
from hostplane.gateway.application.mpanel.ports import BillingReads
from hostplane.gateway.application.mpanel.sessions import Sessions
from hostplane.gateway.application.mpanel.status import SystemStatus
from hostplane.gateway.application.mpanel.subscriptions import Subscriptions
from hostplane.gateway.application.mpanel.tenants import Tenants
from hostplane.gateway.application.ports import (
    CommandPublisher,
    FleetReads,
    IdempotencyKeys,
    InstanceReads,
    Reachable,
    TelemetryReads,
    UsedTokens,
)
from hostplane.gateway.application.signon import SignOn
from hostplane.gateway.application.telemetry import Telemetry
from hostplane.gateway.application.webhooks import Webhooks
from hostplane.gateway.settings import Settings
from hostplane.messaging.kafka import ensure_topics, make_producer

log = logging.getLogger(__name__)

USED_TOKEN_SWEEP_S = 60.0


@dataclass(frozen=True)
class MPanel:
    """The mPanel surface's use cases (seed 002)."""

    sessions: Sessions
    status: SystemStatus
    tenants: Tenants
    operators: Operators
    customers: Customers
    catalog: Catalog
    orders: Orders
    invoices: Invoices
    payments: Payments
    stripe: StripeWebhooks
    subscriptions: Subscriptions
    cloudpods: CloudPods
    jobs: ProvisioningJobs
    audit: AuditLog


@dataclass(frozen=True)
class CloudVps:
    """The CloudVPS Pro surface's use cases (seed 003)."""

    plans: Plans
    accounts: Accounts
    servers: Servers
    network: VpsNetwork
    backups: Backups
    webhooks: WebhookEndpoints
    tickets: Tickets
    admin: AdminConsole
    monitoring: Monitoring
    billing: CustomerBilling
    orders: VpsOrders


@dataclass(frozen=True)
class AdminAdapters:
    """What CloudVPS's admin console needs: every account and VPS, the providers to ask for
    the system's health (`bootstrap` adds the database and the broker), and this host."""

    reads: AdminReads
    providers: dict[str, Check]
    host: HostFigures


@dataclass(frozen=True)
class CloudVpsAdapters:
    """What only the CloudVPS surface needs: billing's accounts as the read models show them,
    the sessions' refresh tokens, and the count of failed sign-ins."""

    accounts: AccountReads
    sessions: RefreshTokens
    attempts: SignInAttempts
    webhooks: WebhookReads
    servers: VpsReads
    network: NetworkReads
    billing: CustomerBillingReads
    backups: BackupReads
    tickets: TicketReads


@dataclass(frozen=True)
class Gateway:
    """What the HTTP entrypoints use: the settings and the use cases of every surface."""

    settings: Settings
    authentication: Authentication
    health: Health
    instances: Instances
    sign_on: SignOn
    webhooks: Webhooks
    telemetry: Telemetry
    fleet: Fleet
    mpanel: MPanel
    cloudvps: CloudVps


@dataclass(frozen=True)
class MPanelAdapters:
    """What only the mPanel surface needs: billing's read models, the Idempotency-Keys, the
    invoice documents, and what its status asks beyond the database and the broker."""

    billing_reads: BillingReads
    idempotency_keys: IdempotencyKeys
    render_invoice: InvoiceRenderer
    cache: Reachable | None = None
    proxmox: Reachable | None = None


def bootstrap(
    settings: Settings,
    *,
    used_tokens: UsedTokens,
    commands: CommandPublisher,
    database: Reachable,
    instance_reads: InstanceReads,
    telemetry_reads: TelemetryReads,
    fleet_reads: FleetReads,
    mpanel: MPanelAdapters,
    cloudvps: CloudVpsAdapters,
    admin: AdminAdapters,
) -> Gateway:
    """The use cases on the given adapters."""
    jobs = Jobs(instance_reads, commands, settings.job_wait_s)
    box = SecretBox(settings.config_secrets_key)
    health = Health(database, commands)
    accounts = Accounts(
        settings,
        cloudvps.accounts,
        mpanel.billing_reads,
        cloudvps.sessions,
        cloudvps.attempts,
        PanelCommands(jobs, settings.job_wait_s),
        box,
    )
    servers = Servers(cloudvps.servers, accounts, PanelCommands(jobs, settings.job_wait_s))
    return Gateway(
        settings=settings,
        authentication=Authentication(settings, used_tokens),
        health=health,
        instances=Instances(settings, instance_reads, commands, jobs, box),
        sign_on=SignOn(settings, commands, used_tokens),
        webhooks=Webhooks(commands),
        telemetry=Telemetry(settings, instance_reads, telemetry_reads, commands),
        fleet=Fleet(fleet_reads),
        mpanel=_mpanel(settings, mpanel, commands, jobs, box, health),
        cloudvps=CloudVps(
            plans=Plans(mpanel.billing_reads, settings, settings.platform_tenant_id),
            accounts=accounts,
            network=VpsNetwork(
                Servers(cloudvps.servers, accounts, PanelCommands(jobs, settings.job_wait_s)),
                cloudvps.network,
                PanelCommands(jobs, settings.job_wait_s),
                settings,
            ),
            servers=servers,
            backups=Backups(servers, cloudvps.backups),
            webhooks=WebhookEndpoints(cloudvps.webhooks, commands, box, settings.job_wait_s),
            tickets=_tickets(settings, cloudvps, mpanel, accounts, jobs),
            admin=AdminConsole(
                admin.reads,
                accounts,
                PanelCommands(jobs, settings.job_wait_s),
                {"database": Reaches(database), "kafka": Reaches(commands)} | admin.providers,
                admin.host,
                settings.health_check_timeout_s,
            ),
            monitoring=Monitoring(servers, telemetry_reads, box, settings.plans),
            billing=CustomerBilling(
                cloudvps.billing,
                mpanel.billing_reads,
                accounts,
                PanelCommands(jobs, settings.job_wait_s),
                mpanel.render_invoice,
                settings.plans,
            ),
            orders=VpsOrders(
                mpanel.billing_reads,
                cloudvps.servers,
                accounts,
                PanelCommands(jobs, settings.job_wait_s),
                mpanel.idempotency_keys,
                settings.idempotency_ttl_s,
            ),
        ),
    )


def _tickets(
    settings: Settings,
    adapters: CloudVpsAdapters,
    mpanel: MPanelAdapters,
    accounts: Accounts,
    jobs: Jobs,
) -> Tickets:
    commands = PanelCommands(jobs, settings.job_wait_s)
    limits = AttachmentLimits(
        settings.support_attachment_max_bytes,
        settings.support_attachment_max_count,
        settings.support_attachment_types,
    )
    servers = Servers(adapters.servers, accounts, commands)
    return Tickets(
        adapters.tickets,
        servers,
        commands,
        limits,
        settings.platform_tenant_id,
        mpanel.idempotency_keys,
        settings.idempotency_ttl_s,
    )


def _mpanel(
    settings: Settings,
    adapters: MPanelAdapters,
    commands: CommandPublisher,
    jobs: Jobs,
    box: SecretBox,
    health: Health,
) -> MPanel:
    reads = adapters.billing_reads
    panel = PanelCommands(jobs, settings.job_wait_s)
    return MPanel(
        sessions=Sessions(settings, reads, box),
        status=SystemStatus(health, adapters.cache, adapters.proxmox),
        tenants=Tenants(reads, panel, settings.platform_tenant_id),
        operators=Operators(reads, panel, box, settings.platform_tenant_id),
        customers=Customers(reads, panel),
        catalog=Catalog(settings, reads, panel),
        orders=Orders(reads, panel, adapters.idempotency_keys, settings.idempotency_ttl_s),
        invoices=Invoices(reads, panel, adapters.render_invoice),
        payments=Payments(reads, panel),
        stripe=StripeWebhooks(commands, settings.stripe_webhook_secret),
        subscriptions=Subscriptions(reads, panel),
        cloudpods=CloudPods(reads, panel),
        jobs=ProvisioningJobs(reads, panel),
        audit=AuditLog(reads),
    )


def hit_counter(settings: Settings) -> HitCounter:
    """Rate-limit counts: shared in Redis when REDIS_URL is set, else this process's own."""
    if not settings.redis_url:
        return HitCounter()
    return HitCounter(redis_limiter(settings.redis_url, settings.topic_prefix))


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Gateway]:
    """The gateway on Kafka and PostgreSQL, connected until the context ends."""
    if settings.kafka_create_topics:
        await ensure_topics(settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_prefix)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id="gateway")
    db = Database(settings.database_url, create_schema=settings.creates_schema)
    await producer.start()
    await db.open()
    probing = httpx.AsyncClient(timeout=settings.health_check_timeout_s)
    proxmox_probing = httpx.AsyncClient(
        timeout=settings.health_check_timeout_s, verify=settings.proxmox_verify_tls
    )
    prices = {plan: spec.monthly_price_usd for plan, spec in settings.plans.items()}
    billing_views = BillingViews(db)
    gateway = bootstrap(
        settings,
        used_tokens=db,
        commands=CommandBus(producer, settings.topic_prefix),
        database=db,
        instance_reads=Views(db),
        telemetry_reads=TelemetryViews(db),
        fleet_reads=AdminViews(db, prices),
        mpanel=MPanelAdapters(
            billing_reads=billing_views,
            idempotency_keys=db,
            render_invoice=render_invoice_pdf,
            cache=TcpProbe(settings.redis_url) if settings.redis_url else None,
            proxmox=TcpProbe(settings.proxmox_api_url) if settings.proxmox_api_url else None,
        ),
        admin=AdminAdapters(
            CloudVpsAdminViews(db), provider_checks(settings, probing, proxmox_probing), LocalHost()
        ),
        cloudvps=CloudVpsAdapters(
            accounts=billing_views,
            sessions=db,
            attempts=SignInFailures(
                hit_counter(settings),
                settings.cloudvps_sign_in_failures,
                settings.cloudvps_sign_in_failures_ip,
            ),
            webhooks=WebhookViews(db),
            servers=VpsViews(db),
            network=NetworkViews(db),
            tickets=TicketViews(db),
            backups=BackupViews(db),
            billing=CustomerBillingViews(db),
        ),
    )
    sweeping = asyncio.create_task(_sweep_used_tokens(db), name="sweep-used-tokens")
    try:
        yield gateway
    finally:
        sweeping.cancel()
        await db.close()
        await probing.aclose()
        await proxmox_probing.aclose()
        await producer.stop()


async def _sweep_used_tokens(db: Database) -> None:
    """Keep the used-token and Idempotency-Key tables small; a failed sweep is tried again
    next round."""
    while True:
        await asyncio.sleep(USED_TOKEN_SWEEP_S)
        try:
            await db.forget_expired()
        except Exception:
            log.warning("sweeping used tokens failed", exc_info=True)
