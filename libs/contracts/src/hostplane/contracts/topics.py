"""Kafka topics, their partition counts, and who owns them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int


PROVISIONING_COMMANDS = Topic("provisioning.commands", 8)
VPS_EVENTS = Topic("vps.events", 8)
DNS_EVENTS = Topic("dns.events", 4)
JOB_EVENTS = Topic("jobs.events", 8)
USER_EVENTS = Topic("users.events", 4)
WHMCS_WEBHOOKS = Topic("whmcs.webhooks", 4)
TELEMETRY_LOGS = Topic("telemetry.logs", 8)
TELEMETRY_AI_USAGE = Topic("telemetry.ai_usage", 8)
# Resource usage of the servers, as their providers measure it (sampled by provisioning).
SERVER_USAGE = Topic("telemetry.server_usage", 8)
# Billing: its commands, invoices with their payments (`invoice.*`, `payment.*`, keyed by
# invoice), and its other aggregates (tenants, users, customers, catalog, orders, subscriptions).
BILLING_COMMANDS = Topic("billing.commands", 8)
INVOICE_EVENTS = Topic("invoice.events", 8)
BILLING_EVENTS = Topic("billing.events", 8)
# Outgoing webhooks: their endpoints' management and redeliveries, keyed by endpoint id.
WEBHOOKS_COMMANDS = Topic("webhooks.commands", 8)
# Support tickets: their commands and their events, keyed by ticket id.
SUPPORT_COMMANDS = Topic("support.commands", 4)
SUPPORT_EVENTS = Topic("support.events", 4)

ALL_TOPICS: tuple[Topic, ...] = (
    PROVISIONING_COMMANDS,
    VPS_EVENTS,
    DNS_EVENTS,
    JOB_EVENTS,
    USER_EVENTS,
    WHMCS_WEBHOOKS,
    TELEMETRY_LOGS,
    TELEMETRY_AI_USAGE,
    SERVER_USAGE,
    BILLING_COMMANDS,
    INVOICE_EVENTS,
    BILLING_EVENTS,
    WEBHOOKS_COMMANDS,
    SUPPORT_COMMANDS,
    SUPPORT_EVENTS,
)
