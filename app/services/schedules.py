"""Subscription schedules: enough to put a subscription under a schedule and release it (R4 needs
the state: a scheduled subscription can be neither updated nor canceled in the portal).
"""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.domain.periods import Interval, boundary
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.subscriptions import load_items, render_schedule
from app.params.subscriptions import ScheduleCreateParams
from app.services import locks
from app.services import subscriptions as subscription_service
from app.services.subscription_events import change
from app.store.models import Subscription, SubscriptionSchedule
from app.store.uow import UnitOfWork


async def get(uow: UnitOfWork, ctx: Ctx, schedule_id: str) -> SubscriptionSchedule:
    schedule = await uow.subscription_schedules.get(ctx.scope, schedule_id)
    if schedule is None:
        raise ResourceMissing("subscription_schedule", schedule_id)
    return schedule


async def create(uow: UnitOfWork, ctx: Ctx, params: ScheduleCreateParams) -> SubscriptionSchedule:
    """A schedule whose first phase is the subscription as it is now."""
    sub = await locks.subscription(uow, ctx, params.from_subscription, param="from_subscription")
    if sub.status in subscription_service.ENDED:
        raise InvalidRequest("A canceled subscription cannot be put under a schedule.", param="from_subscription")
    if sub.schedule_id is not None:
        raise InvalidRequest(
            f"The subscription {sub.id} is already attached to the schedule {sub.schedule_id}.",
            code="resource_already_exists",
            param="from_subscription",
        )
    items_by_sub, _ = await load_items(uow, ctx.scope, [sub])
    items = items_by_sub.get(sub.id, [])
    phase = _phase(
        sub,
        [(i.price_id, i.quantity) for i in items],
        start=items[0].current_period_start if items else ctx.now(),
        end=items[0].current_period_end if items else ctx.now(),
    )
    return await _attach(uow, ctx, sub, [phase], params.metadata)


def _phase(sub: Subscription, items: list[tuple[str, int | None]], *, start: int, end: int) -> dict[str, Any]:
    return {
        "add_invoice_items": [],
        "application_fee_percent": None,
        "billing_cycle_anchor": None,
        "collection_method": sub.collection_method,
        "currency": sub.currency,
        "default_payment_method": sub.default_payment_method,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "end_date": end,
        "items": [
            {
                "billing_thresholds": None,
                "discounts": [],
                "metadata": {},
                "plan": price_id,
                "price": price_id,
                "quantity": quantity,
                "tax_rates": [],
            }
            for price_id, quantity in items
        ],
        "metadata": {},
        "on_behalf_of": None,
        "proration_behavior": "create_prorations",
        "start_date": start,
        "trial_end": sub.trial_end,
    }


async def _attach(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, phases: list[dict[str, Any]], metadata: dict[str, str] | None
) -> SubscriptionSchedule:
    schedule = uow.subscription_schedules.add(
        SubscriptionSchedule(
            id=new_id("sub_sched", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=ctx.now(),
            customer_id=sub.customer_id,
            subscription_id=sub.id,
            status="active",
            end_behavior="release",
            phases=phases,
            metadata_=dict(metadata or {}),
        )
    )
    outbox.record(uow, ctx, "subscription_schedule.created", render_schedule(schedule))

    def attach(s: Subscription) -> None:
        s.schedule_id = schedule.id

    await change(uow, ctx, sub, attach)
    return schedule


async def release(uow: UnitOfWork, ctx: Ctx, schedule_id: str) -> SubscriptionSchedule:
    """Detach the schedule; the subscription carries on by itself."""
    schedule = await locks.schedule(uow, ctx, schedule_id)
    if schedule.status not in ("active", "not_started"):
        raise InvalidRequest(
            f"You cannot release a subscription schedule that is currently in the `{schedule.status}` status.",
            code="schedule_not_releasable",
        )
    schedule.status, schedule.released_at = "released", ctx.now()
    schedule.released_subscription = schedule.subscription_id
    sub = (
        await uow.subscriptions.get_for_update(ctx.scope, schedule.subscription_id)
        if schedule.subscription_id
        else None
    )
    schedule.subscription_id = None
    outbox.record(uow, ctx, "subscription_schedule.released", render_schedule(schedule))
    if sub is not None:

        def detach(s: Subscription) -> None:
            s.schedule_id = None

        await change(uow, ctx, sub, detach)
    return schedule


async def schedule_change(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, changes: list[tuple[str, str, int | None]]
) -> SubscriptionSchedule:
    """A change that waits for the period's end (the portal's `schedule_at_period_end`): a schedule
    whose first phase is the subscription as it is, and whose second starts at the period's end
    with the changed items [(item id, price, quantity)]. The caller holds the subscription's lock."""
    if sub.schedule_id is not None:
        raise InvalidRequest(
            f"The subscription {sub.id} already has a scheduled change.", code="resource_already_exists"
        )
    items = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    now_items = [(i.price_id, i.quantity) for i in items]
    changed = {item_id: (price, quantity) for item_id, price, quantity in changes}
    later = [changed.get(i.id, (i.price_id, i.quantity)) for i in items]
    start, end = items[0].current_period_start, items[0].current_period_end
    prices = await uow.prices.many(ctx.scope, [p for p, _ in later])
    next_end = boundary(end, Interval.of(prices[later[0][0]].recurring), 1)
    phases = [_phase(sub, now_items, start=start, end=end), _phase(sub, later, start=end, end=next_end)]
    return await _attach(uow, ctx, sub, phases, None)


async def start_due_phase(uow: UnitOfWork, ctx: Ctx, sub: Subscription, at: int) -> None:
    """At a period boundary, the schedule's phase that starts there takes effect: its items replace
    the subscription's (no prorations: the phase starts with the period). When that is the last
    phase, the schedule releases the subscription (end_behavior `release`)."""
    if sub.schedule_id is None:
        return
    schedule = await uow.subscription_schedules.get_for_update(ctx.scope, sub.schedule_id)
    if schedule is None or schedule.status != "active":
        return
    phases = list(schedule.phases or [])
    due = next((n for n, phase in enumerate(phases) if n > 0 and phase["start_date"] == at), None)
    if due is None:
        return
    items = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    for item, wanted in zip(items, phases[due]["items"], strict=False):
        item.price_id, item.quantity = wanted["price"], wanted.get("quantity")
    if due == len(phases) - 1 and schedule.end_behavior == "release":
        schedule.status, schedule.released_at = "released", at
        schedule.released_subscription, schedule.subscription_id = sub.id, None
        sub.schedule_id = None
        outbox.record(uow, ctx, "subscription_schedule.released", render_schedule(schedule))
    else:
        outbox.record(uow, ctx, "subscription_schedule.updated", render_schedule(schedule))
