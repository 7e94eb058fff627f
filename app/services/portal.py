"""What a signed-in customer can do in the portal (R1, R3-R5, R8, R9, R14, R17, R18).

Every action goes through the same services as the merchant API, so it checks the same rules and
records the same events (each subscription change: one `customer.subscription.updated`, R18).
There is deliberately no way to create a subscription here (R3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.context import Ctx
from app.domain import configuration_rules as rules
from app.domain import payment_method_types
from app.domain.errors import RuleViolation
from app.domain.subscription_changes import ProrationBehavior, waits_for_period_end
from app.domain.subscription_updatability import Assessment
from app.errors import InvalidRequest, PermissionDenied, ResourceMissing
from app.objects.links import portal_base
from app.params.customers import CustomerUpdateParams, InvoiceSettingsParams
from app.params.parsing import parse
from app.params.payment_methods import PaymentMethodCreateParams
from app.params.subscriptions import (
    CancellationDetailsParams,
    ItemUpdateParams,
    PauseCollectionParams,
    SubscriptionCancelParams,
    SubscriptionUpdateParams,
)
from app.services import customers as customer_service
from app.services import invoice_lines, locks, previews, updatability
from app.services import payment_methods as pm_service
from app.services import schedules as schedule_service
from app.services import subscriptions as subscription_service
from app.services.pricing import price_amount, priced
from app.store.models import Customer, PortalConfiguration, PortalSession, Subscription
from app.store.repositories.base import Cursor
from app.store.uow import UnitOfWork

HIDDEN_STATUSES = ("canceled", "incomplete_expired")


@dataclass(frozen=True)
class Visitor:
    """The signed-in customer and the session they came through."""

    ctx: Ctx
    customer_id: str
    session: PortalSession
    # A deep-link session (flow_data) allows only its flow's actions until the flow is done.
    flow_done: bool = False


# The portal's actions, as `allowed_by_flow` and `subscription_actions` name them.
SUBSCRIPTION_ACTIONS = ("update", "cancel", "renew", "pause_collection", "resume_collection")
PAYMENT_METHOD_ACTIONS = ("add_payment_method", "set_default_payment_method", "remove_payment_method")
# What each deep-link flow allows until it is done (Stripe's flow types).
FLOW_ACTIONS: dict[str, tuple[str, ...]] = {
    "payment_method_update": PAYMENT_METHOD_ACTIONS,
    "subscription_cancel": ("cancel", "accept_offer"),
    "subscription_update": ("update",),
    "subscription_update_confirm": ("update",),
}


def allowed_by_flow(v: Visitor, action: str, subscription_id: str | None = None) -> bool:
    """Whether the session's deep-link flow (if any, and not yet done) allows this action: only
    its own, and on the flow's own subscription."""
    flow = v.session.flow
    if not flow or v.flow_done:
        return True
    kind = str(flow.get("type") or "")
    if action not in FLOW_ACTIONS.get(kind, ()):
        return False
    target = (flow.get(kind) or {}).get("subscription")
    return target is None or subscription_id == target


def _check_flow(v: Visitor, action: str, subscription_id: str | None = None) -> None:
    if not allowed_by_flow(v, action, subscription_id):
        raise PermissionDenied(
            f"This portal session was created for the `{v.session.flow.get('type') if v.session.flow else ''}` "
            "flow; other actions are available once it is complete.",
            code="portal_flow_restricted",
        )


async def _configuration(uow: UnitOfWork, v: Visitor) -> PortalConfiguration:
    configuration = await uow.configurations.get(v.ctx.scope, v.session.configuration_id)
    if configuration is None:
        raise ResourceMissing("billing_portal.configuration", v.session.configuration_id)
    return configuration


async def _customer(uow: UnitOfWork, v: Visitor) -> Customer:
    return await customer_service.get(uow, v.ctx, v.customer_id)


