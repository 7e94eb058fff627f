"""Subscription use cases. Every change to a subscription, from the API, the portal or a test
helper, goes through `change()` (app.services.subscription_events), which records exactly one
`customer.subscription.updated` (R18).
"""

from __future__ import annotations

from typing import Any, TypeVar

from app.context import Ctx
from app.domain import pause as pause_rules
from app.domain.lines import Line
from app.domain.periods import Interval, Period, add_interval, anchor_on, boundary
from app.domain.subscription_changes import ProrationBehavior
from app.errors import InvalidRequest, ParameterMissing, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.subscriptions import load_items
from app.params.base import created_bounds
from app.params.payment_methods import known_types
from app.params.subscriptions import (
    SubscriptionCancelParams,
    SubscriptionCreateParams,
    SubscriptionListParams,
    SubscriptionResumeParams,
    SubscriptionUpdateParams,
)
from app.services import discounts as discount_service
from app.services import invoices as invoice_service
from app.services import locks
from app.services import products as product_service
from app.services import subscription_changes as changes
from app.services import tax_ids as tax_id_service
from app.services.common import blank, merge_metadata
from app.services.pricing import price_amount
from app.services.subscription_events import change, render
from app.store.models import Invoice, Price, Subscription, SubscriptionItem
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork

P = TypeVar("P", SubscriptionCreateParams, SubscriptionUpdateParams)

ENDED = ("canceled", "incomplete_expired")


async def get(uow: UnitOfWork, ctx: Ctx, subscription_id: str, *, param: str = "id") -> Subscription:
    sub = await uow.subscriptions.get(ctx.scope, subscription_id)
    if sub is None:
        raise ResourceMissing("subscription", subscription_id, param=param)
    return sub


async def _attached_method(uow: UnitOfWork, ctx: Ctx, customer_id: str, pm_id: str, param: str) -> str:
    pm = await uow.payment_methods.get(ctx.scope, pm_id)
    if pm is None:
        raise ResourceMissing("PaymentMethod", pm_id, param=param)
    if pm.customer_id != customer_id:
        raise InvalidRequest(
            f"The payment method {pm_id} must be attached to the customer {customer_id} first.", param=param
        )
    return pm.id


def period_end(start: int, price: Price) -> int:
    """The end of the first period that starts at `start` (a new billing cycle's anchor)."""
    return boundary(start, Interval.of(price.recurring), 1)


async def with_item_prices(uow: UnitOfWork, ctx: Ctx, params: P) -> P:
    """Each item's price as an id: `plan` is Stripe's older name of `price`, and `price_data`
    makes the item's own price. Exactly one of them per item that names a price."""
    if not params.items:
        return params
    items = []
    for i, item in enumerate(params.items):
        given = [name for name in ("price", "plan", "price_data") if getattr(item, name) is not None]
        if len(given) > 1:
            raise InvalidRequest(
                f"Give one of price, plan or price_data, not {' and '.join(given)}.", param=f"items[{i}][{given[1]}]"
            )
        if item.plan is not None:
            item = item.model_copy(update={"price": item.plan, "plan": None})
        elif item.price_data is not None:
            made = await product_service.inline_price(uow, ctx, item.price_data, f"items[{i}][price_data]")
            item = item.model_copy(update={"price": made.id, "price_data": None})
        items.append(item)
    return params.model_copy(update={"items": items})


