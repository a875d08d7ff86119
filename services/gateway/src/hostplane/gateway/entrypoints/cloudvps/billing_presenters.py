"""Billing's rows in seed 003's shapes: invoices, usage and saved cards."""

from datetime import datetime

from hostplane.contracts.cloudvps import billing as seed
from hostplane.contracts.money import to_major
from hostplane.gateway.application.cloudvps.billing import Card, Cards, Usage
from hostplane.gateway.application.mpanel.readmodels import InvoiceRow


def _status(row: InvoiceRow, now: datetime) -> seed.InvoiceStatus:
    """Paid, or unpaid: pending until its due date passes, overdue after."""
    if row.status == "paid":
        return "paid"
    return "overdue" if row.due_at is not None and row.due_at < now else "pending"


def invoice(row: InvoiceRow, now: datetime) -> seed.Invoice:
    currency = row.currency
    return seed.Invoice(
        id=str(row.id),
        invoice_number=row.number or str(row.id),
        amount=to_major(row.total, currency),
        currency=currency,
        status=_status(row, now),
        due_date=row.due_at or row.created_at,
        paid_date=row.paid_at,
        items=[
            seed.InvoiceItem(
                description=line.description,
                quantity=line.quantity,
                unit_price=to_major(line.unit_amount, currency),
                total=to_major(line.amount, currency),
            )
            for line in row.lines
        ],
    )


def usage(found: Usage) -> seed.Usage:
    currency = found.currency
    return seed.Usage(
        current_period=seed.BillingPeriod(
            start_date=found.start,
            end_date=found.end,
            total_cost=to_major(found.total, currency),
            currency=currency,
        ),
        services=[
            seed.ServiceCost(
                vps_id=str(service.vps_id),
                name=service.name,
                plan=service.plan,
                cost=to_major(service.cost, currency),
                usage=seed.ServiceUsage(
                    cpu_hours=service.cpu_hours,
                    storage_gb_hours=service.storage_gb_hours,
                    bandwidth_gb=0.0,  # traffic is not metered per period
                ),
            )
            for service in found.services
        ],
    )


def payment_method(card: Card, default: str | None) -> seed.PaymentMethod:
    return seed.PaymentMethod(
        id=card.id,
        type="card",
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        is_default=card.id == default,
    )


def payment_methods(cards: Cards) -> list[seed.PaymentMethod]:
    return [payment_method(card, cards.default) for card in cards.cards]
