"""Billing periods: intervals counted from the billing cycle anchor, as Stripe counts them.

A monthly subscription anchored on January 31 renews on February 28 (29 in a leap year), March 31,
April 30: each boundary is the anchor plus n intervals, clamped to the month's last day, never the
previous boundary plus one (which would drift to the 28th for good). Pure functions over Unix
timestamps in UTC.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class IntervalUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Interval:
    unit: IntervalUnit
    count: int = 1

    @classmethod
    def of(cls, recurring: dict[str, object] | None) -> Interval:
        recurring = recurring or {}
        return cls(IntervalUnit(str(recurring.get("interval", "month"))), int(str(recurring.get("interval_count", 1))))


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    @property
    def seconds(self) -> int:
        return self.end - self.start


def add_interval(start: int, unit: str, count: int = 1) -> int:
    """`start` plus `count` units, months clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    at = datetime.fromtimestamp(start, UTC)
    if unit == IntervalUnit.DAY:
        return int((at + timedelta(days=count)).timestamp())
    if unit == IntervalUnit.WEEK:
        return int((at + timedelta(weeks=count)).timestamp())
    months = count * (12 if unit == IntervalUnit.YEAR else 1)
    month_index = at.month - 1 + months
    year, month = at.year + month_index // 12, month_index % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return int(at.replace(year=year, month=month, day=day).timestamp())


def boundary(anchor: int, interval: Interval, n: int) -> int:
    """The n-th period boundary after the anchor (n = 0 is the anchor itself)."""
    return add_interval(anchor, interval.unit, interval.count * n)


def period_at(anchor: int, interval: Interval, at: int) -> Period:
    """The billing period that contains `at` (start inclusive, end exclusive)."""
    if at < anchor:
        raise ValueError("a period is only defined from its anchor on")
    # A first guess from the average length, then step: exact whatever the months' lengths.
    average = {IntervalUnit.DAY: 86400, IntervalUnit.WEEK: 604800, IntervalUnit.MONTH: 2629746}.get(
        interval.unit, 31556952
    )
    n = max((at - anchor) // (average * interval.count) - 1, 0)
    while boundary(anchor, interval, n + 1) <= at:
        n += 1
    while n > 0 and boundary(anchor, interval, n) > at:
        n -= 1
    return Period(boundary(anchor, interval, n), boundary(anchor, interval, n + 1))


def next_period(anchor: int, interval: Interval, current: Period) -> Period:
    """The period after `current`, counted from the anchor."""
    return period_at(anchor, interval, current.end)


def anchor_on(
    now: int,
    interval: Interval,
    day_of_month: int,
    month: int | None = None,
    hour: int | None = None,
    minute: int | None = None,
    second: int | None = None,
) -> int:
    """The first moment after `now` on `day_of_month` (the month's last day when it is shorter),
    in `month` for a yearly interval, at the time given (else now's time of day): Stripe's
    `billing_cycle_anchor_config`, for monthly and yearly prices."""
    if interval.unit not in (IntervalUnit.MONTH, IntervalUnit.YEAR):
        raise ValueError("a day of the month anchors monthly and yearly prices only")
    start = datetime.fromtimestamp(now, UTC)
    h = start.hour if hour is None else hour
    m = start.minute if minute is None else minute
    s = start.second if second is None else second
    for step in range(0, 25):
        month_index = start.month - 1 + step
        year, mon = start.year + month_index // 12, month_index % 12 + 1
        if interval.unit == IntervalUnit.YEAR and mon != (month or start.month):
            continue
        day = min(day_of_month, calendar.monthrange(year, mon)[1])
        at = int(datetime(year, mon, day, h, m, s, tzinfo=UTC).timestamp())
        if at > now:
            return at
    raise AssertionError("a day of the month comes round within two years")