async def create(uow: UnitOfWork, ctx: Ctx, params: SubscriptionCreateParams) -> Subscription:
    """Create a subscription with its first invoice; the status follows trial, payment and collection."""
    if params.proration_behavior == "always_invoice":
        raise InvalidRequest(
            "proration_behavior on create is create_prorations or none (what the time before billing_cycle_anchor "
            "costs).",
            param="proration_behavior",
        )
    # The customer's lock: R9 (a concurrent detach sees this subscription, or this sees the detach).
    customer = await locks.customer(uow, ctx, params.customer, param="customer")
    if params.off_session:
        ctx.charge_off_session()
    params = await with_item_prices(uow, ctx, params)
    prices = []
    for i, item in enumerate(params.items):
        if item.price is None:
            raise ParameterMissing(f"items[{i}][price]")
        prices.append(await changes.recurring_price(uow, ctx, item.price, f"items[{i}][price]"))
    changes.check_compatible(prices, "items")
    method = params.collection_method or "charge_automatically"
    if method == "send_invoice" and params.days_until_due is None:
        raise InvalidRequest(
            "Missing required param: days_until_due (required with collection_method=send_invoice).",
            code="parameter_missing",
            param="days_until_due",
        )
    default_pm = None
    if params.default_payment_method is not None:
        default_pm = await _attached_method(
            uow, ctx, customer.id, params.default_payment_method, "default_payment_method"
        )
    now = ctx.now()
    trial_days = params.trial_period_days
    if params.trial_from_plan:
        # The price's own trial (Stripe's trial_from_plan; without it a price's trial_period_days is not used).
        if params.trial_end is not None or params.trial_period_days is not None:
            raise InvalidRequest(
                "trial_from_plan cannot be used with trial_end or trial_period_days.", param="trial_from_plan"
            )
        trial_days = (prices[0].recurring or {}).get("trial_period_days")
    trial_end = None
    if isinstance(params.trial_end, int):
        if params.trial_end <= now:
            raise InvalidRequest("trial_end must be in the future.", param="trial_end")
        trial_end = params.trial_end
    elif trial_days:
        trial_end = now + trial_days * 86400
    anchor = _first_anchor(params, prices[0], now, trial_end)
    sub = Subscription(
        id=new_id("sub", 24),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=now,
        customer_id=customer.id,
        status="active",
        currency=prices[0].currency,
        collection_method=method,
        days_until_due=params.days_until_due,
        default_payment_method=default_pm,
        cancel_at_period_end=bool(params.cancel_at_period_end),
        trial_start=now if trial_end else None,
        trial_end=trial_end,
        trial_settings=(
            {"missing_payment_method": params.trial_settings.end_behavior.missing_payment_method}
            if params.trial_settings
            else None
        ),
        # A trial's end is where the billing cycle starts (Stripe's anchor for a trialing subscription).
        billing_cycle_anchor=anchor or trial_end or now,
        settings=await _settings(uow, ctx, {}, params),
        start_date=now,
        description=params.description,
        metadata_=merge_metadata({}, params.metadata),
    )
    sub.set_pause_collection(None)
    items = []
    for i, (item, price) in enumerate(zip(params.items, prices, strict=True)):
        end = anchor or trial_end or period_end(now, price)
        items.append(
            SubscriptionItem(
                id=new_id("si", 14),
                account_id=ctx.scope.account_id,
                livemode=ctx.scope.livemode,
                created=now,
                subscription_id=sub.id,
                price_id=price.id,
                quantity=changes.quantity_for(price, item.quantity, f"items[{i}][quantity]"),
                current_period_start=now,
                current_period_end=end,
                metadata_=dict(item.metadata or {}),
            )
        )
    if sub.cancel_at_period_end:
        sub.cancel_at = items[0].current_period_end
    if params.cancel_at is not None:
        if params.cancel_at <= now:
            raise InvalidRequest("cancel_at must be in the future.", param="cancel_at")
        if params.cancel_at_period_end:
            raise InvalidRequest("Give cancel_at or cancel_at_period_end, not both.", param="cancel_at")
        sub.cancel_at = params.cancel_at
    uow.subscriptions.add(sub)
    for new_item in items:
        uow.subscription_items.add(new_item)
    if params.discounts is not None:
        # A promotion code's minimum_amount is checked against what the first invoice bills.
        first_amount = sum(price_amount(p, item.quantity or 1) for p, item in zip(prices, params.items, strict=True))
        sub.discounts = await discount_service.redeem_all(
            uow,
            ctx,
            params.discounts,
            customer,
            "discounts",
            currency=sub.currency,
            amount=first_amount,
            subscription=sub,
        )
    await uow.flush()
    await _add_invoice_items(uow, ctx, sub, params.add_invoice_items or [])
    first_period = Period(now, items[0].current_period_end)
    if anchor is not None:
        # Until the anchor: the share of a whole period the time to it is (Stripe's prorated first
        # invoice), or nothing with proration_behavior=none.
        lines = (
            []
            if params.proration_behavior == "none"
            else await changes.stub_lines(uow, ctx, items, Interval.of(prices[0].recurring or {}), anchor, now)
        )
    else:
        lines = await changes.cycle_lines(uow, ctx, items, first_period, free=trial_end is not None)
    invoice = await invoice_service.for_subscription(
        uow,
        ctx,
        sub,
        lines,
        period=Period(now, now),
        reason="subscription_create",
    )
    if params.payment_behavior == "default_incomplete" and trial_end is None:
        sub.status = "incomplete"
        await invoice_service.collect_later(uow, ctx, invoice)
    else:
        paid = await invoice_service.collect(uow, ctx, invoice, sub)
        if not paid and trial_end is None and method == "charge_automatically":
            if params.payment_behavior == "error_if_incomplete":
                raise invoice_service.CardDeclined(
                    "The subscription's first invoice could not be paid: the customer has no usable payment method.",
                    param="default_payment_method",
                )
            sub.status = "incomplete"
        elif trial_end is not None:
            sub.status = "trialing"
    await uow.flush()
    outbox.record(uow, ctx, "customer.subscription.created", await render(uow, ctx, sub))
    return sub


