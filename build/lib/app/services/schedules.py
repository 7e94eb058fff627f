"""Subscription schedules: enough to put a subscription under a schedule and release it (R4 needs
the state: a scheduled subscription can be neither updated nor canceled in the portal).
"""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.subscriptions import load_items, render_schedule
from app.params.subscriptions import ScheduleCreateParams
from app.services import locks
from app.services import subscriptions as subscription_service
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
    phase: dict[str, Any] = {
        "add_invoice_items": [],
        "application_fee_percent": None,
        "billing_cycle_anchor": None,
        "collection_method": sub.collection_method,
        "currency": sub.currency,
        "default_payment_method": sub.default_payment_method,
        "default_tax_rates": [],
        "description": None,
        "discounts": [],
        "end_date": items[0].current_period_end if items else ctx.now(),
        "items": [
            {
                "billing_thresholds": None,
                "discounts": [],
                "metadata": {},
                "plan": i.price_id,
                "price": i.price_id,
                "quantity": i.quantity,
                "tax_rates": [],
            }
            for i in items
        ],
        "metadata": {},
        "on_behalf_of": None,
        "proration_behavior": "create_prorations",
        "start_date": items[0].current_period_start if items else ctx.now(),
        "trial_end": sub.trial_end,
    }
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
            phases=[phase],
            metadata_=dict(params.metadata or {}),
        )
    )
    outbox.record(uow, ctx, "subscription_schedule.created", render_schedule(schedule))

    def attach(s: Subscription) -> None:
        s.schedule_id = schedule.id

    await subscription_service.change(uow, ctx, sub, attach)
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

        await subscription_service.change(uow, ctx, sub, detach)
    return schedule
