"""Changing a subscription's items, and what that bills: the same code for the real change
(`subscriptions.update`) and its preview (`invoices.create_preview`), so a preview is exactly what
the change would invoice.

1. `desired()` reads the requested items against the current ones and validates them, writing
   nothing; 2. `plan()` asks the domain what the change bills (prorations, a new period);
3. `apply()` writes the items and the pending prorations; 4. the caller invoices what the plan
   bills now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.context import Ctx
from app.domain.lines import Line, cycle_line
from app.domain.periods import Interval, Period, boundary
from app.domain.proration import remaining_time
from app.domain.subscription_changes import ChangePlan, ItemChange, ProrationBehavior, plan_change
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.invoice_items import render_invoice_item
from app.params.subscriptions import ItemUpdateParams
from app.services.common import merge_metadata
from app.services.pricing import is_metered, priced
from app.store.models import InvoiceItem, Price, Product, Subscription, SubscriptionItem
from app.store.uow import UnitOfWork


@dataclass
class Desired:
    """One item as the change leaves it (`price` None: deleted)."""

    item_id: str
    current: SubscriptionItem | None
    price: Price | None
    quantity: int | None
    metadata: dict[str, str] = field(default_factory=dict)


async def recurring_price(uow: UnitOfWork, ctx: Ctx, price_id: str, param: str) -> Price:
    price = await uow.prices.get(ctx.scope, price_id)
    if price is None:
        raise ResourceMissing("price", price_id, param=param)
    if not price.active:
        raise InvalidRequest(f"The price {price.id} is not active and cannot be used for new items.", param=param)
    if price.type != "recurring" or price.recurring is None:
        raise InvalidRequest(
            f"The price {price.id} is a one-time price; subscriptions need recurring prices.", param=param
        )
    return price


def check_compatible(prices: list[Price], param: str) -> None:
    if len({p.currency for p in prices}) > 1:
        raise InvalidRequest("All items of a subscription must use prices in the same currency.", param=param)
    cycles = (
        {(p.recurring or {}).get("interval") for p in prices},
        {(p.recurring or {}).get("interval_count") for p in prices},
    )
    if len(cycles[0]) > 1 or len(cycles[1]) > 1:
        raise InvalidRequest("All items of a subscription must share one billing interval.", param=param)
    if len({p.id for p in prices}) != len(prices):
        raise InvalidRequest("A price can appear only once among a subscription's items.", param=param)


def quantity_for(price: Price, quantity: int | None, param: str) -> int | None:
    if is_metered(price):
        if quantity is not None:
            raise InvalidRequest("Quantity cannot be set on an item with a metered price.", param=param)
        return None
    return 1 if quantity is None else quantity


async def desired(
    uow: UnitOfWork, ctx: Ctx, current: list[SubscriptionItem], requested: list[ItemUpdateParams]
) -> list[Desired]:
    """The items after the change, validated; nothing is written."""
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in current])
    result = {
        item.id: Desired(item.id, item, prices.get(item.price_id), item.quantity, dict(item.metadata_ or {}))
        for item in current
    }
    order = [item.id for item in current]
    for i, change in enumerate(requested):
        param = f"items[{i}]"
        if change.id is not None:
            target = result.get(change.id)
            if target is None or target.current is None:
                raise InvalidRequest(
                    f"The subscription item {change.id} does not belong to this subscription.", param=f"{param}[id]"
                )
            if change.deleted:
                target.price = None
                continue
            price = target.price
            if change.price is not None and change.price != target.current.price_id:
                price = await recurring_price(uow, ctx, change.price, f"{param}[price]")
            assert price is not None
            if change.quantity is not None or change.price is not None:
                target.quantity = quantity_for(
                    price, change.quantity if change.quantity is not None else target.quantity, f"{param}[quantity]"
                )
            target.price = price
            if change.metadata is not None:
                target.metadata = merge_metadata(target.metadata, change.metadata)
        else:
            if change.price is None:
                raise InvalidRequest(
                    "Missing required param: price (or id).", code="parameter_missing", param=f"{param}[price]"
                )
            price = await recurring_price(uow, ctx, change.price, f"{param}[price]")
            new = Desired(
                new_id("si", 14),
                None,
                price,
                quantity_for(price, change.quantity, f"{param}[quantity]"),
                merge_metadata({}, change.metadata if isinstance(change.metadata, dict) else None),
            )
            result[new.item_id] = new
            order.append(new.item_id)
    kept = [result[i] for i in order if result[i].price is not None]
    if not kept:
        raise InvalidRequest("A subscription needs at least one item.", param="items")
    check_compatible([d.price for d in kept if d.price is not None], "items")
    return [result[i] for i in order]


async def _products(uow: UnitOfWork, ctx: Ctx, prices: list[Price]) -> dict[str, Product]:
    return await uow.products.many(ctx.scope, [p.product_id for p in prices])


async def plan(
    uow: UnitOfWork,
    ctx: Ctx,
    sub: Subscription,
    current: list[SubscriptionItem],
    wanted: list[Desired],
    *,
    behavior: ProrationBehavior,
    proration_date: int | None,
    anchor_now: bool,
    anchor_unchanged: bool = False,
) -> ChangePlan:
    """What the change bills, from the domain."""
    now = ctx.now()
    period = current_period(current, now)
    at = now if proration_date is None else proration_date
    if proration_date is not None and not period.start <= proration_date <= period.end:
        raise InvalidRequest(
            "proration_date must fall within the subscription's current billing period.", param="proration_date"
        )
    old_prices = await uow.prices.many(ctx.scope, [i.price_id for i in current])
    prices = list(old_prices.values()) + [d.price for d in wanted if d.price is not None]
    products = await _products(uow, ctx, prices)
    changes = []
    for d in wanted:
        had = None
        if d.current is not None and d.current.price_id in old_prices:
            old = old_prices[d.current.price_id]
            had = priced(old, products.get(old.product_id), d.current.quantity)
        has = priced(d.price, products.get(d.price.product_id), d.quantity) if d.price is not None else None
        changes.append(ItemChange(d.item_id, had, has))
    return plan_change(
        changes,
        anchor=sub.billing_cycle_anchor,
        period=period,
        at=at,
        now=now,
        behavior=behavior,
        anchor_now=anchor_now,
        anchor_unchanged=anchor_unchanged,
        trialing=sub.status == "trialing",
    )


def current_period(items: list[SubscriptionItem], now: int) -> Period:
    if not items:
        return Period(now, now)
    return Period(items[0].current_period_start, items[0].current_period_end)


async def apply(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, wanted: list[Desired], change: ChangePlan
) -> list[SubscriptionItem]:
    """Write the items as the change leaves them, and its pending prorations as invoice items."""
    now = ctx.now()
    kept: list[SubscriptionItem] = []
    for d in wanted:
        if d.price is None:
            if d.current is not None:
                await uow.subscription_items.delete(d.current)
            continue
        item = d.current
        if item is None:
            item = uow.subscription_items.add(
                SubscriptionItem(
                    id=d.item_id,
                    account_id=ctx.scope.account_id,
                    livemode=ctx.scope.livemode,
                    created=now,
                    subscription_id=sub.id,
                    price_id=d.price.id,
                    quantity=d.quantity,
                    current_period_start=change.period.start,
                    current_period_end=change.period.end,
                    metadata_=d.metadata,
                )
            )
        item.price_id, item.quantity, item.metadata_ = d.price.id, d.quantity, d.metadata
        item.current_period_start, item.current_period_end = change.period.start, change.period.end
        kept.append(item)
    sub.billing_cycle_anchor = change.anchor
    for line in change.pending_lines:
        pending_item(uow, ctx, sub, line)
    return kept


def pending_item(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, line: Line, metadata: dict[str, str] | None = None
) -> InvoiceItem:
    """A proration left for the next invoice (Stripe: a pending invoice item with proration=true,
    announced by `invoiceitem.created`)."""
    now = ctx.now()
    item = uow.invoice_items.add(
        InvoiceItem(
            id=new_id("ii", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=now,
            customer_id=sub.customer_id,
            subscription_id=sub.id,
            subscription_item_id=line.subscription_item,
            invoice_id=None,
            amount=line.amount,
            currency=sub.currency,
            description=line.description,
            period_start=line.period.start,
            period_end=line.period.end,
            price_id=line.price_id,
            product_id=line.product_id,
            unit_amount=line.unit_amount,
            quantity=line.quantity,
            proration=line.proration,
            discountable=line.discountable,
            discounts=[],
            date=now,
            metadata_=dict(metadata or {}),
            deleted=False,
        )
    )
    outbox.record(uow, ctx, "invoiceitem.created", render_invoice_item(item))
    return item


async def cycle_lines(
    uow: UnitOfWork, ctx: Ctx, items: list[SubscriptionItem], period: Period, *, free: bool = False
) -> list[Line]:
    """One period's charge for each item (what a renewal invoices)."""
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in items])
    products = await _products(uow, ctx, list(prices.values()))
    return [
        cycle_line(
            i.id, priced(prices[i.price_id], products.get(prices[i.price_id].product_id), i.quantity), period, free=free
        )
        for i in items
        if i.price_id in prices
    ]


