"""`POST /v1/invoices/create_preview`: the invoice a subscription (or a change to it) would bring,
computed by the code the real change runs (`subscription_changes`, `invoice_lines`), on an invoice
that is never stored. Nothing is written: no items, no redemptions, no events."""

from __future__ import annotations

from dataclasses import dataclass

from app.context import Ctx
from app.domain.lines import Line
from app.domain.periods import Interval, Period, period_at
from app.domain.subscription_changes import ProrationBehavior, plan_cancel
from app.errors import InvalidRequest, ResourceMissing
from app.ids import new_id
from app.objects.subscriptions import load_items
from app.params.invoices import InvoicePreviewParams
from app.params.subscriptions import ItemUpdateParams
from app.services import discounts as discount_service
from app.services import invoice_lines
from app.services import subscription_changes as changes
from app.services.invoices import new_invoice
from app.services.pricing import priced
from app.store.models import Invoice, Subscription
from app.store.uow import UnitOfWork

_ENDED = ("canceled", "incomplete_expired")


def _refuse_unsupported(params: InvoicePreviewParams) -> None:
    """Parameters of Stripe's preview this service does not compute are refused by name."""
    if params.discounts is not None:
        raise InvalidRequest(
            "Previewing with discounts is not supported; apply them to the customer or subscription and preview.",
            code="parameter_unsupported",
            param="discounts",
        )
    if params.schedule is not None:
        raise InvalidRequest(
            "Previewing a subscription schedule is not supported.", code="parameter_unsupported", param="schedule"
        )
    details = params.subscription_details
    if details is not None:
        for name in ("cancel_at", "trial_end"):
            if name in details.sent():
                raise InvalidRequest(
                    f"subscription_details[{name}] is not supported by the preview.",
                    code="parameter_unsupported",
                    param=f"subscription_details[{name}]",
                )


async def create_preview(uow: UnitOfWork, ctx: Ctx, params: InvoicePreviewParams) -> Invoice:
    _refuse_unsupported(params)
    if params.subscription is None and params.customer is None:
        raise InvalidRequest(
            "Missing required param: customer or subscription.", code="parameter_missing", param="customer"
        )
    sub = None
    if params.subscription is not None:
        sub = await uow.subscriptions.get(ctx.scope, params.subscription)
        if sub is None:
            raise ResourceMissing("subscription", params.subscription, param="subscription")
        if params.customer is not None and params.customer != sub.customer_id:
            raise InvalidRequest("The subscription belongs to another customer.", param="customer")
    customer_id = sub.customer_id if sub else params.customer
    assert customer_id is not None
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None or customer.deleted:
        raise ResourceMissing("customer", customer_id, param="customer")
    if sub is None:
        if params.subscription_details is not None:
            raise InvalidRequest("subscription_details needs a subscription.", param="subscription")
        pending = await uow.invoice_items.pending(ctx.scope, customer.id, None)
        if not pending:
            raise InvalidRequest(
                "Nothing to invoice for this customer: no pending invoice items.", code="invoice_upcoming_none"
            )
        now = ctx.now()
        invoice = _draft(ctx, customer.id, None, pending[0].currency, Period(now, now), "manual")
        invoice.lines = [
            invoice_lines.record(invoice, invoice_lines.from_item(i), subscription_id=i.subscription_id)
            for i in pending
        ]
        invoice.discounts = await discount_service.inherited(uow, ctx, customer, None)
        return await _finish(uow, ctx, invoice, customer.balance)
    if sub.status in _ENDED:
        raise InvalidRequest(
            f"The subscription {sub.id} has ended; it has no upcoming invoice.", code="invoice_upcoming_none"
        )
    return await _subscription_preview(uow, ctx, sub, params, customer.balance)


