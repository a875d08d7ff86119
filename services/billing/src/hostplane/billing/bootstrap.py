"""Wiring: settings → Stripe, the clock → the billing application. Tests wire fakes the same way."""

from hostplane.billing.adapters.following import StateFollower
from hostplane.billing.adapters.numbering import NumberingTurns
from hostplane.billing.adapters.payments import Payments
from hostplane.billing.adapters.publishing import Translator
from hostplane.billing.adapters.stripe_payments import StripePayments
from hostplane.billing.application import Billing, Rules
from hostplane.billing.settings import Settings
from hostplane.contracts.secrets import SecretBox
from hostplane.messaging.clock import Clock, FileClock, SystemClock
from hostplane.messaging.eventstore import create_event_store, event_store_env

SCHEMA = "billing"
# Aggregates read again and again (a tenant's number series, busy subscriptions) are kept
# and brought up to date with only their newer events.
AGGREGATE_CACHE = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "y"}


def make_clock(settings: Settings) -> Clock:
    """The real time, or in development the time `BILLING_CLOCK_FILE` says."""
    return FileClock(settings.billing_clock_file) if settings.billing_clock_file else SystemClock()


def rules(settings: Settings) -> Rules:
    return Rules(
        tax_rates=settings.tax_rates,
        dunning=settings.dunning,
        due_days=settings.invoice_due_days,
        invoice_prefix=settings.invoice_prefix,
        credit_note_prefix=settings.credit_note_prefix,
    )


def bootstrap(
    settings: Settings, payments: Payments | None = None, clock: Clock | None = None
) -> Billing:
    """Billing on its own PostgreSQL schema, with `payments` and `clock` or the configured."""
    return Billing(
        env=event_store_env(settings, SCHEMA) | AGGREGATE_CACHE,
        payments=payments
        or StripePayments(
            settings.stripe_api_base, settings.stripe_secret_key, settings.stripe_timeout_s
        ),
        clock=clock or make_clock(settings),
        secrets=SecretBox(settings.config_secrets_key),
        rules=rules(settings),
        catalog=settings,
        numbering=NumberingTurns(
            settings.database_url if settings.event_store == "postgresql" else None, SCHEMA
        ),
    )


def translator(app: Billing) -> Translator:
    """The outbox's translation, following aggregates' states from the app's store."""
    return Translator(
        StateFollower(lambda ident, version: app.repository.get(ident, version=version))
    )


def create_schema(database_url: str) -> None:
    """Create the billing schema and its event store's tables (`python -m hostplane.schema`)."""
    create_event_store(database_url, SCHEMA)
