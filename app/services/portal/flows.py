"""Deep-link flows (`flow_data`): what each allows until it is done, and the cancel flow's
retention offer."""

from __future__ import annotations

from app.errors import PermissionDenied
from app.params.parsing import parse
from app.params.subscriptions import SubscriptionUpdateParams
from app.services import subscriptions as subscription_service
from app.services.portal.views import OfferView
from app.services.portal.visitor import Visitor, own_subscription, refuse
from app.store.models import Subscription
from app.store.uow import UnitOfWork

SUBSCRIPTION_ACTIONS = ("update", "cancel", "renew", "pause_collection", "resume_collection")
PAYMENT_METHOD_ACTIONS = ("add_payment_method", "set_default_payment_method", "remove_payment_method")
# What each deep-link flow allows until it is done (Stripe's flow types).
FLOW_ACTIONS: dict[str, tuple[str, ...]] = {
    "payment_method_update": PAYMENT_METHOD_ACTIONS,
    "subscription_cancel": ("cancel", "accept_offer"),
    "subscription_update": ("update",),
    "subscription_update_confirm": ("update",),
    "customer_update": ("update_customer",),
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


def check_flow(v: Visitor, action: str, subscription_id: str | None = None) -> None:
    if not allowed_by_flow(v, action, subscription_id):
        raise PermissionDenied(
            f"This portal session was created for the `{v.session.flow.get('type') if v.session.flow else ''}` "
            "flow; other actions are available once it is complete.",
            code="portal_flow_restricted",
        )


async def retention_offer(uow: UnitOfWork, v: Visitor) -> OfferView | None:
    """The cancel flow's coupon offer, while the flow is not done and the coupon still exists."""
    flow = v.session.flow or {}
    offer = ((flow.get("subscription_cancel") or {}).get("retention") or {}).get("coupon_offer")
    if v.flow_done or not offer:
        return None
    coupon = await uow.coupons.get(v.ctx.scope, offer["coupon"])
    if coupon is None or coupon.deleted:
        return None
    return OfferView(coupon=coupon.id, duration_in_months=coupon.duration_in_months, **OfferView.of(coupon))


async def accept_offer(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """The cancel flow's retention offer, accepted: its coupon applies to the subscription, which
    stays (Stripe's `subscription_cancel` flow with `retention`)."""
    check_flow(v, "accept_offer", subscription_id)
    flow = v.session.flow or {}
    offer = ((flow.get("subscription_cancel") or {}).get("retention") or {}).get("coupon_offer")
    if v.flow_done or not offer or (flow.get("subscription_cancel") or {}).get("subscription") != subscription_id:
        raise refuse("no_retention_offer", "There is no offer for this subscription.")
    sub = await own_subscription(uow, v, subscription_id)
    kept = [{"discount": d} for d in sub.discounts or []]
    return await subscription_service.update(
        uow,
        v.ctx,
        sub.id,
        parse(SubscriptionUpdateParams, {"discounts": [*kept, {"coupon": offer["coupon"]}]}),
    )
