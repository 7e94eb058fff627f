"""What a customer does to a subscription in the portal (R4, R5, R14, R17, R18): cancel, renew,
change plan or quantity (with its review first), pause and resume.

Every action goes through the same services as the merchant API, so it checks the same rules and
records the same events (each subscription change: one `customer.subscription.updated`, R18), and
refuses what `offers.subscription_actions` does not offer. There is deliberately no way to create
a subscription here (R3).
"""

from __future__ import annotations

from typing import Any

from app.domain.subscription_changes import ProrationBehavior, waits_for_period_end
from app.errors import InvalidRequest, ResourceMissing
from app.params.parsing import parse
from app.params.subscriptions import (
    CancellationDetailsParams,
    ItemUpdateParams,
    PauseCollectionParams,
    SubscriptionCancelParams,
    SubscriptionUpdateParams,
)
from app.services import invoice_lines, locks, previews, updatability
from app.services import schedules as schedule_service
from app.services import subscriptions as subscription_service
from app.services.portal.flows import check_flow
from app.services.portal.offers import offered
from app.services.portal.views import CancelReview, InvoiceSummary, LineView, SideView, UpdatePreview
from app.services.portal.visitor import (
    HIDDEN_STATUSES,
    Visitor,
    assessment,
    configuration,
    feature,
    own_subscription,
    refuse,
)
from app.services.pricing import price_amount, priced
from app.store.models import PortalConfiguration, Subscription, SubscriptionItem
from app.store.uow import UnitOfWork


async def _cancelable(uow: UnitOfWork, v: Visitor, subscription_id: str) -> tuple[PortalConfiguration, Subscription]:
    check_flow(v, "cancel", subscription_id)
    config = await configuration(uow, v)
    sub = await own_subscription(uow, v, subscription_id)
    if not (await offered(uow, v, config, sub)).cancel:
        judged = await assessment(uow, v, config, sub)
        reasons = "; ".join(x.message for x in judged.limitations)
        if sub.status in HIDDEN_STATUSES:
            reasons = "it has already ended"
        elif sub.cancel_at_period_end:
            reasons = "it is already set to cancel at the end of the period"
        raise refuse("subscription_not_cancelable", "This subscription cannot be canceled here: " + reasons)
    return config, sub


async def review_cancel(uow: UnitOfWork, v: Visitor, subscription_id: str) -> CancelReview:
    """What canceling does, before the customer confirms: when it ends, and whether the unused
    time is credited (an immediate cancel with `proration_behavior=create_prorations`)."""
    config, sub = await _cancelable(uow, v, subscription_id)
    cancel_feature = feature(config, "subscription_cancel")
    items = (await uow.subscription_items.for_subscriptions(v.ctx.scope, [sub.id])).get(sub.id, [])
    period_end = items[0].current_period_end if items else None
    immediately = cancel_feature.get("mode") == "immediately"
    return CancelReview(
        subscription=sub.id,
        immediately=immediately,
        ends_at=v.ctx.now() if immediately else period_end,
        prorated=immediately and cancel_feature.get("proration_behavior") == "create_prorations",
    )


async def cancel(
    uow: UnitOfWork, v: Visitor, subscription_id: str, *, reason: str | None = None, comment: str | None = None
) -> Subscription:
    """Cancel as the configuration says: at period end (undoable) or immediately, with the survey's answer."""
    config, sub = await _cancelable(uow, v, subscription_id)
    cancel_feature = feature(config, "subscription_cancel")
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
    check_flow(v, "renew", subscription_id)
    config = await configuration(uow, v)
    sub = await own_subscription(uow, v, subscription_id)
    if not (await offered(uow, v, config, sub)).renew:
        raise refuse("subscription_not_renewable", "This subscription is not set to cancel, or cannot be renewed here.")
    return await subscription_service.update(uow, v.ctx, sub.id, SubscriptionUpdateParams(cancel_at_period_end=False))


async def _checked_update(
    uow: UnitOfWork, v: Visitor, subscription_id: str, price_id: str | None, quantity: int | None
) -> tuple[Subscription, SubscriptionItem, Any, int]:
    """Validate a plan change against R4 and the configuration; the current item, new price and quantity."""
    check_flow(v, "update", subscription_id)
    config = await configuration(uow, v)
    sub = await own_subscription(uow, v, subscription_id)
    if not (await offered(uow, v, config, sub)).update:
        judged = await assessment(uow, v, config, sub)
        raise refuse(
            judged.codes[0] if judged.codes else "subscription_not_updatable",
            "This subscription cannot be updated here: "
            + ("; ".join(x.message for x in judged.limitations) or "updates are not enabled."),
        )
    item = (await uow.subscription_items.for_subscriptions(v.ctx.scope, [sub.id]))[sub.id][0]
    update_feature = feature(config, "subscription_update")
    allowed = set(update_feature.get("default_allowed_updates") or [])
    target_price_id = price_id or item.price_id
    if target_price_id != item.price_id and "price" not in allowed:
        raise refuse("update_not_allowed", "Switching plans is not enabled.", "price")
    if target_price_id not in updatability.offered_prices(config):
        raise refuse("price_not_in_configuration", "That plan is not offered.", "price")
    new_price = await uow.prices.get(v.ctx.scope, target_price_id)
    if new_price is None:
        raise ResourceMissing("price", target_price_id, param="price")
    target_quantity = item.quantity or 1 if quantity is None else quantity
    if target_quantity != (item.quantity or 1):
        product: dict[str, Any] = next(
            (p for p in update_feature.get("products") or [] if target_price_id in p.get("prices", [])), {}
        )
        bounds = product.get("adjustable_quantity") or {}
        if "quantity" not in allowed and not bounds.get("enabled"):
            raise refuse("update_not_allowed", "Changing the quantity is not enabled.", "quantity")
        low, high = int(bounds.get("minimum") or 1), bounds.get("maximum")
        if target_quantity < low or (high is not None and target_quantity > int(high)):
            raise refuse(
                "quantity_out_of_bounds",
                f"The quantity must be between {low} and {high if high is not None else 'any'}.",
                "quantity",
            )
    if target_price_id == item.price_id and target_quantity == (item.quantity or 1):
        raise refuse("no_change", "Choose a different plan or quantity.", "price")
    return sub, item, new_price, target_quantity


