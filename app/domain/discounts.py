"""Coupons and discounts: which discounts apply to an invoice, and how much each takes off each line
(https://docs.stripe.com/billing/subscriptions/coupons).

A percentage comes off every line it applies to, rounded per line. A fixed amount is shared among
the lines it applies to in proportion to their amounts (the last line takes the rounding rest), and
never takes off more than they come to. Several discounts apply one after the other, each to what
the ones before left. `applies_to.products` limits a coupon to lines of those products.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from app.domain.money import round_half_up
from app.domain.periods import IntervalUnit, add_interval


class Duration(StrEnum):
    ONCE = "once"
    REPEATING = "repeating"
    FOREVER = "forever"


@dataclass(frozen=True)
class CouponTerms:
    percent_off: Decimal | None = None
    amount_off: int | None = None
    currency: str | None = None
    products: frozenset[str] | None = None

    def applies_to(self, product_id: str | None) -> bool:
        return self.products is None or (product_id is not None and product_id in self.products)


@dataclass(frozen=True)
class Applied:
    """A discount as an invoice sees it: its id and its coupon's terms."""

    discount_id: str
    terms: CouponTerms


@dataclass(frozen=True)
class Discountable:
    amount: int
    product_id: str | None
    discountable: bool = True


def discount_end(start: int, duration: Duration, duration_in_months: int | None) -> int | None:
    """When a discount stops applying: `repeating` after its months; `once` and `forever` have no end
    date (a `once` discount is used up by the first invoice it applies to)."""
    if duration == Duration.REPEATING:
        return add_interval(start, IntervalUnit.MONTH, int(duration_in_months or 0))
    return None


def line_discounts(lines: list[Discountable], discounts: list[Applied]) -> list[list[tuple[str, int]]]:
    """For each line, the (discount id, amount taken off) of every discount, in order."""
    remaining = [line.amount for line in lines]
    result: list[list[tuple[str, int]]] = [[] for _ in lines]
    for applied in discounts:
        terms = applied.terms
        targets = [i for i, line in enumerate(lines) if line.discountable and terms.applies_to(line.product_id)]
        if terms.percent_off is not None:
            share = Fraction(terms.percent_off) / 100
            for i in targets:
                off = round_half_up(remaining[i] * share)
                result[i].append((applied.discount_id, off))
                remaining[i] -= off
        elif terms.amount_off is not None:
            positive = [i for i in targets if remaining[i] > 0]
            base = sum(remaining[i] for i in positive)
            budget = min(terms.amount_off, base)
            given = 0
            for n, i in enumerate(positive):
                off = budget - given if n == len(positive) - 1 else round_half_up(Fraction(budget * remaining[i], base))
                result[i].append((applied.discount_id, off))
                remaining[i] -= off
                given += off
    return result
