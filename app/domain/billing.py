"""Billing arithmetic: billing periods and what a price costs for a quantity. Pure functions."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any


def add_interval(start: int, interval: str, count: int = 1) -> int:
    """`start` plus `count` intervals, months clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    at = datetime.fromtimestamp(start, UTC)
    if interval == "day":
        return int((at + timedelta(days=count)).timestamp())
    if interval == "week":
        return int((at + timedelta(weeks=count)).timestamp())
    months = count * (12 if interval == "year" else 1)
    month_index = at.month - 1 + months
    year, month = at.year + month_index // 12, month_index % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return int(at.replace(year=year, month=month, day=day).timestamp())


def transformed(quantity: int, transform: dict[str, Any] | None) -> int:
    """Stripe's `transform_quantity`: the quantity billed is the quantity divided by `divide_by`,
    rounded `up` or `down` (https://docs.stripe.com/products-prices/pricing-models#transform-quantity:
    $10 per 1,000 emails, 1,001 emails round up to 2 units)."""
    if not transform:
        return quantity
    whole, rest = divmod(quantity, int(transform["divide_by"]))
    return whole + (1 if rest and transform.get("round") == "up" else 0)


def amount_for(price: dict[str, Any], quantity: int) -> int:
    """Minor units for `quantity` of a price: per_unit (its quantity transformed, if it says so), or
    tiered (graduated or volume)."""
    if price.get("billing_scheme") != "tiered":
        return int(price.get("unit_amount") or 0) * transformed(quantity, price.get("transform_quantity"))
    tiers = price.get("tiers") or []
    if price.get("tiers_mode") == "volume":
        for tier in tiers:
            if tier.get("up_to") is None or quantity <= tier["up_to"]:
                return int(tier.get("unit_amount") or 0) * quantity + int(tier.get("flat_amount") or 0)
        return 0
    total, floor = 0, 0
    for tier in tiers:
        ceiling = tier.get("up_to")
        in_tier = (quantity if ceiling is None else min(quantity, ceiling)) - floor
        if in_tier <= 0:
            break
        total += int(tier.get("unit_amount") or 0) * in_tier + int(tier.get("flat_amount") or 0)
        if ceiling is None:
            break
        floor = ceiling
    return total
