"""The money functions against Stripe's documented examples.

- Prorations: https://docs.stripe.com/billing/subscriptions/prorations ("upgrading from a 10 USD
  monthly plan to a 20 USD option halfway through the billing period ... billed an additional 5 USD":
  -5 USD unused time, +10 USD remaining time), computed to the second.
- Billing cycle: https://docs.stripe.com/billing/subscriptions/billing-cycle (a monthly anchor on
  the 31st bills on the last day of shorter months).
- Coupons: https://docs.stripe.com/billing/subscriptions/coupons (percent or fixed amount off).
- Balance: https://docs.stripe.com/billing/customer/balance (credit applies to the next invoice).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from app.domain.discounts import Applied, CouponTerms, Discountable, Duration, discount_end, line_discounts
from app.domain.invoice_totals import invoice_totals
from app.domain.lines import Priced
from app.domain.money import format_amount, round_half_up
from app.domain.periods import Interval, IntervalUnit, Period, boundary, period_at
from app.domain.proration import item_change, prorated
from app.domain.subscription_changes import ChangePlan, ItemChange, ProrationBehavior, plan_change

MONTH = Interval(IntervalUnit.MONTH)


def ts(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


def plan(price: str, amount: int, quantity: int = 1, interval: Interval = MONTH) -> Priced:
    return Priced(price, "prod_" + price, price.title(), quantity, amount * quantity, "usd", interval, amount)


def test_stripes_upgrade_example_halfway_credits_5_and_charges_10() -> None:
    period = Period(ts(2026, 4, 1), ts(2026, 5, 1))
    halfway = period.start + period.seconds // 2
    lines = item_change("si_1", plan("basic", 1000), plan("pro", 2000), period, halfway)
    assert [line.amount for line in lines] == [-500, 1000]
    assert lines[0].description == "Unused time on Basic after 16 Apr 2026"
    assert lines[1].description == "Remaining time on Pro after 16 Apr 2026"
    assert all(line.proration and line.period == Period(halfway, period.end) for line in lines)


def test_prorations_count_seconds_and_round_half_away_from_zero() -> None:
    # 28 days of 10.00, 881,112 seconds left: 364.21 -> 364 (Stripe's "Unused time" of that case).
    period = Period(1487030400, 1489449600)
    assert prorated(1000, period, 1488568488) == 364
    assert round_half_up(Fraction(5, 2)) == 3 and round_half_up(Fraction(-5, 2)) == -3
    assert prorated(1000, period, period.start) == 1000 and prorated(1000, period, period.end) == 0


def test_a_quantity_change_prorates_both_quantities_and_an_unchanged_item_nothing() -> None:
    period = Period(ts(2026, 4, 1), ts(2026, 5, 1))
    at = ts(2026, 4, 16)
    lines = item_change("si_1", plan("seat", 500, 2), plan("seat", 500, 5), period, at)
    assert [line.description.split(" after")[0] for line in lines] == [
        "Unused time on 2 × Seat",
        "Remaining time on 5 × Seat",
    ]
    assert item_change("si_1", plan("seat", 500, 2), plan("seat", 500, 2), period, at) == []


def test_month_ends_and_leap_years_count_from_the_anchor() -> None:
    anchor = ts(2024, 1, 31)
    assert [datetime.fromtimestamp(boundary(anchor, MONTH, n), UTC).day for n in range(1, 5)] == [29, 31, 30, 31]
    assert period_at(anchor, MONTH, ts(2024, 3, 30)) == Period(ts(2024, 2, 29), ts(2024, 3, 31))
    assert boundary(ts(2024, 2, 29), Interval(IntervalUnit.YEAR), 1) == ts(2025, 2, 28)


def test_behaviours_pending_now_or_none_and_an_interval_change_resets_the_cycle() -> None:
    period = Period(ts(2026, 4, 1), ts(2026, 5, 1))
    at = ts(2026, 4, 16)
    change = [ItemChange("si_1", plan("basic", 1000), plan("pro", 2000))]

    def run(changes: list[ItemChange], behavior: ProrationBehavior, trialing: bool = False) -> ChangePlan:
        return plan_change(
            changes, anchor=period.start, period=period, at=at, now=at, behavior=behavior, trialing=trialing
        )

    pending = run(change, ProrationBehavior.CREATE_PRORATIONS)
    assert [line.amount for line in pending.pending_lines] == [-500, 1000] and not pending.invoices_now
    now = run(change, ProrationBehavior.ALWAYS_INVOICE)
    assert [line.amount for line in now.invoice_lines] == [-500, 1000] and not now.pending_lines
    assert run(change, ProrationBehavior.NONE).prorations == []
    yearly = [ItemChange("si_1", plan("basic", 1000), plan("annual", 10000, interval=Interval(IntervalUnit.YEAR)))]
    reset = run(yearly, ProrationBehavior.CREATE_PRORATIONS)
    assert reset.anchor == at and reset.period == Period(at, ts(2027, 4, 16))
    assert [line.amount for line in reset.invoice_lines] == [-500, 10000]
    assert run(change, ProrationBehavior.ALWAYS_INVOICE, trialing=True).prorations == []


def test_percent_off_rounds_per_line_and_amount_off_is_shared_and_capped() -> None:
    lines = [Discountable(1005, "prod_a"), Discountable(995, "prod_b"), Discountable(300, "prod_c", discountable=False)]
    half = Applied("di_p", CouponTerms(percent_off=Decimal("50")))
    assert line_discounts(lines, [half]) == [[("di_p", 503)], [("di_p", 498)], []]
    fixed = Applied("di_a", CouponTerms(amount_off=1000, currency="usd"))
    assert line_discounts(lines, [fixed]) == [[("di_a", 503)], [("di_a", 497)], []]
    big = Applied("di_b", CouponTerms(amount_off=5000, currency="usd"))
    assert sum(off for row in line_discounts(lines, [big]) for _, off in row) == 2000
    only_b = Applied("di_o", CouponTerms(percent_off=Decimal("10"), products=frozenset({"prod_b"})))
    assert line_discounts(lines, [only_b]) == [[], [("di_o", 100)], []]


def test_repeating_discounts_end_after_their_months() -> None:
    assert discount_end(ts(2026, 1, 31), Duration.REPEATING, 3) == ts(2026, 4, 30)
    assert discount_end(ts(2026, 1, 31), Duration.FOREVER, None) is None


def test_a_negative_invoice_leaves_its_credit_on_the_balance_and_the_next_uses_it() -> None:
    credit = invoice_totals([-500, 200], [[], []], 0)
    assert (credit.total, credit.amount_due, credit.ending_balance, credit.balance_change) == (-300, 0, -300, -300)
    after = invoice_totals([1000], [[]], -300)
    assert (after.amount_due, after.ending_balance, after.balance_change) == (700, 0, 300)
    assert format_amount(2000, "usd") == "$20.00" and format_amount(1050, "jpy") == "¥1,050"


@given(
    changes=st.lists(
        st.tuples(st.integers(0, 30 * 86400), st.integers(0, 5000), st.integers(1, 9)), min_size=1, max_size=6
    ),
    first=st.tuples(st.integers(0, 5000), st.integers(1, 9)),
)
def test_property_invoiced_equals_time_weighted_price_within_a_unit_per_line(
    changes: list[tuple[int, int, int]], first: tuple[int, int]
) -> None:
    """Any sequence of price and quantity changes inside one period: the period's charge plus every
    proration equals what the customer had, weighted by how long they had it (one unit per line)."""
    period = Period(ts(2026, 4, 1), ts(2026, 5, 1))
    had = plan("p0", first[0], first[1])
    billed, lines = had.amount, 1
    held: list[tuple[int, Priced]] = [(period.start, had)]
    for n, (offset, amount, quantity) in enumerate(sorted(changes)):
        at = period.start + offset
        has = plan(f"p{n + 1}", amount, quantity)
        made = item_change("si_1", had, has, period, at)
        billed += sum(line.amount for line in made)
        lines += len(made)
        held.append((at, has))
        had = has
    weighted = Fraction(0)
    for (start, priced), (end, _) in zip(held, [*held[1:], (period.end, had)], strict=True):
        weighted += Fraction(priced.amount * (end - start), period.seconds)
    assert abs(billed - weighted) <= lines
