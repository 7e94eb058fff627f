"""`POST /v1/invoices/create_preview`: the invoice a subscription (or a change to it) would bring,
computed by the code the real change runs (`subscription_changes`, `invoice_lines`), on an invoice
that is never stored. Nothing is written: no items, no redemptions, no events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.context import Ctx
from app.domain.discounts import Applied
from app.domain.lines import Line, Priced
from app.domain.periods import Interval, Period, boundary, period_at
from app.domain.subscription_changes import ProrationBehavior, plan_cancel
from app.errors import InvalidRequest, ResourceMissing
from app.ids import new_id
from app.objects.subscriptions import load_items
from app.params.invoices import InvoicePreviewParams, PreviewSubscriptionDetails
from app.params.subscriptions import ItemUpdateParams
from app.services import discounts as discount_service
from app.services import invoice_lines
from app.services import subscription_changes as changes
from app.services.invoices import new_invoice
from app.services.pricing import price_amount, priced
from app.store.models import Customer, Invoice, Subscription, SubscriptionItem
from app.store.uow import UnitOfWork

_ENDED = ("canceled", "incomplete_expired")


@dataclass
class Discounting:
    """The discounts a preview applies: the invoice's own (inherited, or `discounts` as sent) and
    those that exist only for the preview (coupons and codes it would redeem)."""

    ids: list[str] | None = None
    unsaved: dict[str, Applied] = field(default_factory=dict)


async def create_preview(uow: UnitOfWork, ctx: Ctx, params: InvoicePreviewParams) -> Invoice:
    sub = await _subscription(uow, ctx, params)
    customer_id = sub.customer_id if sub else params.customer
    if customer_id is None:
        raise InvalidRequest(
            "Missing required param: customer or subscription.", code="parameter_missing", param="customer"
        )
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None or customer.deleted:
        raise ResourceMissing("customer", customer_id, param="customer")
    # The preview is in the subscription's (or customer's) currency: another is refused, not converted.
    currency = sub.currency if sub else customer.currency
    if params.currency is not None and currency is not None and params.currency.lower() != currency:
        raise InvalidRequest(
            f"This preview is in {currency}: the {'subscription' if sub else 'customer'} is billed in it.",
            param="currency",
        )
    if sub is None:
        return await _customer_preview(uow, ctx, customer, params)
    if sub.status in _ENDED:
        raise InvalidRequest(
            f"The subscription {sub.id} has ended; it has no upcoming invoice.", code="invoice_upcoming_none"
        )
    discounting = Discounting()
    if params.discounts is not None:
        items = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
        discounting.ids, discounting.unsaved = await discount_service.preview_discounts(
            uow, ctx, params.discounts, customer, currency=sub.currency, amount=await _billed(uow, ctx, items)
        )
    if params.schedule is not None:
        return await _schedule_preview(uow, ctx, sub, params.schedule, customer.balance, discounting)
    return await _subscription_preview(uow, ctx, sub, params.subscription_details, customer.balance, discounting)


async def _subscription(uow: UnitOfWork, ctx: Ctx, params: InvoicePreviewParams) -> Subscription | None:
    """The subscription previewed: named, or the one the named schedule manages."""
    sub_id = params.subscription
    if params.schedule is not None:
        schedule = await uow.subscription_schedules.get(ctx.scope, params.schedule)
        if schedule is None:
            raise ResourceMissing("subscription_schedule", params.schedule, param="schedule")
        if schedule.subscription_id is None or (sub_id is not None and sub_id != schedule.subscription_id):
            raise InvalidRequest("The schedule does not manage this subscription.", param="schedule")
        sub_id = schedule.subscription_id
    if sub_id is None:
        return None
    sub = await uow.subscriptions.get(ctx.scope, sub_id)
    if sub is None:
        raise ResourceMissing("subscription", sub_id, param="subscription")
    if params.customer is not None and params.customer != sub.customer_id:
        raise InvalidRequest("The subscription belongs to another customer.", param="customer")
    return sub


async def _billed(uow: UnitOfWork, ctx: Ctx, items: list[SubscriptionItem]) -> int:
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in items])
    return sum(price_amount(prices[i.price_id], i.quantity or 1) for i in items if i.price_id in prices)


async def _customer_preview(uow: UnitOfWork, ctx: Ctx, customer: Customer, params: InvoicePreviewParams) -> Invoice:
    """Without a subscription: the customer's pending invoice items on a one-off invoice."""
    if params.subscription_details is not None:
        raise InvalidRequest("subscription_details needs a subscription.", param="subscription_details")
    pending = await uow.invoice_items.pending(ctx.scope, customer.id, None)
    if not pending:
        raise InvalidRequest(
            "Nothing to invoice for this customer: no pending invoice items.", code="invoice_upcoming_none"
        )
    now = ctx.now()
    currency = pending[0].currency
    invoice = _draft(ctx, customer.id, None, currency, Period(now, now), "manual")
    invoice.lines = [
        invoice_lines.record(invoice, invoice_lines.from_item(i), subscription_id=i.subscription_id) for i in pending
    ]
    discounting = Discounting()
    if params.discounts is not None:
        discounting.ids, discounting.unsaved = await discount_service.preview_discounts(
            uow, ctx, params.discounts, customer, currency=currency, amount=sum(i.amount for i in pending)
        )
    invoice.discounts = (
        discounting.ids if discounting.ids is not None else await discount_service.inherited(uow, ctx, customer, None)
    )
    return await _finish(uow, ctx, invoice, customer.balance, discounting)