def _first_anchor(params: SubscriptionCreateParams, price: Price, now: int, trial_end: int | None) -> int | None:
    """The billing cycle anchor asked for (a timestamp, or a day of the month), when it is not now:
    no later than the natural next billing date, as on Stripe."""
    if params.billing_cycle_anchor is not None and params.billing_cycle_anchor_config is not None:
        raise InvalidRequest(
            "Give billing_cycle_anchor or billing_cycle_anchor_config, not both.", param="billing_cycle_anchor_config"
        )
    interval = Interval.of(price.recurring or {})
    config = params.billing_cycle_anchor_config
    if config is not None:
        if interval.unit not in ("month", "year"):
            raise InvalidRequest(
                "billing_cycle_anchor_config is for monthly and yearly prices.", param="billing_cycle_anchor_config"
            )
        if config.month is not None and interval.unit != "year":
            raise InvalidRequest(
                "billing_cycle_anchor_config[month] is for yearly prices.", param="billing_cycle_anchor_config[month]"
            )
        at = anchor_on(now, interval, config.day_of_month, config.month, config.hour, config.minute, config.second)
    elif params.billing_cycle_anchor is not None:
        at = params.billing_cycle_anchor
    else:
        return None
    param = "billing_cycle_anchor" if config is None else "billing_cycle_anchor_config"
    if trial_end is not None:
        raise InvalidRequest(
            "A billing cycle anchor with a trial is not supported: the trial's end is the anchor.",
            code="parameter_unsupported",
            param=param,
        )
    natural = add_interval(now, interval.unit, interval.count)
    if at < now:
        raise InvalidRequest("billing_cycle_anchor cannot be in the past.", param=param)
    if at > natural:
        raise InvalidRequest(
            f"billing_cycle_anchor cannot be later than next natural billing date ({natural}) for the price.",
            param=param,
        )
    return None if at in (now, natural) else at


async def _settings(
    uow: UnitOfWork, ctx: Ctx, current: dict[str, Any], params: SubscriptionCreateParams | SubscriptionUpdateParams
) -> dict[str, Any]:
    """invoice_settings, payment_settings and billing_mode as sent, checked ("" unsets a list)."""
    settings = dict(current)
    sent = params.sent()
    if params.invoice_settings is not None:
        invoice_settings = dict(settings.get("invoice_settings") or {})
        if "account_tax_ids" in params.invoice_settings.sent():
            ids = await tax_id_service.merchants_own(
                uow, ctx, blank(params.invoice_settings.account_tax_ids) or [], "invoice_settings[account_tax_ids]"
            )
            invoice_settings["account_tax_ids"] = ids or None
        settings["invoice_settings"] = invoice_settings
    if params.payment_settings is not None:
        payment = dict(settings.get("payment_settings") or {})
        p = params.payment_settings
        if "payment_method_types" in p.sent():
            types = known_types(blank(p.payment_method_types) or [], "payment_settings[payment_method_types]")
            payment["payment_method_types"] = types or None
        if p.save_default_payment_method is not None:
            payment["save_default_payment_method"] = p.save_default_payment_method
        settings["payment_settings"] = payment
    if "billing_mode" in sent and isinstance(params, SubscriptionCreateParams) and params.billing_mode is not None:
        settings["billing_mode"] = params.billing_mode.type
    return settings


