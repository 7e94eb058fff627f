"""Test clocks (https://docs.stripe.com/billing/testing/test-clocks): the customers attached to a
clock, and everything of theirs, live at its frozen time; advancing it runs everything that falls
due on the way, in time order, through the same code real time runs (renewals, trial ends,
cancellations, resumed collection, and the retries of a failed renewal payment).

Better than Stripe: one advance may cross any number of periods and is done when the call
returns (`status` is `ready` in the answer; `advancing` is never seen from outside), and a clock
takes any number of customers.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.context import Ctx
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.test_clocks import render_test_clock
from app.params.test_clocks import TestClockAdvanceParams, TestClockCreateParams, TestClockListParams
from app.services import customers as customer_service
from app.services import dunning, locks, test_helpers
from app.services import subscriptions as subscription_service
from app.services.common import require_test_mode
from app.services.subscription_events import render as render_subscription
from app.store.models import Subscription, TestClock
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork

# Stripe deletes a clock 30 days after it is made.
LIFETIME = 30 * 86400
# `customer.subscription.trial_will_end` comes three days before a trial ends.
TRIAL_WARNING = 3 * 86400
# A bound on the steps of one advance, so a runaway schedule cannot loop for ever.
MAX_STEPS = 100_000


async def get(uow: UnitOfWork, ctx: Ctx, clock_id: str) -> TestClock:
    clock = await uow.test_clocks.get(ctx.scope, clock_id)
    if clock is None or clock.deleted:
        raise ResourceMissing("test_clock", clock_id)
    return clock


async def create(uow: UnitOfWork, ctx: Ctx, params: TestClockCreateParams) -> TestClock:
    require_test_mode(ctx, "Test clocks")
    now = ctx.now()
    clock = uow.test_clocks.add(
        TestClock(
            id=new_id("clock", 24),
            account_id=ctx.scope.account_id,
            livemode=False,
            created=now,
            name=params.name,
            frozen_time=params.frozen_time,
            status="ready",
            deletes_after=now + LIFETIME,
            deleted=False,
        )
    )
    outbox.record(uow, ctx, "test_helpers.test_clock.created", render_test_clock(clock))
    return clock


async def list_(uow: UnitOfWork, ctx: Ctx, params: TestClockListParams) -> Page[TestClock]:
    return await uow.test_clocks.find(ctx.scope, Cursor(params.limit, params.starting_after, params.ending_before))


async def _locked(uow: UnitOfWork, ctx: Ctx, clock_id: str) -> TestClock:
    require_test_mode(ctx, "Test clocks")
    clock = await uow.test_clocks.get_for_update(ctx.scope, clock_id)
    if clock is None or clock.deleted:
        raise ResourceMissing("test_clock", clock_id)
    return clock


async def delete(uow: UnitOfWork, ctx: Ctx, clock_id: str) -> TestClock:
    """Delete the clock and, as Stripe does, the customers attached to it (their subscriptions
    are canceled first, each with its event)."""
    clock = await _locked(uow, ctx, clock_id)
    for customer in await uow.customers.on_clock(ctx.scope, clock.id):
        await customer_service.delete(uow, ctx, customer.id)
    body = render_test_clock(clock)
    clock.deleted = True
    outbox.record(uow, ctx, "test_helpers.test_clock.deleted", body)
    return clock


async def advance(uow: UnitOfWork, ctx: Ctx, clock_id: str, params: TestClockAdvanceParams) -> TestClock:
    """Move the clock to `frozen_time`, running everything due on the way in time order."""
    clock = await _locked(uow, ctx, clock_id)
    target = params.frozen_time
    if target <= clock.frozen_time:
        raise InvalidRequest(
            "frozen_time must be after the clock's current frozen_time "
            f"({clock.frozen_time}); test clocks only move forward.",
            param="frozen_time",
        )
    clock.status = "advancing"
    outbox.record(
        uow,
        ctx,
        "test_helpers.test_clock.advancing",
        {**render_test_clock(clock), "status_details": {"advancing": {"target_frozen_time": target}}},
    )
    customers = await uow.customers.on_clock(ctx.scope, clock.id)
    for _ in range(MAX_STEPS):
        step = await _next_due(uow, ctx, [c.id for c in customers], clock.frozen_time, target)
        if step is None:
            break
        at, sub, kind = step
        # The clock stands at each step while it runs, so everything the step does is dated then.
        clock.frozen_time = at
        ctx.freeze(at)
        await _run(uow, ctx, sub, kind)
    else:
        clock.status = "internal_failure"
        raise InvalidRequest("The advance did not settle; the clock is left where it stopped.", param="frozen_time")
    clock.frozen_time = target
    ctx.freeze(target)
    clock.status = "ready"
    outbox.record(uow, ctx, "test_helpers.test_clock.ready", render_test_clock(clock))
    return clock


async def _next_due(
    uow: UnitOfWork, ctx: Ctx, customer_ids: Iterable[str], after: int, until: int
) -> tuple[int, Subscription, str] | None:
    """The earliest thing due in (after, until] among the clock's subscriptions."""
    best: tuple[int, Subscription, str] | None = None
    for customer_id in customer_ids:
        for sub in await uow.subscriptions.for_customer(ctx.scope, customer_id):
            if sub.status in subscription_service.ENDED or sub.status in ("incomplete", "paused"):
                continue
            items = (await uow.subscription_items.for_subscriptions(ctx.scope, [sub.id])).get(sub.id, [])
            if not items:
                continue
            period_end = items[0].current_period_end
            candidates = [(period_end, "renew")]
            if sub.cancel_at is not None and sub.cancel_at < period_end:
                candidates.append((sub.cancel_at, "cancel"))
            if sub.status == "trialing" and sub.trial_end is not None:
                # Strictly after the clock's time: once sent, the clock stands at it, so never twice.
                warning = sub.trial_end - TRIAL_WARNING
                if after < warning <= until:
                    candidates.append((warning, "trial_will_end"))
            if sub.latest_invoice is not None and sub.status in ("past_due", "active"):
                latest = await uow.invoices.get(ctx.scope, sub.latest_invoice)
                if latest is not None and latest.status == "open" and latest.next_payment_attempt is not None:
                    candidates.append((latest.next_payment_attempt, "retry"))
            for at, kind in candidates:
                if after <= at <= until and (best is None or at < best[0]):
                    best = (at, sub, kind)
    return best


async def _run(uow: UnitOfWork, ctx: Ctx, sub: Subscription, kind: str) -> None:
    locked = await locks.subscription(uow, ctx, sub.id)
    if kind == "cancel":
        await subscription_service.end_now(uow, ctx, locked, reason="cancellation_requested")
    elif kind == "retry":
        assert locked.latest_invoice is not None
        invoice = await locks.invoice(uow, ctx, locked.latest_invoice)
        await dunning.retry(uow, ctx, locked, invoice)
    elif kind == "trial_will_end":
        outbox.record(uow, ctx, "customer.subscription.trial_will_end", await render_subscription(uow, ctx, locked))
    else:
        await test_helpers.renew(uow, ctx, locked)
