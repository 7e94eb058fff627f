"""Everything the portal page shows, with what the customer may do with each thing (R1, R4, R8, R9).

A fixed number of queries whatever the customer holds: the subscriptions, their items, prices,
products, discounts and schedules are each read at once for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain import configuration_rules as rules
from app.domain import payment_method_types
from app.objects.links import portal_base
from app.services import invoice_lines, updatability
from app.services.portal import offers
from app.services.portal.flows import allowed_by_flow, retention_offer
from app.services.portal.views import (
    BrandingView,
    BusinessView,
    CustomerView,
    DiscountView,
    FeaturesView,
    InvoicePage,
    InvoiceView,
    ItemView,
    LimitationView,
    Overview,
    PaymentMethodView,
    PriceView,
    ScheduledChangeView,
    SessionView,
    SubscriptionView,
    TaxIdView,
)
from app.services.portal.visitor import (
    HIDDEN_STATUSES,
    Visitor,
    configuration,
    feature,
    shown_account,
    shown_customer,
)
from app.store.models import Invoice, Price, Product
from app.store.repositories.base import Cursor
from app.store.repositories.subscriptions import ACTIVE_STATUSES
from app.store.uow import UnitOfWork

INVOICES_PER_PAGE = 10


@dataclass(frozen=True)
class InvoiceCursor:
    """Which page of the invoice history: after the last one shown, or before the first."""

    after: str | None = None
    before: str | None = None


def offered_in_order(config: Any) -> list[str]:
    products = feature(config, "subscription_update").get("products") or []
    return [price for p in products for price in p.get("prices", [])]


def price_view(price: Price, product: Product | None) -> PriceView:
    return PriceView(
        id=price.id,
        product=price.product_id,
        product_name=product.name if product else price.product_id,
        nickname=price.nickname,
        unit_amount=price.unit_amount,
        currency=price.currency,
        interval=(price.recurring or {}).get("interval"),
        interval_count=(price.recurring or {}).get("interval_count", 1),
    )


def invoice_view(invoice: Invoice, *, payable: bool) -> InvoiceView:
    totals = invoice_lines.totals(invoice)
    remaining = 0 if invoice.status in ("paid", "void") else max(totals.amount_due - invoice.amount_paid, 0)
    return InvoiceView(
        id=invoice.id,
        number=invoice.number,
        status=invoice.status,
        total=totals.total,
        amount_due=totals.amount_due,
        amount_remaining=remaining,
        currency=invoice.currency,
        created=invoice.created,
        hosted_invoice_url=invoice.hosted_invoice_url,
        invoice_pdf=f"{invoice.hosted_invoice_url}/pdf" if invoice.hosted_invoice_url else None,
        payable=payable and invoice.status == "open" and remaining > 0,
    )


async def invoice_page(uow: UnitOfWork, v: Visitor, cursor: InvoiceCursor, *, payable: bool) -> InvoicePage:
    """One page of the history, newest first; drafts are the merchant's and are not shown."""
    page = await uow.invoices.find(
        v.ctx.scope,
        Cursor(limit=INVOICES_PER_PAGE, starting_after=cursor.after, ending_before=cursor.before),
        customer=v.customer_id,
        exclude_status="draft",
    )
    views = [invoice_view(i, payable=payable) for i in page.data]
    older = page.has_more if cursor.before is None else True
    newer = cursor.after is not None or (cursor.before is not None and page.has_more)
    return InvoicePage(
        data=views,
        has_more=older,
        next_after=views[-1].id if views and older else None,
        previous_before=views[0].id if views and newer else None,
    )