async def _subscription_preview(
    uow: UnitOfWork,
    ctx: Ctx,
    sub: Subscription,
    details: PreviewSubscriptionDetails | None,
    balance: int,
    discounting: Discounting,
) -> Invoice:
    now = ctx.now()
    current = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    period = changes.current_period(current, now)
    pending = [invoice_lines.from_item(i) for i in await uow.invoice_items.pending(ctx.scope, sub.customer_id, sub.id)]
    behavior = ProrationBehavior((details.proration_behavior if details else None) or "create_prorations")
    sent = details.sent() if details else set()
    if details is not None and (
        details.cancel_now or (isinstance(details.cancel_at, int) and details.cancel_at < period.end)
    ):
        # Cancelling: the unused time after the end is credited (unless proration_behavior=none).
        end = now if details.cancel_now else int(details.cancel_at or now)
        if end < now:
            raise InvalidRequest("cancel_at must be in the future.", param="subscription_details[cancel_at]")
        had = await _priced_items(uow, ctx, current)
        credit = plan_cancel(had, period=period, now=end, prorate=behavior != ProrationBehavior.NONE)
        invoice = await _sub_invoice(
            uow, ctx, sub, pending + credit, Period(period.start, end), "subscription_update", balance, discounting
        )
        invoice.created = end
        return invoice
    if "trial_end" in sent:
        return await _trial_end_preview(uow, ctx, sub, current, details, pending, balance, discounting)
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
        discounting=discounting,
    )
    return review.today or review.next


async def _priced_items(uow: UnitOfWork, ctx: Ctx, items: list[SubscriptionItem]) -> list[tuple[str, Priced]]:
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in items])
    products = await uow.products.many(ctx.scope, [p.product_id for p in prices.values()])
    return [(i.id, priced(prices[i.price_id], products.get(prices[i.price_id].product_id), i.quantity)) for i in items]


async def _trial_end_preview(
    uow: UnitOfWork,
    ctx: Ctx,
    sub: Subscription,
    current: list[SubscriptionItem],
    details: PreviewSubscriptionDetails | None,
    pending: list[Line],
    balance: int,
    discounting: Discounting,
) -> Invoice:
    """`trial_end`: `now` ends the trial and invoices the first period at once; a time, the first
    invoice after the trial ends then."""
    assert details is not None and details.trial_end is not None
    if sub.status != "trialing":
        raise InvalidRequest(
            "subscription_details[trial_end] applies to a subscription in its trial.",
            param="subscription_details[trial_end]",
        )
    now = ctx.now()
    start = now if details.trial_end == "now" else int(details.trial_end)
    if start < now:
        raise InvalidRequest("trial_end must be in the future, or now.", param="subscription_details[trial_end]")
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in current])
    first = Period(start, boundary(start, Interval.of(prices[current[0].price_id].recurring), 1))
    lines = await changes.cycle_lines(uow, ctx, current, first)
    reason = "subscription_update" if details.trial_end == "now" else "subscription_cycle"
    invoice = await _sub_invoice(uow, ctx, sub, pending + lines, Period(start, start), reason, balance, discounting)
    invoice.created = start
    return invoice


