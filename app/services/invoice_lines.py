"""Invoice lines: stored from the domain's `Line`s, discounted, totalled, and settled against the
customer's balance when the invoice is finalized. The arithmetic is the domain's; this module
only loads what it needs and writes the results onto the invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.context import Ctx
from app.domain.discounts import Applied, CouponTerms, Discountable, line_discounts
from app.domain.invoice_totals import Totals
from app.domain.lines import Line
from app.domain.periods import Period
from app.events import outbox
from app.ids import new_id
from app.objects.customers import render_one
from app.objects.invoices import totals_of
from app.store.models import Coupon, Customer, CustomerBalanceTransaction, Discount, Invoice, InvoiceItem
from app.store.uow import UnitOfWork


def terms(coupon: Coupon) -> CouponTerms:
    return CouponTerms(
        percent_off=Decimal(coupon.percent_off) if coupon.percent_off is not None else None,
        amount_off=coupon.amount_off,
        currency=coupon.currency,
        products=frozenset(coupon.applies_to_products) if coupon.applies_to_products is not None else None,
    )


def record(
    invoice: Invoice, line: Line, *, subscription_id: str | None, discounts: list[str] | None = None
) -> dict[str, Any]:
    """The stored (and rendered) invoice line of a domain line."""
    if line.subscription_item is not None:
        parent: dict[str, Any] = {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": line.invoice_item,
                "proration": line.proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
                "subscription_item": line.subscription_item,
            },
            "type": "subscription_item_details",
        }
    else:
        parent = {
            "invoice_item_details": {
                "invoice_item": line.invoice_item,
                "proration": line.proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        }
    pricing = None
    if line.price_id is not None:
        pricing = {
            "price_details": {"price": line.price_id, "product": line.product_id},
            "type": "price_details",
            "unit_amount_decimal": None if line.unit_amount is None else str(line.unit_amount),
        }
    return {
        "id": new_id("il", 24),
        "object": "line_item",
        "amount": line.amount,
        "currency": invoice.currency,
        "description": line.description,
        "discount_amounts": [],
        "discountable": line.discountable,
        "discounts": list(discounts or []),
        "invoice": invoice.id,
        "livemode": invoice.livemode,
        "metadata": {},
        "parent": parent,
        "period": {"end": line.period.end, "start": line.period.start},
        "pricing": pricing,
        "quantity": line.quantity,
        "taxes": [],
    }


def from_item(item: InvoiceItem) -> Line:
    """The line an invoice item becomes on the invoice that takes it."""
    return Line(
        amount=item.amount,
        description=item.description or "",
        period=Period(item.period_start, item.period_end),
        quantity=item.quantity,
        price_id=item.price_id,
        product_id=item.product_id,
        unit_amount=item.unit_amount,
        proration=item.proration,
        subscription_item=item.subscription_item_id,
        discountable=item.discountable,
        invoice_item=item.id,
    )


def take_items(invoice: Invoice, items: list[InvoiceItem]) -> list[dict[str, Any]]:
    """Pending invoice items onto an invoice: each becomes one of its lines."""
    lines = []
    for item in items:
        item.invoice_id = invoice.id
        lines.append(record(invoice, from_item(item), subscription_id=item.subscription_id, discounts=item.discounts))
    return lines


async def applicable(
    uow: UnitOfWork, ctx: Ctx, ids: list[str], unsaved: dict[str, Applied] | None = None
) -> list[Applied]:
    """The discounts with these ids, as the domain applies them (in order; missing ones skipped).
    `unsaved`: discounts a preview would redeem, which exist only for it."""
    unsaved = unsaved or {}
    if not ids:
        return []
    found = await uow.discounts.many(ctx.scope, [i for i in ids if i not in unsaved])
    coupons = await uow.coupons.many(ctx.scope, [d.coupon_id for d in found.values()])
    result = []
    for discount_id in ids:
        if discount_id in unsaved:
            result.append(unsaved[discount_id])
        elif discount_id in found and found[discount_id].coupon_id in coupons:
            result.append(Applied(discount_id, terms(coupons[found[discount_id].coupon_id])))
    return result


async def reprice(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, unsaved: dict[str, Applied] | None = None) -> None:
    """Work out every line's discount amounts: the line's own discounts first, then the invoice's."""
    lines = [dict(line) for line in invoice.lines or []]
    invoice_level = await applicable(uow, ctx, list(invoice.discounts or []), unsaved)
    for line in lines:
        own = await applicable(uow, ctx, list(line.get("discounts") or []))
        product = ((line.get("pricing") or {}).get("price_details") or {}).get("product")
        target = [Discountable(int(line["amount"]), product, bool(line.get("discountable", True)))]
        amounts = line_discounts(target, own + invoice_level)[0] if line.get("discountable", True) else []
        line["discount_amounts"] = [{"amount": off, "discount": discount_id} for discount_id, off in amounts]
    invoice.lines = lines
    invoice.total = totals(invoice).total


def totals(invoice: Invoice, starting_balance: int | None = None) -> Totals:
    return totals_of(invoice, starting_balance)


async def settle_balance(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, customer: Customer) -> None:
    """At finalization: the customer's balance pays what it can, and a negative invoice leaves its
    credit there for the next one (one `applied_to_invoice` balance transaction either way)."""
    balance = customer.balance if (customer.currency or invoice.currency) == invoice.currency else 0
    result = totals(invoice, starting_balance=balance)
    invoice.starting_balance, invoice.ending_balance = result.starting_balance, result.ending_balance
    change = result.balance_change
    if change == 0:
        return
    before = await render_one(uow, ctx.scope, customer)
    customer.balance = balance + change
    if customer.currency is None:
        customer.currency = invoice.currency
    uow.balance_transactions.add(
        CustomerBalanceTransaction(
            id=new_id("cbtxn", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=ctx.now(),
            customer_id=customer.id,
            amount=change,
            currency=invoice.currency,
            description=None,
            ending_balance=customer.balance,
            invoice_id=invoice.id,
            type="applied_to_invoice",
            metadata_={},
        )
    )
    after = await render_one(uow, ctx.scope, customer)
    outbox.record(uow, ctx, "customer.updated", after, previous=outbox.previous_attributes(before, after))


async def use_up(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    """A `once` discount is spent by the first invoice it takes something off."""
    used = {d["discount"] for line in invoice.lines or [] for d in line.get("discount_amounts") or [] if d["amount"]}
    found = await uow.discounts.many(ctx.scope, list(used))
    coupons = await uow.coupons.many(ctx.scope, [d.coupon_id for d in found.values()])
    for discount in found.values():
        coupon = coupons.get(discount.coupon_id)
        if coupon is not None and coupon.duration == "once":
            discount.used = True


def still_applies(discount: Discount, coupon: Coupon | None, at: int) -> bool:
    """Whether a customer's or subscription's discount applies to an invoice made at `at`."""
    if coupon is None or discount.used:
        return False
    return discount.end is None or at < discount.end
