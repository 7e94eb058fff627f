"""Prorations, as Stripe computes them (https://docs.stripe.com/billing/subscriptions/prorations).

A change at time `at` inside a period credits the unused time on what the customer had and charges
the remaining time on what they have now, each to the second: amount x (end - at) / (end - start),
rounded to the nearest minor unit (halves away from zero), one line each. Upgrading a 10 USD plan to
a 20 USD one halfway through the month credits -5 USD and charges +10 USD: 5 USD more.
"""

from __future__ import annotations

from fractions import Fraction

from app.domain.lines import Line, Priced, counted, day
from app.domain.money import round_half_up
from app.domain.periods import Period


def prorated(amount: int, period: Period, at: int) -> int:
    """The share of `amount` for the time from `at` to the period's end."""
    if period.seconds <= 0:
        return 0
    at = min(max(at, period.start), period.end)
    return round_half_up(Fraction(amount * (period.end - at), period.seconds))


def unused_time(item_id: str, had: Priced, period: Period, at: int) -> Line:
    """The credit for the rest of the period on what the customer had: a negative line."""
    return Line(
        amount=-prorated(had.amount, period, at),
        description=f"Unused time on {counted(had)} after {day(at)}",
        period=Period(at, period.end),
        quantity=had.quantity,
        price_id=had.price_id,
        product_id=had.product_id,
        unit_amount=had.unit_amount,
        proration=True,
        subscription_item=item_id,
    )


def remaining_time(item_id: str, has: Priced, period: Period, at: int) -> Line:
    """The charge for the rest of the period on what the customer has now."""
    return Line(
        amount=prorated(has.amount, period, at),
        description=f"Remaining time on {counted(has)} after {day(at)}",
        period=Period(at, period.end),
        quantity=has.quantity,
        price_id=has.price_id,
        product_id=has.product_id,
        unit_amount=has.unit_amount,
        proration=True,
        subscription_item=item_id,
    )


def item_change(item_id: str, had: Priced | None, has: Priced | None, period: Period, at: int) -> list[Line]:
    """The proration lines of one item's change: none when it bills the same as before; metered
    prices are billed on usage, so they prorate nothing (as on Stripe)."""
    if had is not None and has is not None and had.same_charge(has):
        return []
    lines: list[Line] = []
    if had is not None and not had.metered:
        lines.append(unused_time(item_id, had, period, at))
    if has is not None and not has.metered:
        lines.append(remaining_time(item_id, has, period, at))
    return [line for line in lines if line.amount != 0]