async def expire_pending(uow: UnitOfWork, ctx: Ctx, sub: Subscription) -> None:
    """A pending update whose invoice was not paid in time: dropped, its invoice voided
    (`customer.subscription.pending_update_expired`); the subscription stays as it was."""
    pending = sub.pending_update or {}
    invoice = await uow.invoices.get(ctx.scope, str(pending.get("invoice")))
    if invoice is not None and invoice.status == "open":
        await invoice_service.void(uow, ctx, invoice.id)

    def dropped(s: Subscription) -> None:
        s.pending_update = s.pending_expires_at = None

    await change(uow, ctx, sub, dropped)
    outbox.record(uow, ctx, "customer.subscription.pending_update_expired", await render(uow, ctx, sub))


def _editable_when_ended(params: SubscriptionUpdateParams) -> None:
    allowed = {"metadata", "cancellation_details", "expand"}
    extra = params.sent() - allowed
    if extra:
        raise InvalidRequest(
            "A canceled subscription can only update its cancellation_details and metadata.",
            param=sorted(extra)[0],
        )


async def update(uow: UnitOfWork, ctx: Ctx, subscription_id: str, params: SubscriptionUpdateParams) -> Subscription:
    """Change items, cancellation, payment method, pause_collection (R15), metadata: one event (R18)."""
    sub = await locks.subscription(uow, ctx, subscription_id)
    if sub.status in ENDED:
        _editable_when_ended(params)
    if params.off_session:
        ctx.charge_off_session()
    params = await with_item_prices(uow, ctx, params)
    sent = params.sent()
    if sub.schedule_id and ({"cancel_at", "cancel_at_period_end"} & sent):
        raise InvalidRequest(
            f"The subscription is managed by the subscription schedule {sub.schedule_id}; release it before "
            "changing its cancellation.",
            param="cancel_at_period_end" if "cancel_at_period_end" in sent else "cancel_at",
        )
    items_by_sub, _prices = await load_items(uow, ctx.scope, [sub])
    current_items = items_by_sub.get(sub.id, [])
    now = ctx.now()
    check_billing_params(params)
    _check_trial_end(sub, params)
    settings = await _settings(uow, ctx, sub.settings or {}, params)
    if "discounts" in sent and params.discounts is not None:
        customer = await uow.customers.get(ctx.scope, sub.customer_id)
        assert customer is not None
        amount = sum(price_amount(_prices[i.price_id], i.quantity or 1) for i in current_items if i.price_id in _prices)
        wanted_discounts = await discount_service.redeem_all(
            uow, ctx, params.discounts, customer, "discounts", currency=sub.currency, amount=amount, subscription=sub
        )

    async def apply(s: Subscription) -> None:
        if params.add_invoice_items:
            await _add_invoice_items(uow, ctx, s, params.add_invoice_items)
        if "discounts" in sent and params.discounts is not None:
            s.discounts = wanted_discounts
        if params.items is not None or params.billing_cycle_anchor == "now":
            await _change_items(uow, ctx, s, current_items, params)
        if params.cancel_at_period_end is not None:
            s.cancel_at_period_end = params.cancel_at_period_end
            s.cancel_at = current_items[0].current_period_end if params.cancel_at_period_end and current_items else None
        if "cancel_at" in sent:
            at = blank(params.cancel_at)
            if at is not None and at <= now:
                raise InvalidRequest("cancel_at must be in the future.", param="cancel_at")
            s.cancel_at, s.cancel_at_period_end = at, False
        if params.invoice_settings is not None or params.payment_settings is not None:
            s.settings = settings
        if params.trial_settings is not None:
            s.trial_settings = {"missing_payment_method": params.trial_settings.end_behavior.missing_payment_method}
        if params.cancellation_details is not None:
            details = dict(s.cancellation_details or {})
            for key in ("comment", "feedback"):
                if key in params.cancellation_details.sent():
                    details[key] = blank(getattr(params.cancellation_details, key))
            s.cancellation_details = details
        if "default_payment_method" in sent:
            wanted = blank(params.default_payment_method)
            s.default_payment_method = (
                None
                if wanted is None
                else await _attached_method(uow, ctx, s.customer_id, wanted, "default_payment_method")
            )
        if "pause_collection" in sent:
            value = blank(params.pause_collection)
            s.set_pause_collection(
                None
                if value is None
                else pause_rules.pause_collection_value(value.behavior, value.resumes_at, now=now, status=s.status)
            )
        if params.collection_method is not None:
            if params.collection_method == "send_invoice" and (params.days_until_due or s.days_until_due) is None:
                raise InvalidRequest(
                    "days_until_due is required with collection_method=send_invoice.", param="days_until_due"
                )
            s.collection_method = params.collection_method
        if params.days_until_due is not None:
            s.days_until_due = params.days_until_due
        if "description" in sent:
            s.description = blank(params.description)
        if "metadata" in sent:
            s.metadata_ = merge_metadata(s.metadata_, params.metadata)
        if params.trial_end is not None and s.status == "trialing":
            await _end_trial(uow, ctx, s, params.trial_end, now)

    return await change(uow, ctx, sub, apply)


