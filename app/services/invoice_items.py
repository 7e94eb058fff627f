"""Invoice item use cases: amounts for a customer, pending until an invoice takes them (or put on a
draft invoice at once). Prorations are invoice items too; they are made by subscription changes."""

from __future__ import annotations

from typing import Any, TypeVar

from app.context import Ctx
from app.errors import InvalidRequest, ParameterMissing, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.invoice_items import render_invoice_item
from app.params.base import created_bounds
from app.params.invoice_items import (
    InvoiceItemCreateParams,
    InvoiceItemListParams,
    InvoiceItemUpdateParams,
    ItemPricingParams,
)
from app.params.products import PriceCreateParams
from app.services import discounts as discount_service
from app.services import invoice_lines, locks
from app.services import products as product_service
from app.services.common import blank, merge_metadata
from app.services.pricing import price_amount
from app.services.products import whole_amount
from app.store.models import Invoice, InvoiceItem
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork

P = TypeVar("P", InvoiceItemCreateParams, InvoiceItemUpdateParams)


async def get(uow: UnitOfWork, ctx: Ctx, item_id: str) -> InvoiceItem:
    item = await uow.invoice_items.get(ctx.scope, item_id)
    if item is None or item.deleted:
        raise ResourceMissing("invoiceitem", item_id)
    return item


async def _locked(uow: UnitOfWork, ctx: Ctx, item_id: str) -> tuple[InvoiceItem, Invoice | None]:
    """The item and its invoice, locked after their customer; only a pending item or one on a draft
    can change (Stripe's rule: a finalized invoice's lines are fixed)."""
    peeked = await get(uow, ctx, item_id)
    invoice = await locks.invoice(uow, ctx, peeked.invoice_id) if peeked.invoice_id else None
    if invoice is None:
        await locks.owner(uow, ctx, peeked.customer_id)
    item = await uow.invoice_items.get_for_update(ctx.scope, item_id)
    assert item is not None
    if invoice is not None and invoice.status != "draft":
        raise InvalidRequest(
            f"The invoice item {item.id} is on the {invoice.status} invoice {invoice.id} and can no longer change.",
            code="invoice_not_editable",
        )
    return item, invoice


async def _sync(uow: UnitOfWork, ctx: Ctx, invoice: Invoice | None, item: InvoiceItem | None, item_id: str) -> None:
    """Keep a draft invoice's line in step with its invoice item (or drop it)."""
    if invoice is None:
        return
    lines = [
        line
        for line in invoice.lines or []
        if ((line.get("parent") or {}).get("invoice_item_details") or {}).get("invoice_item") != item_id
        and ((line.get("parent") or {}).get("subscription_item_details") or {}).get("invoice_item") != item_id
    ]
    if item is not None:
        lines += invoice_lines.take_items(invoice, [item])
    invoice.lines = lines
    await invoice_lines.reprice(uow, ctx, invoice)


async def _whole(uow: UnitOfWork, ctx: Ctx, params: P) -> P:
    """`price_data`, `unit_amount_decimal` and `quantity_decimal` as the item's price, amount and
    quantity: a price made for it, and whole numbers (a fraction is refused, not rounded away)."""
    update: dict[str, Any] = {"price_data": None, "unit_amount_decimal": None, "quantity_decimal": None}
    if params.price_data is not None:
        if params.pricing is not None:
            raise InvalidRequest("Give pricing[price] or price_data, not both.", param="price_data")
        data = params.price_data
        amount = whole_amount(data.unit_amount_decimal, data.unit_amount, "price_data[unit_amount_decimal]")
        if amount is None:
            raise ParameterMissing("price_data[unit_amount]")
        made = await product_service.create_price(
            uow,
            ctx,
            PriceCreateParams(
                currency=data.currency, product=data.product, unit_amount=amount, tax_behavior=data.tax_behavior
            ),
        )
        update["pricing"] = ItemPricingParams(price=made.id)
    if params.unit_amount_decimal is not None:
        update["amount"] = whole_amount(params.unit_amount_decimal, params.amount, "unit_amount_decimal")
    if params.quantity_decimal is not None:
        quantity = whole_amount(params.quantity_decimal, params.quantity, "quantity_decimal")
        if quantity is None or quantity < 1:
            raise InvalidRequest("quantity_decimal must be a whole number of at least 1.", param="quantity_decimal")
        update["quantity"] = quantity
    older = ("price_data", "unit_amount_decimal", "quantity_decimal")
    return params.model_copy(update=update) if any(getattr(params, k) is not None for k in older) else params