async def _subscription_preview(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, params: InvoicePreviewParams, balance: int
) -> Invoice:
    now = ctx.now()
    details = params.subscription_details
    current = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    period = changes.current_period(current, now)
    pending = [invoice_lines.from_item(i) for i in await uow.invoice_items.pending(ctx.scope, sub.customer_id, sub.id)]
    behavior = ProrationBehavior((details.proration_behavior if details else None) or "create_prorations")
    if details is not None and details.cancel_now:
        prices = await uow.prices.many(ctx.scope, [i.price_id for i in current])
        products = await uow.products.many(ctx.scope, [p.product_id for p in prices.values()])
        had = [
            (i.id, priced(prices[i.price_id], products.get(prices[i.price_id].product_id), i.quantity)) for i in current
        ]
        lines = pending + plan_cancel(had, period=period, now=now, prorate=behavior != ProrationBehavior.NONE)
        return await _sub_invoice(uow, ctx, sub, lines, Period(now, now), "subscription_update", balance)
    changing = details is not None and (details.items is not None or details.billing_cycle_anchor == "now")
    review = await review_change(
        uow,
        ctx,
        sub,
        (details.items if details else None) or [],
        behavior=behavior if changing else ProrationBehavior.NONE,
        proration_date=details.proration_date if details else None,
        anchor_now=bool(details and details.billing_cycle_anchor == "now"),
        balance=balance,
    )
    return review.today or review.next


@dataclass(frozen=True)
class ChangeReview:
    """What a change bills: the invoice it makes now (if it does), and the next one after it."""

    today: Invoice | None
    next: Invoice


async def review_change(
    uow: UnitOfWork,
    ctx: Ctx,
    sub: Subscription,
    items: list[ItemUpdateParams],
    *,
    behavior: ProrationBehavior,
    proration_date: int | None = None,
    anchor_now: bool = False,
    balance: int | None = None,
) -> ChangeReview:
    """The change's invoices, from the planning the change itself runs; nothing is stored. The
    portal's review page shows this before the customer confirms."""
    if balance is None:
        customer = await uow.customers.get(ctx.scope, sub.customer_id)
        balance = customer.balance if customer else 0
    current = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    pending = [invoice_lines.from_item(i) for i in await uow.invoice_items.pending(ctx.scope, sub.customer_id, sub.id)]
    wanted = await changes.desired(uow, ctx, current, items)
    plan = await changes.plan(
        uow, ctx, sub, current, wanted, behavior=behavior, proration_date=proration_date, anchor_now=anchor_now
    )
    kept = [d for d in wanted if d.price is not None]
    first = kept[0].price
    assert first is not None
    products = await uow.products.many(ctx.scope, [d.price.product_id for d in kept if d.price is not None])
    upcoming = period_at(plan.anchor, Interval.of(first.recurring), plan.period.end)
    renewal = changes.desired_cycle_lines(kept, products, upcoming)
    if plan.invoices_now:
        today = await _sub_invoice(
            uow, ctx, sub, plan.invoice_lines + pending, plan.period, "subscription_update", balance
        )
        after = min(balance + invoice_lines.totals(today).total, 0) if today.currency == sub.currency else balance
        following = await _sub_invoice(uow, ctx, sub, renewal, plan.period, "subscription_cycle", after)
        following.created = plan.period.end
        return ChangeReview(today, following)
    # The next renewal: what is pending (this change's prorations too), then the next period.
    following = await _sub_invoice(
        uow, ctx, sub, pending + plan.pending_lines + renewal, plan.period, "subscription_cycle", balance
    )
    following.created = plan.period.end
    return ChangeReview(None, following)


def _draft(
    ctx: Ctx, customer_id: str, subscription_id: str | None, currency: str, period: Period, reason: str
) -> Invoice:
    invoice = new_invoice(
        ctx,
        customer_id=customer_id,
        subscription_id=subscription_id,
        collection_method="charge_automatically",
        currency=currency,
        period_start=period.start,
        period_end=period.end,
        billing_reason=reason,
    )
    invoice.id = f"upcoming_{new_id('in', 24)}"
    return invoice


async def _sub_invoice(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, lines: list[Line], period: Period, reason: str, balance: int
) -> Invoice:
    invoice = _draft(ctx, sub.customer_id, sub.id, sub.currency, period, reason)
    invoice.collection_method = sub.collection_method
    invoice.lines = [invoice_lines.record(invoice, line, subscription_id=sub.id) for line in lines]
    customer = await uow.customers.get(ctx.scope, sub.customer_id)
    assert customer is not None
    invoice.discounts = await discount_service.inherited(uow, ctx, customer, sub)
    return await _finish(uow, ctx, invoice, balance)


async def _finish(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, balance: int) -> Invoice:
    await invoice_lines.reprice(uow, ctx, invoice)
    # The customer's balance as it stands would settle this invoice (Stripe's preview shows it).
    invoice.starting_balance = balance
    return invoice
