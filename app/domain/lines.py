"""What an invoice line is before it is stored: an amount for a period, with what it is for.

The billing functions (a period's charge, a proration, a discount) produce these; the services
store them as invoice lines or pending invoice items, and the preview renders them unsaved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from app.domain.money import format_amount
from app.domain.periods import Interval, Period


@dataclass(frozen=True)
class Priced:
    """What one subscription item costs for a whole period: its price, quantity and amount."""

    price_id: str
    product_id: str
    product_name: str
    quantity: int
    amount: int
    currency: str
    interval: Interval
    unit_amount: int | None = None
    metered: bool = False

    def same_charge(self, other: Priced) -> bool:
        return (self.price_id, self.quantity, self.amount) == (other.price_id, other.quantity, other.amount)


@dataclass(frozen=True)
class Line:
    amount: int
    description: str
    period: Period
    quantity: int = 1
    price_id: str | None = None
    product_id: str | None = None
    unit_amount: int | None = None
    proration: bool = False
    subscription_item: str | None = None
    discountable: bool = True
    # the pending invoice item this line comes from, when it does
    invoice_item: str | None = None

    def with_item(self, invoice_item: str) -> Line:
        return replace(self, invoice_item=invoice_item)


def counted(priced: Priced) -> str:
    """`Gold` for one, `3 x Gold` (with the multiplication sign) for more, as Stripe names an item."""
    return priced.product_name if priced.quantity == 1 else f"{priced.quantity} × {priced.product_name}"


def _interval_text(interval: Interval) -> str:
    return interval.unit.value if interval.count == 1 else f"every {interval.count} {interval.unit.value}s"


def cycle_description(priced: Priced) -> str:
    """Stripe's description of a period's charge: `1 x Gold (at $20.00 / month)`, with the sign."""
    if priced.unit_amount is None:
        return f"{priced.quantity} × {priced.product_name}"
    at = format_amount(priced.unit_amount, priced.currency)
    return f"{priced.quantity} × {priced.product_name} (at {at} / {_interval_text(priced.interval)})"


def day(ts: int) -> str:
    """`15 Mar 2024`, as Stripe dates a proration's description."""
    return datetime.fromtimestamp(ts, UTC).strftime("%d %b %Y")


def cycle_line(item_id: str, priced: Priced, period: Period, *, free: bool = False) -> Line:
    """The charge for one whole period of an item (zero during a trial, as Stripe bills a trial)."""
    description = f"Trial period for {priced.product_name}" if free else cycle_description(priced)
    return Line(
        amount=0 if free or priced.metered else priced.amount,
        description=description,
        period=period,
        quantity=0 if priced.metered else priced.quantity,
        price_id=priced.price_id,
        product_id=priced.product_id,
        unit_amount=priced.unit_amount,
        subscription_item=item_id,
    )
