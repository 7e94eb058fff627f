"""/v1/subscription_items: each call is a change of its subscription's items, made by
`subscriptions.update` (the same prorations, invoices and one `customer.subscription.updated`)."""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.errors import InvalidRequest, ResourceMissing
from app.params.parsing import parse
from app.params.subscription_items import (
    SubscriptionItemCreateParams,
    SubscriptionItemDeleteParams,
    SubscriptionItemListParams,
    SubscriptionItemUpdateParams,
)
from app.params.subscriptions import SubscriptionUpdateParams
from app.services import subscriptions as subscription_service
from app.services.common import page_in_order
from app.store.models import SubscriptionItem
from app.store.repositories.base import Page
from app.store.uow import UnitOfWork


async def get(uow: UnitOfWork, ctx: Ctx, item_id: str) -> SubscriptionItem:
    item = await uow.subscription_items.get(ctx.scope, item_id)
    if item is None:
        raise ResourceMissing("subscription_item", item_id)
    return item


def _billing(params: Any) -> dict[str, Any]:
    sent = params.sent()
    names = ("payment_behavior", "proration_behavior", "proration_date", "off_session")
    return {k: getattr(params, k) for k in names if k in sent}


async def create(uow: UnitOfWork, ctx: Ctx, params: SubscriptionItemCreateParams) -> SubscriptionItem:
    """Add an item to a subscription (prorated as `proration_behavior` says)."""
    item: dict[str, Any] = {k: getattr(params, k) for k in ("price", "plan", "price_data") if k in params.sent()}
    if params.quantity is not None:
        item["quantity"] = params.quantity
    if params.metadata is not None:
        item["metadata"] = params.metadata
    before = {
        i.id
        for i in (await uow.subscription_items.for_subscriptions(ctx.scope, [params.subscription])).get(
            params.subscription, []
        )
    }
    await subscription_service.update(
        uow, ctx, params.subscription, parse(SubscriptionUpdateParams, {"items": [item], **_billing(params)})
    )
    after = (await uow.subscription_items.for_subscriptions(ctx.scope, [params.subscription]))[params.subscription]
    return next(i for i in after if i.id not in before)


async def update(uow: UnitOfWork, ctx: Ctx, item_id: str, params: SubscriptionItemUpdateParams) -> SubscriptionItem:
    item = await get(uow, ctx, item_id)
    change: dict[str, Any] = {"id": item.id}
    for name in ("price", "plan", "price_data", "quantity", "metadata"):
        if name in params.sent():
            change[name] = getattr(params, name)
    await subscription_service.update(
        uow, ctx, item.subscription_id, parse(SubscriptionUpdateParams, {"items": [change], **_billing(params)})
    )
    return await get(uow, ctx, item_id)


async def delete(uow: UnitOfWork, ctx: Ctx, item_id: str, params: SubscriptionItemDeleteParams) -> dict[str, Any]:
    """Remove an item (a subscription keeps at least one: cancel the subscription instead)."""
    if params.clear_usage is not None:
        raise InvalidRequest(
            "clear_usage is not supported: this service keeps no usage records for metered prices.",
            code="parameter_unsupported",
            param="clear_usage",
        )
    item = await get(uow, ctx, item_id)
    await subscription_service.update(
        uow,
        ctx,
        item.subscription_id,
        parse(SubscriptionUpdateParams, {"items": [{"id": item.id, "deleted": True}], **_billing(params)}),
    )
    return {"id": item_id, "object": "subscription_item", "deleted": True}


async def list_(uow: UnitOfWork, ctx: Ctx, params: SubscriptionItemListParams) -> Page[SubscriptionItem]:
    sub = await subscription_service.get(uow, ctx, params.subscription, param="subscription")
    items = (await uow.subscription_items.for_subscriptions(ctx.scope, [sub.id])).get(sub.id, [])
    page, more = page_in_order(items, [i.id for i in items], params, "subscription_item")
    return Page(page, more)