async def stub_lines(
    uow: UnitOfWork, ctx: Ctx, items: list[SubscriptionItem], interval: Interval, anchor: int, now: int
) -> list[Line]:
    """A new subscription's charge for the time until its billing cycle anchor: each item's share
    of the whole period that ends at the anchor (Stripe's prorated first invoice)."""
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in items])
    products = await _products(uow, ctx, list(prices.values()))
    whole = Period(boundary(anchor, interval, -1), anchor)
    return [
        remaining_time(
            i.id, priced(prices[i.price_id], products.get(prices[i.price_id].product_id), i.quantity), whole, now
        )
        for i in items
        if i.price_id in prices
    ]


def desired_cycle_lines(wanted: list[Desired], products: dict[str, Product], period: Period) -> list[Line]:
    """The next period's charge for the items a change leaves (the preview of the next invoice)."""
    return [
        cycle_line(d.item_id, priced(d.price, products.get(d.price.product_id), d.quantity), period)
        for d in wanted
        if d.price is not None
    ]


# A pending update waits this long for its invoice to be paid, then expires (as on Stripe).
PENDING_LIFETIME = 23 * 3600


def pending_update(wanted: list[Desired], change: ChangePlan, invoice_id: str, expires_at: int) -> dict[str, Any]:
    """A change kept until its invoice is paid (payment_behavior=pending_if_incomplete)."""
    return {
        "expires_at": expires_at,
        "invoice": invoice_id,
        "billing_cycle_anchor": change.anchor,
        "period": [change.period.start, change.period.end],
        "items": [
            {
                "id": d.item_id,
                "price": d.price.id if d.price else None,
                "quantity": d.quantity,
                "metadata": d.metadata,
            }
            for d in wanted
        ],
    }


async def apply_pending(uow: UnitOfWork, ctx: Ctx, sub: Subscription) -> None:
    """The pending update takes effect (its invoice was paid): the items it leaves, its period."""
    pending = sub.pending_update or {}
    current = {i.id: i for i in (await uow.subscription_items.for_subscriptions(ctx.scope, [sub.id])).get(sub.id, [])}
    prices = await uow.prices.many(ctx.scope, [e["price"] for e in pending.get("items", []) if e["price"]])
    wanted = [
        Desired(
            e["id"], current.get(e["id"]), prices.get(e["price"]) if e["price"] else None, e["quantity"], e["metadata"]
        )
        for e in pending.get("items", [])
    ]
    start, end = pending["period"]
    await apply(uow, ctx, sub, wanted, ChangePlan(anchor=pending["billing_cycle_anchor"], period=Period(start, end)))
    sub.pending_update = sub.pending_expires_at = None