async def _schedule_preview(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, schedule_id: str, balance: int, discounting: Discounting
) -> Invoice:
    """The next invoice under a schedule: at its next phase's start, that phase's items."""
    schedule = await uow.subscription_schedules.get(ctx.scope, schedule_id)
    assert schedule is not None
    current = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    period = changes.current_period(current, ctx.now())
    upcoming = next((p for p in schedule.phases or [] if p["start_date"] == period.end), None)
    if upcoming is None:
        return await _subscription_preview(uow, ctx, sub, None, balance, discounting)
    wanted = [
        ItemUpdateParams(id=item.id, price=phase_item["price"], quantity=phase_item.get("quantity"))
        for item, phase_item in zip(current, upcoming["items"], strict=False)
    ]
    desired = await changes.desired(uow, ctx, current, wanted)
    kept = [d for d in desired if d.price is not None]
    products = await uow.products.many(ctx.scope, [d.price.product_id for d in kept if d.price is not None])
    first = kept[0].price
    assert first is not None
    nxt = Period(period.end, boundary(period.end, Interval.of(first.recurring), 1))
    pending = [invoice_lines.from_item(i) for i in await uow.invoice_items.pending(ctx.scope, sub.customer_id, sub.id)]
    lines = pending + changes.desired_cycle_lines(kept, products, nxt)
    invoice = await _sub_invoice(uow, ctx, sub, lines, period, "subscription_cycle", balance, discounting)
    invoice.created = period.end
    return invoice


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
    discounting: Discounting | None = None,
) -> ChangeReview:
    """The change's invoices, from the planning the change itself runs; nothing is stored. The
    portal's review page shows this before the customer confirms."""
    discounting = discounting or Discounting()
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
            uow, ctx, sub, plan.invoice_lines + pending, plan.period, "subscription_update", balance, discounting
        )
        after = min(balance + invoice_lines.totals(today).total, 0)
        following = await _sub_invoice(uow, ctx, sub, renewal, plan.period, "subscription_cycle", after, discounting)
        following.created = plan.period.end
        return ChangeReview(today, following)
    # The next renewal: what is pending (this change's prorations too), then the next period.
    following = await _sub_invoice(
        uow, ctx, sub, pending + plan.pending_lines + renewal, plan.period, "subscription_cycle", balance, discounting
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
    uow: UnitOfWork,
    ctx: Ctx,
    sub: Subscription,
    lines: list[Line],
    period: Period,
    reason: str,
    balance: int,
    discounting: Discounting,
) -> Invoice:
    invoice = _draft(ctx, sub.customer_id, sub.id, sub.currency, period, reason)
    invoice.collection_method = sub.collection_method
    invoice.lines = [invoice_lines.record(invoice, line, subscription_id=sub.id) for line in lines]
    if discounting.ids is not None:
        invoice.discounts = list(discounting.ids)
    else:
        customer = await uow.customers.get(ctx.scope, sub.customer_id)
        assert customer is not None
        invoice.discounts = await discount_service.inherited(uow, ctx, customer, sub)
    return await _finish(uow, ctx, invoice, balance, discounting)


async def _finish(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, balance: int, discounting: Discounting) -> Invoice:
    await invoice_lines.reprice(uow, ctx, invoice, discounting.unsaved)
    # The customer's balance as it stands would settle this invoice (Stripe's preview shows it).
    invoice.starting_balance = balance
    return invoice
