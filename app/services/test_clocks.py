"""Test clocks (https://docs.stripe.com/billing/testing/test-clocks): the customers attached to a
clock, and everything of theirs, live at its frozen time; advancing it runs everything that falls
due on the way, in time order, through the same code real time runs (renewals, trial ends,
cancellations, resumed collection, the retries of a failed renewal payment, `incomplete`
subscriptions expiring after 23 hours, and `invoice.overdue` when a sent invoice's due date passes).

Better than Stripe: one advance may cross any number of periods and is done when the call
returns (`status` is `ready` in the answer; `advancing` is never seen from outside), and a clock
takes any number of customers.
"""

from __future__ import annotations

from app.context import Ctx
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.test_clocks import render_test_clock
from app.params.test_clocks import TestClockAdvanceParams, TestClockCreateParams, TestClockListParams
from app.services import customers as customer_service
from app.services import lifecycle
from app.services.common import require_test_mode
from app.services.lifecycle import Due
from app.store.models import TestClock
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork

# Stripe deletes a clock 30 days after it is made.
LIFETIME = 30 * 86400
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
    # The clock's customers, locked: nothing else changes them while the clock moves them.
    await uow.customers.on_clock(ctx.scope, clock.id)
    for _ in range(MAX_STEPS):
        due = await _next_due(uow, ctx, clock.id, clock.frozen_time, target)
        if due is None:
            break
        # The clock stands at each step while it runs, so everything the step does is dated then.
        clock.frozen_time = due.at
        ctx.freeze(due.at)
        if not await lifecycle.run(uow, ctx, due):
            raise AssertionError(f"{due} was found due and then was not")
    else:
        clock.status = "internal_failure"
        raise InvalidRequest("The advance did not settle; the clock is left where it stopped.", param="frozen_time")
    clock.frozen_time = target
    ctx.freeze(target)
    clock.status = "ready"
    outbox.record(uow, ctx, "test_helpers.test_clock.ready", render_test_clock(clock))
    return clock


async def _next_due(uow: UnitOfWork, ctx: Ctx, clock_id: str, after: int, until: int) -> Due | None:
    """The earliest thing due in [after, until] for the clock's customers: four queries a step,
    whatever the number of customers on the clock."""
    found = await lifecycle.due_for_many(uow, ctx, await uow.subscriptions.on_clock(ctx.scope, clock_id))
    for invoice in await uow.invoices.waiting_on_clock(ctx.scope, clock_id):
        found += lifecycle.invoice_due(invoice)
    due = [d for d in found if after <= d.at <= until]
    return min(due, key=lambda d: d.at) if due else None