async def _add_invoice_items(uow: UnitOfWork, ctx: Ctx, sub: Subscription, wanted: list[Any]) -> None:
    """`add_invoice_items`: one-time prices as pending invoice items of the subscription, which its
    next invoice takes (the first one, on create)."""
    for i, entry in enumerate(wanted):
        param = f"add_invoice_items[{i}][price]"
        price = await uow.prices.get(ctx.scope, entry.price)
        if price is None:
            raise ResourceMissing("price", entry.price, param=param)
        if price.type != "one_time":
            raise InvalidRequest(
                f"The price {price.id} is recurring; add_invoice_items takes one-time prices.", param=param
            )
        if price.currency != sub.currency:
            raise InvalidRequest(
                f"The price {price.id} is in {price.currency}; the subscription is in {sub.currency}.", param=param
            )
        product = await uow.products.get(ctx.scope, price.product_id)
        quantity = entry.quantity or 1
        now = ctx.now()
        line = Line(
            amount=price_amount(price, quantity),
            description=product.name if product else price.id,
            period=Period(now, now),
            quantity=quantity,
            price_id=price.id,
            product_id=price.product_id,
            unit_amount=price.unit_amount,
        )
        changes.pending_item(uow, ctx, sub, line, entry.metadata)


PENDING_PARAMS = frozenset(
    {
        "items",
        "payment_behavior",
        "proration_behavior",
        "proration_date",
        "billing_cycle_anchor",
        "off_session",
        "expand",
    }
)


def check_billing_params(params: SubscriptionUpdateParams) -> None:
    """What the service does not do is refused by name, never accepted and ignored."""
    if params.payment_behavior == "pending_if_incomplete":
        # Stripe's list of what a pending update may hold (https://docs.stripe.com/billing/subscriptions/pending-updates).
        allowed = PENDING_PARAMS
        extra = sorted(params.sent() - allowed)
        if extra:
            raise InvalidRequest(
                f"{extra[0]} cannot be changed with payment_behavior=pending_if_incomplete; a pending update "
                f"takes only {', '.join(sorted(allowed - {'expand'}))}.",
                param=extra[0],
            )
    for i, item in enumerate(params.items or []):
        if item.clear_usage is not None:
            raise InvalidRequest(
                "clear_usage is not supported: this service keeps no usage records for metered prices.",
                code="parameter_unsupported",
                param=f"items[{i}][clear_usage]",
            )
    if params.proration_date is not None and params.items is None:
        raise InvalidRequest("proration_date applies only to a change of items.", param="proration_date")


def _check_trial_end(sub: Subscription, params: SubscriptionUpdateParams) -> None:
    if params.trial_end is not None and sub.status != "trialing":
        raise InvalidRequest(
            "trial_end can only change while the subscription is in its trial (adding a trial to an active "
            "subscription is not supported).",
            code="parameter_unsupported",
            param="trial_end",
        )