async def create(uow: UnitOfWork, ctx: Ctx, params: InvoiceItemCreateParams) -> InvoiceItem:
    """An amount (or a price times a quantity) for a customer; records `invoiceitem.created`."""
    customer = await locks.customer(uow, ctx, params.customer, param="customer")
    params = await _whole(uow, ctx, params)
    invoice = None
    if params.invoice is not None:
        invoice = await locks.invoice(uow, ctx, params.invoice)
        if invoice.customer_id != customer.id:
            raise ResourceMissing("invoice", params.invoice, param="invoice")
        if invoice.status != "draft":
            raise InvalidRequest(
                "Items can only be added to a draft invoice.", code="invoice_not_editable", param="invoice"
            )
    subscription = None
    if params.subscription is not None:
        subscription = await uow.subscriptions.get(ctx.scope, params.subscription)
        if subscription is None or subscription.customer_id != customer.id:
            raise ResourceMissing("subscription", params.subscription, param="subscription")
    now = ctx.now()
    price = None
    if params.pricing is not None:
        price = await uow.prices.get(ctx.scope, params.pricing.price)
        if price is None:
            raise ResourceMissing("price", params.pricing.price, param="pricing[price]")
        if params.amount is not None:
            raise InvalidRequest("Give amount or pricing[price], not both.", param="amount")
    elif params.amount is None:
        raise InvalidRequest(
            "Missing required param: amount (or pricing[price]).", code="parameter_missing", param="amount"
        )
    currency = (
        price.currency
        if price
        else (invoice.currency if invoice else subscription.currency if subscription else None)
        or params.currency
        or customer.currency
    )
    if currency is None:
        raise InvalidRequest("Missing required param: currency.", code="parameter_missing", param="currency")
    if params.currency is not None and params.currency != currency:
        raise InvalidRequest(f"The currency must be {currency} here.", param="currency")
    quantity = params.quantity or 1
    if params.period is not None and params.period.end < params.period.start:
        raise InvalidRequest("period[end] must not be before period[start].", param="period[end]")
    item = uow.invoice_items.add(
        InvoiceItem(
            id=new_id("ii", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=now,
            customer_id=customer.id,
            subscription_id=subscription.id if subscription else None,
            subscription_item_id=None,
            invoice_id=None,
            amount=price_amount(price, quantity) if price else int(params.amount or 0) * quantity,
            currency=currency,
            description=params.description,
            period_start=params.period.start if params.period else now,
            period_end=params.period.end if params.period else now,
            price_id=price.id if price else None,
            product_id=price.product_id if price else None,
            unit_amount=price.unit_amount if price else params.amount,
            quantity=quantity,
            proration=False,
            discountable=True if params.discountable is None else params.discountable,
            discounts=[],
            date=now,
            metadata_=merge_metadata({}, params.metadata),
        )
    )
    if params.discounts is not None:
        item.discounts = await discount_service.redeem_all(
            uow, ctx, params.discounts, customer, "discounts", currency=currency, invoice_item=item
        )
    if invoice is not None:
        await _sync(uow, ctx, invoice, item, item.id)
    outbox.record(uow, ctx, "invoiceitem.created", render_invoice_item(item))
    return item


async def update(uow: UnitOfWork, ctx: Ctx, item_id: str, params: InvoiceItemUpdateParams) -> InvoiceItem:
    item, invoice = await _locked(uow, ctx, item_id)
    sent = params.sent()
    params = await _whole(uow, ctx, params)
    for old, new in (("price_data", "pricing"), ("unit_amount_decimal", "amount"), ("quantity_decimal", "quantity")):
        if old in sent:
            sent = (sent - {old}) | {new}
    if "pricing" in sent and params.pricing is not None:
        price = await uow.prices.get(ctx.scope, params.pricing.price)
        if price is None or price.currency != item.currency:
            raise ResourceMissing("price", params.pricing.price, param="pricing[price]")
        item.price_id, item.product_id, item.unit_amount = price.id, price.product_id, price.unit_amount
    if params.quantity is not None:
        item.quantity = params.quantity
    if params.amount is not None:
        if item.price_id is not None and "pricing" not in sent:
            item.price_id = item.product_id = None
        item.unit_amount = params.amount
    if {"amount", "quantity", "pricing"} & sent:
        if item.price_id is not None:
            price = await uow.prices.get(ctx.scope, item.price_id)
            assert price is not None
            item.amount = price_amount(price, item.quantity)
        else:
            item.amount = int(item.unit_amount or 0) * item.quantity
    if "description" in sent:
        item.description = blank(params.description)
    if params.discountable is not None:
        item.discountable = params.discountable
    if params.period is not None:
        if params.period.end < params.period.start:
            raise InvalidRequest("period[end] must not be before period[start].", param="period[end]")
        item.period_start, item.period_end = params.period.start, params.period.end
    if "metadata" in sent:
        item.metadata_ = merge_metadata(item.metadata_, params.metadata)
    if params.discounts is not None:
        customer = await uow.customers.get(ctx.scope, item.customer_id)
        assert customer is not None
        item.discounts = await discount_service.redeem_all(
            uow, ctx, params.discounts, customer, "discounts", currency=item.currency, invoice_item=item
        )
    await _sync(uow, ctx, invoice, item, item.id)
    outbox.record(uow, ctx, "invoiceitem.updated", render_invoice_item(item))
    return item


async def delete(uow: UnitOfWork, ctx: Ctx, item_id: str) -> InvoiceItem:
    """Delete a pending item, or one on a draft (its line goes); records `invoiceitem.deleted`."""
    item, invoice = await _locked(uow, ctx, item_id)
    body = render_invoice_item(item)
    await _sync(uow, ctx, invoice, None, item.id)
    item.deleted, item.invoice_id = True, None
    outbox.record(uow, ctx, "invoiceitem.deleted", body)
    return item


async def list_(uow: UnitOfWork, ctx: Ctx, params: InvoiceItemListParams) -> Page[InvoiceItem]:
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.invoice_items.find(
        ctx.scope,
        cursor,
        customer=params.customer,
        invoice=params.invoice,
        pending=params.pending,
        created=created_bounds(params.created),
    )