async def _own_subscription(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """The visitor's subscription, locked (after the visitor's customer) for the action."""
    peeked = await uow.subscriptions.get(v.ctx.scope, subscription_id)
    if peeked is None or peeked.customer_id != v.customer_id:
        # Another customer's id looks exactly like a made-up one.
        raise ResourceMissing("subscription", subscription_id)
    return await locks.subscription(uow, v.ctx, subscription_id)


def _feature(configuration: PortalConfiguration, name: str) -> dict[str, Any]:
    feature: dict[str, Any] = (configuration.features or {}).get(name) or {}
    return feature


def _refuse(code: str, message: str, param: str | None = None) -> RuleViolation:
    return RuleViolation(message, code=code, param=param)


def subscription_actions(
    configuration: PortalConfiguration, assessment: Assessment, sub: Subscription, today_phase: str
) -> dict[str, bool]:
    """What the portal offers for a subscription. The one decision: the page and the portal API
    show it, and every action handler refuses what it does not offer."""
    if sub.status in HIDDEN_STATUSES:
        return dict.fromkeys(SUBSCRIPTION_ACTIONS, False)
    return {
        "update": assessment.can_update,
        "cancel": assessment.can_cancel and not sub.cancel_at_period_end,
        "renew": assessment.can_cancel and sub.cancel_at_period_end,
        **pause_actions(configuration, today_phase, sub),
    }


async def _offered(
    uow: UnitOfWork, v: Visitor, configuration: PortalConfiguration, sub: Subscription
) -> dict[str, bool]:
    assessment = await _assessment(uow, v, configuration, sub)
    return subscription_actions(configuration, assessment, sub, rules.pause_phase(v.ctx.clock.now().date()))


def pause_actions(configuration: PortalConfiguration, today_phase: str, sub: Subscription) -> dict[str, bool]:
    """R14/R17: pausing is offered only before 2024-03-29 and resuming only until 2024-07-31, and only
    for configurations that enabled the retired feature."""
    enabled = bool(_feature(configuration, "subscription_pause").get("enabled"))
    live = sub.status not in HIDDEN_STATUSES
    return {
        "pause_collection": enabled and live and today_phase == "offered" and not sub.collection_paused,
        "resume_collection": enabled and live and today_phase in ("offered", "resume_only") and sub.collection_paused,
    }


async def overview(uow: UnitOfWork, v: Visitor) -> dict[str, Any]:
    """Everything the portal page shows, with what the customer may do with each thing."""
    scope = v.ctx.scope
    configuration = await _configuration(uow, v)
    customer = await _customer(uow, v)
    account = await uow.accounts.get(scope.account_id)
    settings = (account.settings if account else None) or {}
    subs = [s for s in await uow.subscriptions.for_customer(scope, v.customer_id) if s.status not in HIDDEN_STATUSES]
    assessments = await updatability.assess(uow, scope, configuration, subs)
    items = await uow.subscription_items.for_subscriptions(scope, [s.id for s in subs])
    offered = updatability.offered_prices(configuration)
    price_ids = {i.price_id for group in items.values() for i in group} | set(offered)
    prices = await uow.prices.many(scope, list(price_ids))
    products = await uow.products.many(scope, list({p.product_id for p in prices.values()}))
    methods = await uow.payment_methods.attached(scope, v.customer_id)
    default_pm = (customer.invoice_settings or {}).get("default_payment_method")
    has_active = await uow.subscriptions.has_active(scope, v.customer_id)
    phase = rules.pause_phase(v.ctx.clock.now().date())
    discount_views = await _discount_views(uow, v, [d for sub in subs for d in sub.discounts or []])
    schedules = await uow.subscription_schedules.many(scope, [s.schedule_id for s in subs if s.schedule_id])

    def price_view(price_id: str) -> dict[str, Any]:
        p = prices[price_id]
        product = products.get(p.product_id)
        return {
            "id": p.id,
            "product": p.product_id,
            "product_name": product.name if product else p.product_id,
            "nickname": p.nickname,
            "unit_amount": p.unit_amount,
            "currency": p.currency,
            "interval": (p.recurring or {}).get("interval"),
            "interval_count": (p.recurring or {}).get("interval_count", 1),
        }

    sub_views = []
    for sub in subs:
        a: Assessment = assessments[sub.id]
        sub_items = items.get(sub.id, [])
        sub_views.append(
            {
                "id": sub.id,
                "status": sub.status,
                "currency": sub.currency,
                "cancel_at_period_end": sub.cancel_at_period_end,
                "cancel_at": sub.cancel_at,
                "current_period_end": sub_items[0].current_period_end if sub_items else None,
                "trial_end": sub.trial_end,
                "pause_collection": sub.pause_collection,
                "items": [
                    {"id": i.id, "quantity": i.quantity, "price": price_view(i.price_id)}
                    for i in sub_items
                    if i.price_id in prices
                ],
                "actions": {
                    name: offered and allowed_by_flow(v, name, sub.id)
                    for name, offered in subscription_actions(configuration, a, sub, phase).items()
                },
                "limitations": [{"code": limit.code, "message": limit.message} for limit in a.limitations],
                "discounts": [discount_views[d] for d in sub.discounts or [] if d in discount_views],
                "scheduled_change": _scheduled_change(schedules.get(sub.schedule_id or ""), price_view, prices),
                "update_options": (
                    [price_view(pid) for pid in _offered_in_order(configuration) if pid in prices]
                    if a.can_update
                    else []
                ),
            }
        )
    invoices: list[dict[str, Any]] = []
    if _feature(configuration, "invoice_history").get("enabled"):
        page = await uow.invoices.find(scope, Cursor(limit=24), customer=v.customer_id)
        invoices = [
            {
                "id": i.id,
                "number": i.number,
                "status": i.status,
                "total": invoice_lines.totals(i).total,
                "amount_due": invoice_lines.totals(i).amount_due,
                "currency": i.currency,
                "created": i.created,
                "hosted_invoice_url": i.hosted_invoice_url,
                "invoice_pdf": f"{i.hosted_invoice_url}/pdf" if i.hosted_invoice_url else None,
            }
            for i in page.data
            if i.status != "draft"
        ]
    currency = subs[0].currency if subs else customer.currency
    country = ((customer.address or {}).get("country")) if customer.address else None
    profile = configuration.business_profile or {}
    offer = await _retention_offer(uow, v)
    return {
        "object": "billing_portal.overview",
        "retention_offer": offer,
        "livemode": scope.livemode,
        "session": {"id": v.session.id, "return_url": v.session.return_url, "flow": v.session.flow},
        "business": {
            "name": (settings.get("business_profile") or {}).get("name") or (account.name if account else None),
            "headline": profile.get("headline"),
            "privacy_policy_url": profile.get("privacy_policy_url"),
            "terms_of_service_url": profile.get("terms_of_service_url"),
            "branding": {
                k: (settings.get("branding") or {}).get(k) for k in ("icon", "logo", "primary_color", "secondary_color")
            },
            "portal_url": portal_base(uow.base_url, settings),
        },
        "customer": {
            "id": customer.id,
            "email": customer.email,
            "name": customer.name,
            "phone": customer.phone,
            "address": customer.address,
            "preferred_locales": list(customer.preferred_locales or []),
            "editable": (
                list(_feature(configuration, "customer_update").get("allowed_updates") or [])
                if _feature(configuration, "customer_update").get("enabled") and allowed_by_flow(v, "update_customer")
                else []
            ),
        },
        "features": {
            "payment_method_update": bool(_feature(configuration, "payment_method_update").get("enabled"))
            and allowed_by_flow(v, "add_payment_method"),
            "invoice_history": bool(_feature(configuration, "invoice_history").get("enabled")),
            "cancellation_reasons": (
                list(_feature(configuration, "subscription_cancel").get("cancellation_reason", {}).get("options") or [])
                if _feature(configuration, "subscription_cancel").get("cancellation_reason", {}).get("enabled")
                else []
            ),
            "cancel_mode": _feature(configuration, "subscription_cancel").get("mode", "at_period_end"),
        },
        "subscriptions": sub_views,
        "payment_methods": [
            {
                "id": m.id,
                "type": m.type,
                "card": m.details if m.type == "card" else None,
                "last4": (m.details or {}).get("last4"),
                "default": m.id == default_pm,
                # R9: the last method of a customer with an active subscription stays.
                "removable": not (has_active and len(methods) <= 1),
            }
            for m in methods
        ],
        # R8: what the customer can add, for the subscription's currency and the merchant's country.
        "payment_method_types": [t.type for t in payment_method_types.offered(currency=currency, country=None)],
        "customer_country": country,
        "invoices": invoices,
    }


def _offered_in_order(configuration: PortalConfiguration) -> list[str]:
    products = _feature(configuration, "subscription_update").get("products") or []
    return [price for p in products for price in p.get("prices", [])]


async def _assessment(uow: UnitOfWork, v: Visitor, configuration: PortalConfiguration, sub: Subscription) -> Assessment:
    return (await updatability.assess(uow, v.ctx.scope, configuration, [sub]))[sub.id]


async def cancel(
    uow: UnitOfWork, v: Visitor, subscription_id: str, *, reason: str | None = None, comment: str | None = None
) -> Subscription:
    """Cancel as the configuration says: at period end (undoable) or immediately, with the survey's answer."""
    _check_flow(v, "cancel", subscription_id)
    configuration = await _configuration(uow, v)
    sub = await _own_subscription(uow, v, subscription_id)
    assessment = await _assessment(uow, v, configuration, sub)
    if not subscription_actions(configuration, assessment, sub, rules.pause_phase(v.ctx.clock.now().date()))["cancel"]:
        reasons = "; ".join(x.message for x in assessment.limitations)
        if sub.status in HIDDEN_STATUSES:
            reasons = "it has already ended"
        elif sub.cancel_at_period_end:
            reasons = "it is already set to cancel at the end of the period"
        raise _refuse("subscription_not_cancelable", "This subscription cannot be canceled here: " + reasons)
    cancel_feature = _feature(configuration, "subscription_cancel")
    survey = cancel_feature.get("cancellation_reason") or {}
    if reason is not None and (not survey.get("enabled") or reason not in (survey.get("options") or [])):
        raise InvalidRequest(f"Unknown cancellation reason: {reason}", code="parameter_invalid_enum", param="reason")
    details = parse(
        CancellationDetailsParams,
        {**({"feedback": reason} if reason else {}), **({"comment": comment} if comment else {})},
    )
    if cancel_feature.get("mode") == "immediately":
        # The configuration's proration_behavior: create_prorations credits the unused time.
        prorate = cancel_feature.get("proration_behavior") == "create_prorations"
        return await subscription_service.cancel(
            uow, v.ctx, sub.id, SubscriptionCancelParams(cancellation_details=details, prorate=prorate)
        )
    return await subscription_service.update(
        uow, v.ctx, sub.id, SubscriptionUpdateParams(cancel_at_period_end=True, cancellation_details=details)
    )


async def renew(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """Undo a pending cancel-at-period-end, where the portal offers it (not under a schedule, not
    where cancellation is off: a merchant's cancellation stays the merchant's)."""
    _check_flow(v, "renew", subscription_id)
    configuration = await _configuration(uow, v)
    sub = await _own_subscription(uow, v, subscription_id)
    if not (await _offered(uow, v, configuration, sub))["renew"]:
        raise _refuse(
            "subscription_not_renewable", "This subscription is not set to cancel, or cannot be renewed here."
        )
    return await subscription_service.update(uow, v.ctx, sub.id, SubscriptionUpdateParams(cancel_at_period_end=False))


async def _checked_update(
    uow: UnitOfWork, v: Visitor, subscription_id: str, price_id: str | None, quantity: int | None
) -> tuple[Subscription, Any, Any, int]:
    """Validate a plan change against R4 and the configuration; the current item, new price and quantity."""
    _check_flow(v, "update", subscription_id)
    configuration = await _configuration(uow, v)
    sub = await _own_subscription(uow, v, subscription_id)
    assessment = await _assessment(uow, v, configuration, sub)
    if not subscription_actions(configuration, assessment, sub, rules.pause_phase(v.ctx.clock.now().date()))["update"]:
        raise _refuse(
            assessment.codes[0] if assessment.codes else "subscription_not_updatable",
            "This subscription cannot be updated here: "
            + ("; ".join(x.message for x in assessment.limitations) or "updates are not enabled."),
        )
    item = (await uow.subscription_items.for_subscriptions(v.ctx.scope, [sub.id]))[sub.id][0]
    feature = _feature(configuration, "subscription_update")
    allowed = set(feature.get("default_allowed_updates") or [])
    target_price_id = price_id or item.price_id
    if target_price_id != item.price_id and "price" not in allowed:
        raise _refuse("update_not_allowed", "Switching plans is not enabled.", "price")
    if target_price_id not in updatability.offered_prices(configuration):
        raise _refuse("price_not_in_configuration", "That plan is not offered.", "price")
    new_price = await uow.prices.get(v.ctx.scope, target_price_id)
    if new_price is None:
        raise ResourceMissing("price", target_price_id, param="price")
    target_quantity = item.quantity or 1 if quantity is None else quantity
    if target_quantity != (item.quantity or 1):
        product: dict[str, Any] = next(
            (p for p in feature.get("products") or [] if target_price_id in p.get("prices", [])), {}
        )
        bounds = product.get("adjustable_quantity") or {}
        if "quantity" not in allowed and not bounds.get("enabled"):
            raise _refuse("update_not_allowed", "Changing the quantity is not enabled.", "quantity")
        low, high = int(bounds.get("minimum") or 1), bounds.get("maximum")
        if target_quantity < low or (high is not None and target_quantity > int(high)):
            raise _refuse(
                "quantity_out_of_bounds",
                f"The quantity must be between {low} and {high if high is not None else 'any'}.",
                "quantity",
            )
    if target_price_id == item.price_id and target_quantity == (item.quantity or 1):
        raise _refuse("no_change", "Choose a different plan or quantity.", "price")
    return sub, item, new_price, target_quantity


async def _terms(
    uow: UnitOfWork, v: Visitor, configuration: PortalConfiguration, item: Any, new_price: Any, quantity: int
) -> tuple[ProrationBehavior, bool, int | None]:
    """How the configuration bills a portal change: its proration_behavior, whether the billing
    cycle restarts (`billing_cycle_anchor=now`), and when the change waits for the period's end
    (`schedule_at_period_end` conditions met: the date it takes effect)."""
    feature = _feature(configuration, "subscription_update")
    behavior = ProrationBehavior(feature.get("proration_behavior") or "none")
    anchor_now = feature.get("billing_cycle_anchor") == "now"
    conditions = [c.get("type") for c in (feature.get("schedule_at_period_end") or {}).get("conditions") or []]
    if not conditions:
        return behavior, anchor_now, None
    current = await uow.prices.get(v.ctx.scope, item.price_id)
    assert current is not None
    products = await uow.products.many(v.ctx.scope, [current.product_id, new_price.product_id])
    had = priced(current, products.get(current.product_id), item.quantity)
    has = priced(new_price, products.get(new_price.product_id), quantity)
    if waits_for_period_end(conditions, had, has):
        return behavior, anchor_now, item.current_period_end
    return behavior, anchor_now, None


def _invoice_summary(invoice: Any) -> dict[str, Any]:
    totals = invoice_lines.totals(invoice)
    return {
        "amount_due": totals.amount_due,
        "total": totals.total,
        "currency": invoice.currency,
        "date": invoice.created,
        "lines": [
            {
                "description": line.get("description"),
                "amount": line.get("amount"),
                "proration": bool(
                    ((line.get("parent") or {}).get("subscription_item_details") or {}).get("proration")
                    or ((line.get("parent") or {}).get("invoice_item_details") or {}).get("proration")
                ),
                "period": line.get("period"),
            }
            for line in invoice.lines or []
        ],
        "discounts": [{"discount": d, "amount": off} for d, off in totals.discounts],
    }


async def preview_update(
    uow: UnitOfWork, v: Visitor, subscription_id: str, price_id: str | None, quantity: int | None
) -> dict[str, Any]:
    """What the change costs before the customer confirms, from the code the change runs: the amount
    due today with its proration lines, and the next invoice's date and amount (or the date a
    change kept for the period's end takes effect)."""
    sub, item, new_price, target_quantity = await _checked_update(uow, v, subscription_id, price_id, quantity)
    configuration = await _configuration(uow, v)
    current_price = await uow.prices.get(v.ctx.scope, item.price_id)
    assert current_price is not None
    behavior, anchor_now, waits_until = await _terms(uow, v, configuration, item, new_price, target_quantity)
    change = [parse(ItemUpdateParams, {"id": item.id, "price": new_price.id, "quantity": target_quantity})]
    if waits_until is not None:
        review = await previews.review_change(uow, v.ctx, sub, change, behavior=ProrationBehavior.NONE)
        review = previews.ChangeReview(None, review.next)
    else:
        review = await previews.review_change(uow, v.ctx, sub, change, behavior=behavior, anchor_now=anchor_now)

    def side(price: Any, qty: int) -> dict[str, Any]:
        return {
            "price": price.id,
            "quantity": qty,
            "amount": price_amount(price, qty),
            "currency": price.currency,
            "interval": (price.recurring or {}).get("interval"),
        }

    return {
        "object": "billing_portal.update_preview",
        "subscription": sub.id,
        "current": side(current_price, item.quantity or 1),
        "new": side(new_price, target_quantity),
        "due_today": _invoice_summary(review.today) if review.today is not None else None,
        "next_invoice": _invoice_summary(review.next),
        "takes_effect": waits_until,
    }


async def update(
    uow: UnitOfWork, v: Visitor, subscription_id: str, price_id: str | None, quantity: int | None
) -> Subscription:
    """Switch plan or quantity within the configuration's options, billed as the configuration
    says (proration_behavior, billing_cycle_anchor), or kept for the period's end through a
    subscription schedule when its `schedule_at_period_end` conditions hold; one event (R18)."""
    sub, item, new_price, target_quantity = await _checked_update(uow, v, subscription_id, price_id, quantity)
    configuration = await _configuration(uow, v)
    feature = _feature(configuration, "subscription_update")
    behavior, anchor_now, waits_until = await _terms(uow, v, configuration, item, new_price, target_quantity)
    if waits_until is not None:
        locked = await locks.subscription(uow, v.ctx, sub.id)
        await schedule_service.schedule_change(uow, v.ctx, locked, [(item.id, new_price.id, target_quantity)])
        return locked
    ends_trial = sub.status == "trialing" and feature.get("trial_update_behavior", "end_trial") == "end_trial"
    confirm = ((v.session.flow or {}).get("subscription_update_confirm") or {}) if not v.flow_done else {}
    discounts = [{k: d[k] for k in ("coupon", "promotion_code") if d.get(k)} for d in confirm.get("discounts") or []]
    return await subscription_service.update(
        uow,
        v.ctx,
        sub.id,
        parse(
            SubscriptionUpdateParams,
            {
                "items": [{"id": item.id, "price": new_price.id, "quantity": target_quantity}],
                "proration_behavior": behavior.value,
                **({"billing_cycle_anchor": "now"} if anchor_now else {}),
                **({"trial_end": "now"} if ends_trial else {}),
                **({"discounts": discounts} if discounts else {}),
            },
        ),
    )


async def _discount_views(uow: UnitOfWork, v: Visitor, ids: list[str]) -> dict[str, dict[str, Any]]:
    """What the page says of each discount: its coupon's name and terms, and when it ends."""
    found = await uow.discounts.many(v.ctx.scope, ids)
    coupons = await uow.coupons.many(v.ctx.scope, [d.coupon_id for d in found.values()])
    views = {}
    for discount in found.values():
        coupon = coupons.get(discount.coupon_id)
        if coupon is None or discount.used:
            continue
        views[discount.id] = {
            "id": discount.id,
            "name": coupon.name or coupon.id,
            "percent_off": coupon.percent_off,
            "amount_off": coupon.amount_off,
            "currency": coupon.currency,
            "duration": coupon.duration,
            "end": discount.end,
        }
    return views


def _scheduled_change(schedule: Any, price_view: Any, prices: dict[str, Any]) -> dict[str, Any] | None:
    """The next phase of the subscription's schedule, as the page announces it."""
    if schedule is None or schedule.status != "active" or len(schedule.phases or []) < 2:
        return None
    nxt = schedule.phases[1]
    item = (nxt.get("items") or [{}])[0]
    if item.get("price") not in prices:
        return None
    return {"date": nxt["start_date"], "price": price_view(item["price"]), "quantity": item.get("quantity")}


async def _retention_offer(uow: UnitOfWork, v: Visitor) -> dict[str, Any] | None:
    flow = v.session.flow or {}
    offer = ((flow.get("subscription_cancel") or {}).get("retention") or {}).get("coupon_offer")
    if v.flow_done or not offer:
        return None
    coupon = await uow.coupons.get(v.ctx.scope, offer["coupon"])
    if coupon is None or coupon.deleted:
        return None
    return {
        "coupon": coupon.id,
        "name": coupon.name or coupon.id,
        "percent_off": coupon.percent_off,
        "amount_off": coupon.amount_off,
        "currency": coupon.currency,
        "duration": coupon.duration,
        "duration_in_months": coupon.duration_in_months,
    }


async def accept_offer(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """The cancel flow's retention offer, accepted: its coupon applies to the subscription, which
    stays (Stripe's `subscription_cancel` flow with `retention`)."""
    _check_flow(v, "accept_offer", subscription_id)
    flow = v.session.flow or {}
    offer = ((flow.get("subscription_cancel") or {}).get("retention") or {}).get("coupon_offer")
    if v.flow_done or not offer or (flow.get("subscription_cancel") or {}).get("subscription") != subscription_id:
        raise _refuse("no_retention_offer", "There is no offer for this subscription.")
    sub = await _own_subscription(uow, v, subscription_id)
    kept = [{"discount": d} for d in sub.discounts or []]
    return await subscription_service.update(
        uow,
        v.ctx,
        sub.id,
        parse(SubscriptionUpdateParams, {"discounts": [*kept, {"coupon": offer["coupon"]}]}),
    )


async def _require_payment_method_update(uow: UnitOfWork, v: Visitor) -> None:
    if not _feature(await _configuration(uow, v), "payment_method_update").get("enabled"):
        raise PermissionDenied(
            "Managing payment methods is not enabled in this portal.", code="portal_feature_disabled"
        )


async def add_payment_method(
    uow: UnitOfWork,
    v: Visitor,
    *,
    token: str | None = None,
    number: str | None = None,
    exp_month: int | None = None,
    exp_year: int | None = None,
) -> Any:
    """Add a card (test mode: Stripe's test cards and tokens) and make it the default, as Stripe's portal does."""
    _check_flow(v, "add_payment_method")
    await _require_payment_method_update(uow, v)
    if v.ctx.scope.livemode:
        raise InvalidRequest(
            "Adding cards in live mode needs a card tokenization service, which this service does not run.",
            code="feature_not_supported",
        )
    customer = await locks.customer(uow, v.ctx, v.customer_id)
    if token is not None:
        pm = await pm_service.resolve(uow, v.ctx, token, param="token")
    else:
        pm = await pm_service.create(
            uow,
            v.ctx,
            parse(
                PaymentMethodCreateParams,
                {"type": "card", "card": {"number": number, "exp_month": exp_month, "exp_year": exp_year}},
            ),
        )
    await pm_service.attach_to(uow, v.ctx, pm, customer)
    await customer_service.update(
        uow,
        v.ctx,
        customer.id,
        CustomerUpdateParams(invoice_settings=InvoiceSettingsParams(default_payment_method=pm.id)),
    )
    return pm


async def _own_payment_method(uow: UnitOfWork, v: Visitor, payment_method_id: str) -> Any:
    pm = await uow.payment_methods.get(v.ctx.scope, payment_method_id)
    if pm is None or pm.customer_id != v.customer_id:
        raise ResourceMissing("PaymentMethod", payment_method_id)
    return pm


async def set_default_payment_method(uow: UnitOfWork, v: Visitor, payment_method_id: str) -> Customer:
    _check_flow(v, "set_default_payment_method")
    await _require_payment_method_update(uow, v)
    await locks.customer(uow, v.ctx, v.customer_id)
    pm = await _own_payment_method(uow, v, payment_method_id)
    return await customer_service.update(
        uow,
        v.ctx,
        v.customer_id,
        CustomerUpdateParams(invoice_settings=InvoiceSettingsParams(default_payment_method=pm.id)),
    )


async def remove_payment_method(uow: UnitOfWork, v: Visitor, payment_method_id: str) -> Any:
    """Remove a method; R9 keeps the last one of a customer with an active subscription."""
    _check_flow(v, "remove_payment_method")
    await _require_payment_method_update(uow, v)
    pm = await _own_payment_method(uow, v, payment_method_id)
    return await pm_service.detach(uow, v.ctx, pm.id)


EDITABLE = ("email", "name", "phone", "address")


async def update_customer(uow: UnitOfWork, v: Visitor, fields: dict[str, Any]) -> Customer:
    """Update the details the configuration allows (customer_update.allowed_updates)."""
    _check_flow(v, "update_customer")
    configuration = await _configuration(uow, v)
    feature = _feature(configuration, "customer_update")
    allowed = set(feature.get("allowed_updates") or []) if feature.get("enabled") else set()
    for name in fields:
        if name not in allowed or name not in EDITABLE:
            raise PermissionDenied(f"Updating `{name}` is not enabled in this portal.", code="portal_feature_disabled")
    values: dict[str, Any] = {k: v_ for k, v_ in fields.items() if k != "address"}
    if "address" in fields:
        values["address"] = {k: x for k, x in fields["address"].items() if x}
    return await customer_service.update(uow, v.ctx, v.customer_id, parse(CustomerUpdateParams, values))


async def resume_collection(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """R17: only while the retired pause setting still governs resuming (until 2024-07-31)."""
    _check_flow(v, "resume_collection", subscription_id)
    configuration = await _configuration(uow, v)
    sub = await _own_subscription(uow, v, subscription_id)
    if not (await _offered(uow, v, configuration, sub))["resume_collection"]:
        raise _refuse("resume_not_available", "Resuming payments is not available in this portal.")
    return await subscription_service.update(uow, v.ctx, sub.id, SubscriptionUpdateParams(pause_collection=""))


async def pause_collection(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """R14/R17: the portal offered pausing only before 2024-03-29."""
    _check_flow(v, "pause_collection", subscription_id)
    configuration = await _configuration(uow, v)
    sub = await _own_subscription(uow, v, subscription_id)
    if not (await _offered(uow, v, configuration, sub))["pause_collection"]:
        raise _refuse("pause_not_available", "Pausing is not available in this portal.")
    return await subscription_service.update(
        uow, v.ctx, sub.id, SubscriptionUpdateParams(pause_collection=PauseCollectionParams(behavior="void"))
    )