async def _change_items(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, current: list[SubscriptionItem], params: SubscriptionUpdateParams
) -> None:
    """Change the items and bill the change as Stripe does: prorations pending, invoiced now, or
    none; a new billing cycle (interval change or billing_cycle_anchor=now) invoiced at once."""
    wanted = await changes.desired(uow, ctx, current, params.items or [])
    plan = await changes.plan(
        uow,
        ctx,
        sub,
        current,
        wanted,
        behavior=ProrationBehavior(params.proration_behavior or "create_prorations"),
        proration_date=params.proration_date,
        anchor_now=params.billing_cycle_anchor == "now",
        anchor_unchanged=params.billing_cycle_anchor == "unchanged",
    )
    if params.payment_behavior == "pending_if_incomplete" and plan.invoices_now:
        if sub.pending_update is not None:
            raise InvalidRequest(
                "The subscription already has a pending update; it must be paid or expire first.",
                param="payment_behavior",
            )
        # Bill first; the change takes effect only once its invoice is paid (Stripe's pending update).
        invoice = await invoice_service.for_subscription(
            uow, ctx, sub, plan.invoice_lines, period=plan.period, reason="subscription_update"
        )
        if await invoice_service.collect(uow, ctx, invoice, sub):
            await changes.apply(uow, ctx, sub, wanted, plan)
            return
        invoice.next_payment_attempt = None  # not retried: it waits for the customer, then expires
        sub.pending_update = changes.pending_update(wanted, plan, invoice.id, ctx.now() + changes.PENDING_LIFETIME)
        sub.pending_expires_at = sub.pending_update["expires_at"]
        return
    await changes.apply(uow, ctx, sub, wanted, plan)
    if not plan.invoices_now:
        return
    await uow.flush()
    invoice = await invoice_service.for_subscription(
        uow, ctx, sub, plan.invoice_lines, period=plan.period, reason="subscription_update"
    )
    await collect_change(uow, ctx, sub, invoice, params.payment_behavior)


async def collect_change(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, invoice: Invoice, payment_behavior: str | None
) -> None:
    """Charge an invoice a change made. Declined: `error_if_incomplete` undoes the change (402);
    `default_incomplete` leaves the invoice open for the customer; otherwise the subscription is
    past_due with its invoice open, as on Stripe."""
    if payment_behavior == "default_incomplete":
        await invoice_service.collect_later(uow, ctx, invoice)
        return
    if await invoice_service.collect(uow, ctx, invoice, sub):
        return
    if sub.collection_method != "charge_automatically" or sub.pause_collection is not None:
        return
    if payment_behavior == "error_if_incomplete":
        raise invoice_service.CardDeclined(
            "The change's invoice could not be paid, so the subscription was not changed.",
            param="default_payment_method",
        )
    sub.status = "past_due"


async def _end_trial(uow: UnitOfWork, ctx: Ctx, sub: Subscription, trial_end: int | str, now: int) -> None:
    """`trial_end=now` ends the trial and starts the first paid period, invoiced at once; a later
    time moves the trial's end."""
    end = now if trial_end == "now" else int(trial_end)
    items = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    if end > now:
        sub.trial_end = sub.billing_cycle_anchor = end
        for item in items:
            item.current_period_end = end
        return
    sub.trial_end, sub.status, sub.billing_cycle_anchor = now, "active", now
    prices = await uow.prices.many(ctx.scope, [i.price_id for i in items])
    for item in items:
        item.current_period_start, item.current_period_end = now, period_end(now, prices[item.price_id])
    if not items:
        return
    period = Period(now, items[0].current_period_end)
    invoice = await invoice_service.for_subscription(
        uow, ctx, sub, await changes.cycle_lines(uow, ctx, items, period), period=period, reason="subscription_update"
    )
    if not await invoice_service.collect(uow, ctx, invoice, sub) and sub.collection_method == "charge_automatically":
        sub.status = "past_due"


async def cancel(uow: UnitOfWork, ctx: Ctx, subscription_id: str, params: SubscriptionCancelParams) -> Subscription:
    """Cancel now; records `customer.subscription.deleted`."""
    sub = await locks.subscription(uow, ctx, subscription_id)
    if sub.status in ENDED:
        raise InvalidRequest(
            f"The subscription {sub.id} has already been canceled.", code="resource_missing", param="id"
        )
    if params.prorate or params.invoice_now:
        await _final_bill(uow, ctx, sub, prorate=bool(params.prorate), invoice_now=bool(params.invoice_now))
    await end_now(uow, ctx, sub, reason="cancellation_requested", details=params)
    return sub


async def _final_bill(uow: UnitOfWork, ctx: Ctx, sub: Subscription, *, prorate: bool, invoice_now: bool) -> None:
    """Cancelling now: `prorate` credits the unused time on every item (pending invoice items);
    `invoice_now` puts everything pending of the subscription on a final invoice at once (a
    negative one leaves its credit on the customer's balance)."""
    now = ctx.now()
    items = (await load_items(uow, ctx.scope, [sub]))[0].get(sub.id, [])
    if prorate and sub.status != "trialing" and items:
        wanted = [changes.Desired(i.id, i, None, None) for i in items]
        credit = await changes.plan(
            uow,
            ctx,
            sub,
            items,
            wanted,
            behavior=ProrationBehavior.CREATE_PRORATIONS,
            proration_date=None,
            anchor_now=False,
        )
        for line in credit.pending_lines:
            changes.pending_item(uow, ctx, sub, line)
        await uow.flush()
    if not invoice_now:
        return
    if not await uow.invoice_items.pending(ctx.scope, sub.customer_id, sub.id):
        return
    invoice = await invoice_service.for_subscription(
        uow, ctx, sub, [], period=Period(now, now), reason="subscription_update"
    )
    await invoice_service.collect(uow, ctx, invoice, sub)


