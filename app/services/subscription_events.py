"""The one way a subscription changes (R18): `change()` applies a mutation and records exactly one
`customer.subscription.updated` when anything visible changed. Its own module, so that invoices
and discounts (which settle or discount subscriptions) need not import the subscription use cases
that build on them."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from app.context import Ctx
from app.events import outbox
from app.objects.subscriptions import render_subscriptions
from app.store.models import Subscription
from app.store.uow import UnitOfWork


async def render(uow: UnitOfWork, ctx: Ctx, sub: Subscription) -> dict[str, Any]:
    return (await render_subscriptions(uow, ctx.scope, [sub]))[0]


async def change(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, mutate: Callable[[Subscription], Awaitable[None] | None]
) -> Subscription:
    """Apply `mutate` and record one `customer.subscription.updated` if anything visible changed."""
    before = await render(uow, ctx, sub)
    result = mutate(sub)
    if inspect.isawaitable(result):
        await result
    await uow.flush()
    after = await render(uow, ctx, sub)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "customer.subscription.updated", after, previous=changed)
    return sub
