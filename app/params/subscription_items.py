"""Parameters of /v1/subscription_items (each is a change of its subscription's items)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.params.base import Bool, Emptyable, ExpandParams, Id, ListParams, Metadata, Params, Quantity, Timestamp
from app.params.subscriptions import ItemPriceData, ProrationBehavior

PaymentBehavior = Literal["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"]


class SubscriptionItemCreateParams(ExpandParams):
    subscription: Id
    price: Id | None = None
    plan: Id | None = Field(None, description="Stripe's older name of `price`.")
    price_data: ItemPriceData | None = None
    quantity: Quantity | None = None
    metadata: Metadata | None = None
    payment_behavior: PaymentBehavior | None = None
    proration_behavior: ProrationBehavior | None = None
    proration_date: Timestamp | None = None


class SubscriptionItemUpdateParams(ExpandParams):
    off_session: Bool | None = None
    price: Id | None = None
    plan: Id | None = Field(None, description="Stripe's older name of `price`.")
    price_data: ItemPriceData | None = None
    quantity: Quantity | None = None
    metadata: Emptyable[Metadata] | None = None
    payment_behavior: PaymentBehavior | None = None
    proration_behavior: ProrationBehavior | None = None
    proration_date: Timestamp | None = None


class SubscriptionItemDeleteParams(Params):
    clear_usage: Bool | None = None
    payment_behavior: PaymentBehavior | None = None
    proration_behavior: ProrationBehavior | None = None
    proration_date: Timestamp | None = None


class SubscriptionItemListParams(ListParams):
    subscription: Id = Field(description="The subscription whose items to list.")
