"""/v1/subscription_items."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.subscriptions import DeletedSubscriptionItemObject, SubscriptionItemObject
from app.params.base import RetrieveParams
from app.params.subscription_items import (
    SubscriptionItemCreateParams,
    SubscriptionItemDeleteParams,
    SubscriptionItemListParams,
    SubscriptionItemUpdateParams,
)
from app.services import subscription_items as item_service

router = APIRouter(tags=["subscription_items"])
SI = "subscription_item"


@router.post("/v1/subscription_items", **documented(SubscriptionItemObject, SubscriptionItemCreateParams))
async def create_subscription_item(call: Call) -> Response:
    """Add an item to a subscription, prorated as `proration_behavior` says."""
    p = call.parse(SubscriptionItemCreateParams)
    return await call.write(lambda uow: item_service.create(uow, call.ctx, p), SI, expand=p.expand)


@router.get("/v1/subscription_items", **documented(SubscriptionItemObject, SubscriptionItemListParams, is_list=True))
async def list_subscription_items(call: Call) -> Response:
    """A subscription's items."""
    p = call.parse(SubscriptionItemListParams)
    return await call.read(
        lambda uow: item_service.list_(uow, call.ctx, p), SI, expand=p.expand, url="/v1/subscription_items"
    )


@router.get("/v1/subscription_items/{item}", **documented(SubscriptionItemObject, RetrieveParams))
async def retrieve_subscription_item(item: str, call: Call) -> Response:
    """Retrieve a subscription item."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: item_service.get(uow, call.ctx, item), SI, expand=p.expand)


@router.post("/v1/subscription_items/{item}", **documented(SubscriptionItemObject, SubscriptionItemUpdateParams))
async def update_subscription_item(item: str, call: Call) -> Response:
    """Change an item's price, quantity or metadata, prorated as `proration_behavior` says."""
    p = call.parse(SubscriptionItemUpdateParams)
    return await call.write(lambda uow: item_service.update(uow, call.ctx, item, p), SI, expand=p.expand)


@router.delete(
    "/v1/subscription_items/{item}", **documented(DeletedSubscriptionItemObject, SubscriptionItemDeleteParams)
)
async def delete_subscription_item(item: str, call: Call) -> Response:
    """Remove an item from its subscription (prorated as `proration_behavior` says)."""
    p = call.parse(SubscriptionItemDeleteParams)
    return await call.write(lambda uow: item_service.delete(uow, call.ctx, item, p), SI)
