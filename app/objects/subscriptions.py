"""The `subscription`, `subscription_item` and `subscription_schedule` objects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.products import render_price
from app.objects.registry import ObjectType, register
from app.scope import Scope
from app.store.models import Price, Subscription, SubscriptionItem, SubscriptionSchedule
from app.store.uow import UnitOfWork

Status = Literal["active", "canceled", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"]


class PauseCollection(BaseModel):
    behavior: Literal["keep_as_draft", "mark_uncollectible", "void"]
    resumes_at: int | None


class CancellationDetails(BaseModel):
    comment: str | None
    feedback: str | None
    reason: str | None


class DeletedSubscriptionItemObject(BaseModel):
    """What deleting an item answers (Stripe's deleted stub)."""

    id: str
    object: Literal["subscription_item"]
    deleted: Literal[True]


class SubscriptionItemObject(BaseModel):
    id: str
    object: Literal["subscription_item"]
    created: int
    current_period_end: int
    current_period_start: int
    metadata: dict[str, str]
    price: dict[str, Any]
    quantity: int | None = None
    subscription: str
    tax_rates: list[Any]


class SubscriptionItemList(BaseModel):
    object: Literal["list"]
    data: list[SubscriptionItemObject]
    has_more: bool
    url: str


class SubscriptionObject(BaseModel):
    id: str
    object: Literal["subscription"]
    billing_cycle_anchor: int
    cancel_at: int | None
    cancel_at_period_end: bool
    canceled_at: int | None
    cancellation_details: CancellationDetails | None
    collection_method: Literal["charge_automatically", "send_invoice"]
    created: int
    currency: str
    customer: str | dict[str, Any]
    days_until_due: int | None
    default_payment_method: str | dict[str, Any] | None
    description: str | None
    ended_at: int | None
    items: SubscriptionItemList
    latest_invoice: str | dict[str, Any] | None
    livemode: bool
    metadata: dict[str, str]
    pause_collection: PauseCollection | None
    schedule: str | dict[str, Any] | None
    start_date: int
    status: Status
    trial_end: int | None
    trial_start: int | None


class SubscriptionScheduleObject(BaseModel):
    id: str
    object: Literal["subscription_schedule"]
    created: int
    customer: str | dict[str, Any]
    end_behavior: str
    livemode: bool
    metadata: dict[str, str]
    phases: list[dict[str, Any]]
    released_at: int | None
    released_subscription: str | None
    status: Literal["active", "canceled", "completed", "not_started", "released"]
    subscription: str | dict[str, Any] | None


def legacy_plan(price: dict[str, Any]) -> dict[str, Any]:
    """The pre-Prices `plan` hash the SDKs still read on subscription items, derived from the price."""
    recurring = price.get("recurring") or {}
    return {
        "id": price["id"],
        "object": "plan",
        "active": price.get("active", True),
        "amount": price.get("unit_amount"),
        "amount_decimal": price.get("unit_amount_decimal"),
        "billing_scheme": price.get("billing_scheme", "per_unit"),
        "created": price.get("created"),
        "currency": price.get("currency"),
        "interval": recurring.get("interval"),
        "interval_count": recurring.get("interval_count", 1),
        "livemode": price.get("livemode"),
        "meter": recurring.get("meter"),
        "metadata": price.get("metadata", {}),
        "nickname": price.get("nickname"),
        "product": price.get("product"),
        "tiers_mode": price.get("tiers_mode"),
        "transform_usage": None,
        "trial_period_days": recurring.get("trial_period_days"),
        "usage_type": recurring.get("usage_type", "licensed"),
    }


def render_item(item: SubscriptionItem, price: Price | None) -> dict[str, Any]:
    price_body = render_price(price) if price is not None else {"id": item.price_id, "object": "price"}
    body: dict[str, Any] = {
        "id": item.id,
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": item.created,
        "current_period_end": item.current_period_end,
        "current_period_start": item.current_period_start,
        "current_trial": None,
        "discounts": [],
        "metadata": dict(item.metadata_ or {}),
        "plan": legacy_plan(price_body),
        "price": price_body,
        "subscription": item.subscription_id,
        "tax_rates": [],
    }
    if item.quantity is not None:
        body["quantity"] = item.quantity
    return body


def _pending(s: Subscription, items: list[SubscriptionItem], prices: dict[str, Price]) -> dict[str, Any] | None:
    """Stripe's `pending_update`: the items a change waiting for its invoice's payment leaves."""
    pending = s.pending_update
    if not pending:
        return None
    start, end = pending["period"]
    by_id = {i.id: i for i in items}
    shown = []
    for entry in pending["items"]:
        if entry["price"] is None:
            continue
        now_item = by_id.get(entry["id"])
        item = SubscriptionItem(
            id=entry["id"],
            created=now_item.created if now_item else s.created,
            subscription_id=s.id,
            price_id=entry["price"],
            quantity=entry["quantity"],
            current_period_start=start,
            current_period_end=end,
            metadata_=entry["metadata"],
        )
        shown.append(render_item(item, prices.get(entry["price"])))
    return {
        "billing_cycle_anchor": pending["billing_cycle_anchor"],
        "cancel_at_period_end": None,  # endive
        "discount": None,
        "discounts": None,
        "expires_at": pending["expires_at"],
        "metadata": None,
        "subscription_items": shown,
        "trial_end": None,
        "trial_from_plan": None,
    }


def _billing_mode(kind: str) -> dict[str, Any]:
    """Stripe's billing_mode: classic, or flexible (prorations take discounts into account)."""
    return {"flexible": {"proration_discounts": "included"} if kind == "flexible" else None, "type": kind}


def render_subscription(
    s: Subscription, items: list[SubscriptionItem], prices: dict[str, Price], test_clock: str | None = None
) -> dict[str, Any]:
    details = s.cancellation_details or {}
    return {
        "id": s.id,
        "object": "subscription",
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": s.billing_cycle_anchor,
        "billing_cycle_anchor_config": None,
        "billing_mode": _billing_mode((s.settings or {}).get("billing_mode", "classic")),
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": s.cancel_at,
        "cancel_at_period_end": s.cancel_at_period_end,
        "canceled_at": s.canceled_at,
        "cancellation_details": {
            "comment": details.get("comment"),
            "feedback": details.get("feedback"),
            "feedback_option": None,  # endive
            "reason": details.get("reason"),
        },
        "collection_method": s.collection_method,
        "created": s.created,
        "currency": s.currency,
        "customer": s.customer_id,
        "customer_account": None,
        "days_until_due": s.days_until_due,
        "default_payment_method": s.default_payment_method,
        "default_source": None,
        "default_tax_rates": [],
        "description": s.description,
        "discounts": list(s.discounts or []),
        "ended_at": s.ended_at,
        "invoice_settings": {
            "account_tax_ids": ((s.settings or {}).get("invoice_settings") or {}).get("account_tax_ids"),
            "custom_fields": None,
            "description": None,
            "footer": None,
            "issuer": {"type": "self"},
        },
        "items": {
            "object": "list",
            "data": [render_item(i, prices.get(i.price_id)) for i in items],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={s.id}",
        },
        "latest_invoice": s.latest_invoice,
        "livemode": s.livemode,
        "managed_payments": None,
        "metadata": dict(s.metadata_ or {}),
        "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None,
        "pause_collection": dict(s.pause_collection) if s.pause_collection else None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": ((s.settings or {}).get("payment_settings") or {}).get("payment_method_types"),
            "save_default_payment_method": ((s.settings or {}).get("payment_settings") or {}).get(
                "save_default_payment_method", "off"
            ),
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": _pending(s, items, prices),
        "schedule": s.schedule_id,
        "start_date": s.start_date,
        "status": s.status,
        "test_clock": test_clock,
        "transfer_data": None,
        "trial_end": s.trial_end,
        "trial_settings": {
            "end_behavior": {
                "billing_cycle_anchor": None,  # endive
                "missing_payment_method": (s.trial_settings or {}).get("missing_payment_method", "create_invoice"),
            }
        },
        "trial_start": s.trial_start,
    }


async def load_items(
    uow: UnitOfWork, scope: Scope, subs: list[Subscription]
) -> tuple[dict[str, list[SubscriptionItem]], dict[str, Price]]:
    """Items of many subscriptions and their prices in two queries."""
    return await uow.subscription_items.with_prices(scope, [s.id for s in subs])


async def render_subscriptions(uow: UnitOfWork, scope: Scope, subs: list[Subscription]) -> list[dict[str, Any]]:
    items, prices = await load_items(uow, scope, subs)
    waiting = [e["price"] for s in subs for e in (s.pending_update or {}).get("items", []) if e["price"]]
    if missing := [p for p in waiting if p not in prices]:
        prices = {**prices, **await uow.prices.many(scope, missing)}
    clocks = await uow.customers.test_clocks(scope, [s.customer_id for s in subs])
    return [render_subscription(s, items.get(s.id, []), prices, clocks.get(s.customer_id)) for s in subs]


def render_schedule(s: SubscriptionSchedule, test_clock: str | None = None) -> dict[str, Any]:
    phases = list(s.phases or [])
    current = phases[0] if s.status == "active" and phases else None
    return {
        "id": s.id,
        "object": "subscription_schedule",
        "application": None,
        "billing_mode": {"flexible": None, "type": "classic"},
        "canceled_at": None,
        "completed_at": None,
        "created": s.created,
        "current_phase": {"end_date": current["end_date"], "start_date": current["start_date"]} if current else None,
        "customer": s.customer_id,
        "customer_account": None,
        "default_settings": {
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": "automatic",
            "billing_thresholds": None,
            "collection_method": None,
            "default_payment_method": None,
            "description": None,
            "invoice_settings": {
                "account_tax_ids": None,
                "custom_fields": None,
                "days_until_due": None,
                "description": None,
                "footer": None,
                "issuer": {"type": "self"},
            },
            "on_behalf_of": None,
            "transfer_data": None,
        },
        "end_behavior": s.end_behavior,
        "livemode": s.livemode,
        "metadata": dict(s.metadata_ or {}),
        "pause_schedules": [],
        "phases": [{"billing_thresholds": None, "invoice_settings": None, "transfer_data": None, **p} for p in phases],
        "released_at": s.released_at,
        "released_subscription": s.released_subscription,
        "status": s.status,
        "subscription": s.subscription_id,
        "test_clock": test_clock,
    }


async def render_items(uow: UnitOfWork, scope: Scope, items: list[SubscriptionItem]) -> list[dict[str, Any]]:
    prices = await uow.prices.many(scope, [i.price_id for i in items])
    return [render_item(i, prices.get(i.price_id)) for i in items]


async def _load_item(uow: UnitOfWork, scope: Scope, object_id: str) -> SubscriptionItem | None:
    return await uow.subscription_items.get(scope, object_id)


async def _load_subscription(uow: UnitOfWork, scope: Scope, object_id: str) -> Subscription | None:
    return await uow.subscriptions.get(scope, object_id)


async def render_schedules(
    uow: UnitOfWork, scope: Scope, schedules: list[SubscriptionSchedule]
) -> list[dict[str, Any]]:
    clocks = await uow.customers.test_clocks(scope, [s.customer_id for s in schedules])
    return [render_schedule(s, clocks.get(s.customer_id)) for s in schedules]


async def _load_schedule(uow: UnitOfWork, scope: Scope, object_id: str) -> SubscriptionSchedule | None:
    return await uow.subscription_schedules.get(scope, object_id)


SUBSCRIPTION = register(
    ObjectType(
        name="subscription",
        model=Subscription,
        render_many=render_subscriptions,
        loader=_load_subscription,
        expandable={
            "customer": "customer",
            "default_payment_method": "payment_method",
            "latest_invoice": "invoice",
            "discounts": "discount",
            "schedule": "subscription_schedule",
            "items.data": "subscription_item",
            "test_clock": "test_helpers.test_clock",
            "invoice_settings.account_tax_ids": "tax_id",
        },
        always_null=frozenset(
            {
                "application",
                "on_behalf_of",
                "pending_setup_intent",
                "automatic_tax.liability.account",
                "cancellation_details.feedback_option",
                "default_source",
                "invoice_settings.issuer.account",
                "pending_update.discounts",
                "transfer_data.destination",
            }
        ),
    )
)
SUBSCRIPTION_ITEM = register(
    ObjectType(
        name="subscription_item",
        model=SubscriptionItem,
        render_many=render_items,
        loader=_load_item,
        expandable={"price": "price", "discounts": "discount"},
    )
)
SCHEDULE = register(
    ObjectType(
        name="subscription_schedule",
        model=SubscriptionSchedule,
        render_many=render_schedules,
        loader=_load_schedule,
        expandable={
            "customer": "customer",
            "subscription": "subscription",
            "test_clock": "test_helpers.test_clock",
            "default_settings.default_payment_method": "payment_method",
        },
        always_null=frozenset(
            {
                "application",
                "default_settings.on_behalf_of",
                "default_settings.transfer_data.destination",
                "default_settings.invoice_settings.account_tax_ids",
            }
        ),
    )
)
