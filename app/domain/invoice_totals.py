"""An invoice's totals from its lines, and how the customer's balance settles it
(https://docs.stripe.com/billing/customer/balance).

A credit on the balance (negative) lowers what is due; a debit (positive) raises it. When the lines
come to less than nothing (a downgrade's credit), nothing is due and the rest goes to the balance as
a credit for the next invoice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Totals:
    subtotal: int
    discounts: list[tuple[str, int]]
    total: int
    starting_balance: int
    amount_due: int
    ending_balance: int

    @property
    def balance_change(self) -> int:
        """What finalizing moves on the customer's balance (negative: credit given)."""
        return self.ending_balance - self.starting_balance


def invoice_totals(amounts: list[int], discounts: list[list[tuple[str, int]]], starting_balance: int) -> Totals:
    subtotal = sum(amounts)
    by_discount: dict[str, int] = {}
    for line in discounts:
        for discount_id, off in line:
            by_discount[discount_id] = by_discount.get(discount_id, 0) + off
    total = subtotal - sum(by_discount.values())
    net = total + starting_balance
    return Totals(
        subtotal=subtotal,
        discounts=list(by_discount.items()),
        total=total,
        starting_balance=starting_balance,
        amount_due=max(net, 0),
        ending_balance=min(net, 0),
    )