async def _terms(
    uow: UnitOfWork, v: Visitor, config: PortalConfiguration, item: SubscriptionItem, new_price: Any, quantity: int
) -> tuple[ProrationBehavior, bool, int | None]:
    """How the configuration bills a portal change: its proration_behavior, whether the billing
    cycle restarts (`billing_cycle_anchor=now`), and when the change waits for the period's end
    (`schedule_at_period_end` conditions met: the date it takes effect)."""
    update_feature = feature(config, "subscription_update")
    behavior = ProrationBehavior(update_feature.get("proration_behavior") or "none")
    anchor_now = update_feature.get("billing_cycle_anchor") == "now"
    conditions = [c.get("type") for c in (update_feature.get("schedule_at_period_end") or {}).get("conditions") or []]
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


def _summary(invoice: Any) -> InvoiceSummary:
    totals = invoice_lines.totals(invoice)
    return InvoiceSummary(
        amount_due=totals.amount_due,
        total=totals.total,
        currency=invoice.currency,
        date=invoice.created,
        lines=[
            LineView(
                description=line.get("description"),
                amount=line.get("amount") or 0,
                proration=bool(
                    ((line.get("parent") or {}).get("subscription_item_details") or {}).get("proration")
                    or ((line.get("parent") or {}).get("invoice_item_details") or {}).get("proration")
                ),
                period=line.get("period"),
            )
            for line in invoice.lines or []
        ],
        discounts=[{"discount": d, "amount": off} for d, off in totals.discounts],
    )


async def preview_update(
    uow: UnitOfWork, v: Visitor, subscription_id: str, price_id: str | None, quantity: int | None
) -> UpdatePreview:
    """What the change costs before the customer confirms, from the code the change runs: the amount
    due today with its proration lines, and the next invoice's date and amount (or the date a
    change kept for the period's end takes effect)."""
    sub, item, new_price, target_quantity = await _checked_update(uow, v, subscription_id, price_id, quantity)
    config = await configuration(uow, v)
    current_price = await uow.prices.get(v.ctx.scope, item.price_id)
    assert current_price is not None
    behavior, anchor_now, waits_until = await _terms(uow, v, config, item, new_price, target_quantity)
    change = [parse(ItemUpdateParams, {"id": item.id, "price": new_price.id, "quantity": target_quantity})]
    if waits_until is not None:
        review = await previews.review_change(uow, v.ctx, sub, change, behavior=ProrationBehavior.NONE)
        review = previews.ChangeReview(None, review.next)
    else:
        review = await previews.review_change(uow, v.ctx, sub, change, behavior=behavior, anchor_now=anchor_now)

    def side(price: Any, qty: int) -> SideView:
        return SideView(
            price=price.id,
            quantity=qty,
            amount=price_amount(price, qty),
            currency=price.currency,
            interval=(price.recurring or {}).get("interval"),
        )

    return UpdatePreview(
        subscription=sub.id,
        current=side(current_price, item.quantity or 1),
        new=side(new_price, target_quantity),
        due_today=_summary(review.today) if review.today is not None else None,
        next_invoice=_summary(review.next),
        takes_effect=waits_until,
    )


async def update(
    uow: UnitOfWork, v: Visitor, subscription_id: str, price_id: str | None, quantity: int | None
) -> Subscription:
    """Switch plan or quantity within the configuration's options, billed as the configuration
    says (proration_behavior, billing_cycle_anchor), or kept for the period's end through a
    subscription schedule when its `schedule_at_period_end` conditions hold; one event (R18)."""
    sub, item, new_price, target_quantity = await _checked_update(uow, v, subscription_id, price_id, quantity)
    config = await configuration(uow, v)
    update_feature = feature(config, "subscription_update")
    behavior, anchor_now, waits_until = await _terms(uow, v, config, item, new_price, target_quantity)
    if waits_until is not None:
        locked = await locks.subscription(uow, v.ctx, sub.id)
        await schedule_service.schedule_change(uow, v.ctx, locked, [(item.id, new_price.id, target_quantity)])
        return locked
    ends_trial = sub.status == "trialing" and update_feature.get("trial_update_behavior", "end_trial") == "end_trial"
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


async def resume_collection(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """R17: only while the retired pause setting still governs resuming (until 2024-07-31)."""
    check_flow(v, "resume_collection", subscription_id)
    config = await configuration(uow, v)
    sub = await own_subscription(uow, v, subscription_id)
    if not (await offered(uow, v, config, sub)).resume_collection:
        raise refuse("resume_not_available", "Resuming payments is not available in this portal.")
    return await subscription_service.update(uow, v.ctx, sub.id, SubscriptionUpdateParams(pause_collection=""))


async def pause_collection(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """R14/R17: the portal offered pausing only before 2024-03-29."""
    check_flow(v, "pause_collection", subscription_id)
    config = await configuration(uow, v)
    sub = await own_subscription(uow, v, subscription_id)
    if not (await offered(uow, v, config, sub)).pause_collection:
        raise refuse("pause_not_available", "Pausing is not available in this portal.")
    return await subscription_service.update(
        uow, v.ctx, sub.id, SubscriptionUpdateParams(pause_collection=PauseCollectionParams(behavior="void"))
    )
