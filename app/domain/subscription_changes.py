"""What a change to a subscription's items bills, as Stripe decides it
(https://docs.stripe.com/billing/subscriptions/prorations,
https://docs.stripe.com/billing/subscriptions/billing-cycle).

- `create_prorations` (the default): proration lines become pending invoice items, billed on the
  next invoice; `always_invoice`: they are invoiced and charged now; `none`: there are none.
- A change of billing interval (month to year), or `billing_cycle_anchor=now`, starts a new period
  now and invoices at once: the new period in full, less the unused time on what the customer had
  (unless proration_behavior is `none`).
- During a trial nothing is prorated: the trial is free whatever it is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.errors import RuleViolation
from app.domain.lines import Line, Priced, cycle_line
from app.domain.periods import Interval, Period, boundary
from app.domain.proration import item_change


class ProrationBehavior(StrEnum):
    CREATE_PRORATIONS = "create_prorations"
    ALWAYS_INVOICE = "always_invoice"
    NONE = "none"


@dataclass(frozen=True)
class ItemChange:
    item_id: str
    had: Priced | None
    has: Priced | None


@dataclass(frozen=True)
class ChangePlan:
    anchor: int
    period: Period
    # lines to bill now (on an invoice made by this change)
    invoice_lines: list[Line] = field(default_factory=list)
    # lines left pending, for the next invoice
    pending_lines: list[Line] = field(default_factory=list)

    @property
    def invoices_now(self) -> bool:
        return bool(self.invoice_lines)

    @property
    def prorations(self) -> list[Line]:
        return [line for line in self.invoice_lines + self.pending_lines if line.proration]


def _interval(priced: list[Priced]) -> Interval | None:
    return priced[0].interval if priced else None


def plan_change(
    changes: list[ItemChange],
    *,
    anchor: int,
    period: Period,
    at: int,
    now: int,
    behavior: ProrationBehavior,
    anchor_now: bool = False,
    anchor_unchanged: bool = False,
    trialing: bool = False,
) -> ChangePlan:
    """The new period and the lines a change bills. `at` is when prorations count from
    (`proration_date`, else now); `period` is the current one."""
    before = _interval([c.had for c in changes if c.had is not None])
    after = _interval([c.has for c in changes if c.has is not None])
    if trialing:
        return ChangePlan(anchor=anchor, period=period)
    interval_changed = before is not None and after is not None and before != after
    if interval_changed and anchor_unchanged:
        raise RuleViolation(
            "billing_cycle_anchor cannot be `unchanged` when the billing interval changes: a new interval starts "
            "a new billing cycle.",
            param="billing_cycle_anchor",
        )
    if anchor_now or interval_changed:
        assert after is not None
        new_period = Period(now, boundary(now, after, 1))
        lines: list[Line] = []
        if behavior != ProrationBehavior.NONE:
            lines += [
                line for c in changes if c.had is not None for line in item_change(c.item_id, c.had, None, period, now)
            ]
        lines += [cycle_line(c.item_id, c.has, new_period) for c in changes if c.has is not None]
        return ChangePlan(anchor=now, period=new_period, invoice_lines=lines)
    if behavior == ProrationBehavior.NONE:
        return ChangePlan(anchor=anchor, period=period)
    prorations = [line for c in changes for line in item_change(c.item_id, c.had, c.has, period, at)]
    if behavior == ProrationBehavior.ALWAYS_INVOICE:
        return ChangePlan(anchor=anchor, period=period, invoice_lines=prorations)
    return ChangePlan(anchor=anchor, period=period, pending_lines=prorations)


def plan_cancel(items: list[tuple[str, Priced]], *, period: Period, now: int, prorate: bool) -> list[Line]:
    """Cancelling now with `prorate`: a credit for the unused time on every item."""
    if not prorate:
        return []
    return [line for item_id, had in items for line in item_change(item_id, had, None, period, now)]


_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def waits_for_period_end(conditions: list[str], had: Priced, has: Priced) -> bool:
    """The portal's `schedule_at_period_end` conditions: a downgrade (`decreasing_item_amount`) or
    a move to a shorter interval (`shortening_interval`) waits for the period's end, so the customer
    keeps what they paid for (https://docs.stripe.com/customer-management/portal-deep-links)."""
    if "decreasing_item_amount" in conditions and has.amount < had.amount:
        return True
    shorter = _DAYS[has.interval.unit.value] * has.interval.count < _DAYS[had.interval.unit.value] * had.interval.count
    return "shortening_interval" in conditions and shorter