async def end_now(
    uow: UnitOfWork, ctx: Ctx, sub: Subscription, *, reason: str, details: SubscriptionCancelParams | None = None
) -> None:
    now = ctx.now()
    cancellation = dict(sub.cancellation_details or {})
    if details is not None and details.cancellation_details is not None:
        for key in ("comment", "feedback"):
            if key in details.cancellation_details.sent():
                cancellation[key] = blank(getattr(details.cancellation_details, key))
    cancellation["reason"] = reason
    sub.cancellation_details = cancellation
    sub.status, sub.canceled_at, sub.ended_at = "canceled", now, now
    sub.set_pause_collection(None)
    if sub.schedule_id:
        schedule = await uow.subscription_schedules.get(ctx.scope, sub.schedule_id)
        if schedule is not None and schedule.status == "active":
            schedule.status = "canceled"
    await uow.flush()
    outbox.record(uow, ctx, "customer.subscription.deleted", await render(uow, ctx, sub))


async def resume(uow: UnitOfWork, ctx: Ctx, subscription_id: str, params: SubscriptionResumeParams) -> Subscription:
    """Resume a `paused` subscription (a trial that ended without a payment method): a new period starts."""
    sub = await locks.subscription(uow, ctx, subscription_id)
    if sub.status != "paused":
        raise InvalidRequest(
            f"Only subscriptions with status `paused` can be resumed; this one is `{sub.status}`. To resume "
            'paused payment collection, update pause_collection to "".',
            code="subscription_not_paused",
        )
    if params.billing_cycle_anchor == "unchanged":
        raise InvalidRequest(
            "Resuming keeps no billing cycle: a paused subscription starts a new one now "
            "(billing_cycle_anchor=unchanged is not supported).",
            code="parameter_unsupported",
            param="billing_cycle_anchor",
        )
    # proration_behavior has nothing to prorate: the paused time was never billed, and the new
    # cycle is billed in full from now (as on Stripe with billing_cycle_anchor=now).
    items_by_sub, prices = await load_items(uow, ctx.scope, [sub])
    items = items_by_sub.get(sub.id, [])
    now = ctx.now()

    async def apply(s: Subscription) -> None:
        for item in items:
            item.current_period_start, item.current_period_end = now, period_end(now, prices[item.price_id])
        s.billing_cycle_anchor = now
        period = Period(now, items[0].current_period_end)
        invoice = await invoice_service.for_subscription(
            uow, ctx, s, await changes.cycle_lines(uow, ctx, items, period), period=period, reason="subscription_cycle"
        )
        s.status = "active" if await invoice_service.collect(uow, ctx, invoice, s) else "past_due"

    return await change(uow, ctx, sub, apply)


def _status_filter(status: str | None) -> list[str] | None:
    if status is None:
        return ["active", "incomplete", "past_due", "paused", "trialing", "unpaid", "incomplete_expired"]
    if status == "all":
        return None
    if status == "ended":
        return list(ENDED)
    return [status]


def list_filters(params: Any) -> dict[str, Any]:
    """The filters shared by the list and the CSV export."""
    return {
        "customer": params.customer,
        "price": params.price or getattr(params, "plan", None),
        "test_clock": getattr(params, "test_clock", None),
        "current_period_start": created_bounds(getattr(params, "current_period_start", None)),
        "current_period_end": created_bounds(getattr(params, "current_period_end", None)),
        "statuses": _status_filter(params.status),
        "collection_method": params.collection_method,
        "collection_paused": params.collection_paused,
        "created": created_bounds(params.created),
        "customer_email": params.customer_email,
    }


async def list_(uow: UnitOfWork, ctx: Ctx, params: SubscriptionListParams) -> Page[Subscription]:
    """Subscriptions newest first; by default those not canceled (R16: `collection_paused` filter)."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.subscriptions.find(ctx.scope, cursor, **list_filters(params))