async def overview(uow: UnitOfWork, v: Visitor, invoices: InvoiceCursor | None = None) -> Overview:
    scope = v.ctx.scope
    config = await configuration(uow, v)
    cust = await shown_customer(uow, v)
    account = await shown_account(uow, v)
    settings = (account.settings if account else None) or {}
    every = await uow.subscriptions.for_customer(scope, v.customer_id)
    subs = [s for s in every if s.status not in HIDDEN_STATUSES]
    items, prices = await uow.subscription_items.with_prices(scope, [s.id for s in subs])
    assessments = await updatability.assess(uow, scope, config, subs, items, prices)
    if offered := set(updatability.offered_prices(config)) - prices.keys():
        prices = prices | await uow.prices.many(scope, list(offered))
    products = await uow.products.many(scope, list({p.product_id for p in prices.values()}))
    methods = await uow.payment_methods.attached(scope, v.customer_id)
    default_pm = (cust.invoice_settings or {}).get("default_payment_method")
    # R9 from the subscriptions just read (what `subscriptions.has_active` would count).
    has_active = any(s.status in ACTIVE_STATUSES for s in every)
    phase = rules.pause_phase(v.ctx.clock.now().date())
    discounts = await _discount_views(uow, v, [d for sub in subs for d in sub.discounts or []])
    schedules = await uow.subscription_schedules.many(scope, [s.schedule_id for s in subs if s.schedule_id])
    views = {pid: price_view(p, products.get(p.product_id)) for pid, p in prices.items()}

    sub_views = []
    for sub in subs:
        judged = assessments[sub.id]
        sub_items = items.get(sub.id, [])
        sub_views.append(
            SubscriptionView(
                id=sub.id,
                status=sub.status,
                currency=sub.currency,
                cancel_at_period_end=sub.cancel_at_period_end,
                cancel_at=sub.cancel_at,
                current_period_end=sub_items[0].current_period_end if sub_items else None,
                trial_end=sub.trial_end,
                pause_collection=sub.pause_collection,
                items=[
                    ItemView(id=i.id, quantity=i.quantity, price=views[i.price_id])
                    for i in sub_items
                    if i.price_id in views
                ],
                actions=offers.for_visitor(v, offers.subscription_actions(config, judged, sub, phase), sub.id),
                limitations=[LimitationView(code=x.code, message=x.message) for x in judged.limitations],
                discounts=[discounts[d] for d in sub.discounts or [] if d in discounts],
                scheduled_change=_scheduled_change(schedules.get(sub.schedule_id or ""), views),
                update_options=(
                    [views[pid] for pid in offered_in_order(config) if pid in views] if judged.can_update else []
                ),
            )
        )
    history = bool(feature(config, "invoice_history").get("enabled"))
    page = await invoice_page(uow, v, invoices or InvoiceCursor(), payable=True) if history else None
    currency = subs[0].currency if subs else cust.currency
    profile = config.business_profile or {}
    customer_update = feature(config, "customer_update")
    editable = (
        list(customer_update.get("allowed_updates") or [])
        if customer_update.get("enabled") and allowed_by_flow(v, "update_customer")
        else []
    )
    survey = feature(config, "subscription_cancel").get("cancellation_reason") or {}
    tax_ids = await uow.tax_ids.of_customer(scope, cust.id) if "tax_id" in editable else []
    branding = settings.get("branding") or {}
    return Overview(
        livemode=scope.livemode,
        retention_offer=await retention_offer(uow, v),
        session=SessionView(id=v.session.id, return_url=v.session.return_url, flow=v.session.flow),
        business=BusinessView(
            name=(settings.get("business_profile") or {}).get("name") or (account.name if account else None),
            headline=profile.get("headline"),
            privacy_policy_url=profile.get("privacy_policy_url"),
            terms_of_service_url=profile.get("terms_of_service_url"),
            branding=BrandingView(**{k: branding.get(k) for k in ("icon", "logo", "primary_color", "secondary_color")}),
            portal_url=portal_base(uow.base_url, settings),
        ),
        customer=CustomerView(
            id=cust.id,
            email=cust.email,
            name=cust.name,
            phone=cust.phone,
            address=cust.address,
            shipping=cust.shipping,
            tax_ids=[TaxIdView(id=t.id, type=t.type, value=t.value) for t in tax_ids],
            preferred_locales=list(cust.preferred_locales or []),
            editable=editable,
        ),
        features=FeaturesView(
            payment_method_update=bool(feature(config, "payment_method_update").get("enabled"))
            and allowed_by_flow(v, "add_payment_method"),
            invoice_history=history,
            cancellation_reasons=list(survey.get("options") or []) if survey.get("enabled") else [],
            cancel_mode=feature(config, "subscription_cancel").get("mode", "at_period_end"),
        ),
        subscriptions=sub_views,
        payment_methods=[
            PaymentMethodView(
                id=m.id,
                type=m.type,
                card=m.details if m.type == "card" else None,
                last4=(m.details or {}).get("last4"),
                default=m.id == default_pm,
                removable=not (has_active and len(methods) <= 1),
            )
            for m in methods
        ],
        payment_method_types=[t.type for t in payment_method_types.offered(currency=currency, country=None)],
        customer_country=(cust.address or {}).get("country") if cust.address else None,
        invoices=page.data if page else [],
        invoice_page=page,
    )


async def _discount_views(uow: UnitOfWork, v: Visitor, ids: list[str]) -> dict[str, DiscountView]:
    """What the page says of each discount: its coupon's name and terms, and when it ends."""
    found = await uow.discounts.many(v.ctx.scope, ids)
    coupons = await uow.coupons.many(v.ctx.scope, [d.coupon_id for d in found.values()])
    views = {}
    for discount in found.values():
        coupon = coupons.get(discount.coupon_id)
        if coupon is None or discount.used:
            continue
        views[discount.id] = DiscountView(id=discount.id, end=discount.end, **DiscountView.of(coupon))
    return views


def _scheduled_change(schedule: Any, views: dict[str, PriceView]) -> ScheduledChangeView | None:
    """The next phase of the subscription's schedule, as the page announces it."""
    if schedule is None or schedule.status != "active" or len(schedule.phases or []) < 2:
        return None
    nxt = schedule.phases[1]
    item = (nxt.get("items") or [{}])[0]
    if item.get("price") not in views:
        return None
    return ScheduledChangeView(date=nxt["start_date"], price=views[item["price"]], quantity=item.get("quantity"))
