"""The `coupon`, `promotion_code` and `discount` objects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.objects.registry import ObjectType, register
from app.scope import Scope
from app.store.models import Coupon, Discount, PromotionCode
from app.store.uow import UnitOfWork


def coupon_valid(coupon: Coupon, now: int) -> bool:
    """Whether the coupon can still be redeemed (Stripe's `valid`)."""
    if coupon.deleted or (coupon.redeem_by is not None and coupon.redeem_by <= now):
        return False
    return coupon.max_redemptions is None or coupon.times_redeemed < coupon.max_redemptions


def _percent(value: str | None) -> float | int | None:
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def render_coupon(coupon: Coupon, now: int) -> dict[str, Any]:
    if coupon.deleted:
        return {"id": coupon.id, "object": "coupon", "deleted": True}
    body: dict[str, Any] = {
        "id": coupon.id,
        "object": "coupon",
        "amount_off": coupon.amount_off,
        "created": coupon.created,
        "currency": coupon.currency,
        "duration": coupon.duration,
        "duration_in_months": coupon.duration_in_months,
        "livemode": coupon.livemode,
        "max_redemptions": coupon.max_redemptions,
        "metadata": dict(coupon.metadata_ or {}),
        "name": coupon.name,
        "percent_off": _percent(coupon.percent_off),
        "redeem_by": coupon.redeem_by,
        "times_redeemed": coupon.times_redeemed,
        "valid": coupon_valid(coupon, now),
    }
    if coupon.applies_to_products is not None:
        # Optional in Stripe's definition: present when the coupon is limited to products.
        body["applies_to"] = {"products": list(coupon.applies_to_products)}
    return body


def render_promotion_code(promo: PromotionCode, coupon: Coupon | None, now: int) -> dict[str, Any]:
    restrictions = promo.restrictions or {}
    return {
        "id": promo.id,
        "object": "promotion_code",
        "active": promo.active,
        "code": promo.code,
        "created": promo.created,
        "customer": promo.customer_id,
        "customer_account": None,
        "expires_at": promo.expires_at,
        "livemode": promo.livemode,
        "max_redemptions": promo.max_redemptions,
        "metadata": dict(promo.metadata_ or {}),
        "promotion": {"coupon": render_coupon(coupon, now) if coupon else promo.coupon_id, "type": "coupon"},
        "restrictions": {
            "currency_options": {},
            "first_time_transaction": bool(restrictions.get("first_time_transaction", False)),
            "minimum_amount": restrictions.get("minimum_amount"),
            "minimum_amount_currency": restrictions.get("minimum_amount_currency"),
        },
        "times_redeemed": promo.times_redeemed,
    }


def render_discount(discount: Discount, coupon: Coupon | None, now: int) -> dict[str, Any]:
    return {
        "id": discount.id,
        "object": "discount",
        "checkout_session": None,
        "customer": discount.customer_id,
        "customer_account": None,
        "end": discount.end,
        "invoice": discount.invoice_id,
        "invoice_item": discount.invoice_item_id,
        "promotion_code": discount.promotion_code_id,
        "source": {"coupon": render_coupon(coupon, now) if coupon else discount.coupon_id, "type": "coupon"},
        "start": discount.start,
        "subscription": discount.subscription_id,
        "subscription_item": None,
    }


async def render_promotion_codes(uow: UnitOfWork, scope: Scope, promos: list[PromotionCode]) -> list[dict[str, Any]]:
    coupons = await uow.coupons.many(scope, [p.coupon_id for p in promos])
    now = int(uow.clock.now().timestamp())
    return [render_promotion_code(p, coupons.get(p.coupon_id), now) for p in promos]


async def render_discounts(uow: UnitOfWork, scope: Scope, discounts: list[Discount]) -> list[dict[str, Any]]:
    coupons = await uow.coupons.many(scope, [d.coupon_id for d in discounts])
    now = int(uow.clock.now().timestamp())
    return [render_discount(d, coupons.get(d.coupon_id), now) for d in discounts]


async def render_coupons(uow: UnitOfWork, _scope: Scope, coupons: list[Coupon]) -> list[dict[str, Any]]:
    now = int(uow.clock.now().timestamp())
    return [render_coupon(c, now) for c in coupons]


async def _coupon(uow: UnitOfWork, scope: Scope, object_id: str) -> Coupon | None:
    return await uow.coupons.get(scope, object_id)


async def _promotion_code(uow: UnitOfWork, scope: Scope, object_id: str) -> PromotionCode | None:
    return await uow.promotion_codes.get(scope, object_id)


async def _discount(uow: UnitOfWork, scope: Scope, object_id: str) -> Discount | None:
    return await uow.discounts.get(scope, object_id)


COUPON = register(ObjectType(name="coupon", model=Coupon, render_many=render_coupons, loader=_coupon))
PROMOTION_CODE = register(
    ObjectType(
        name="promotion_code",
        model=PromotionCode,
        render_many=render_promotion_codes,
        loader=_promotion_code,
        expandable={"customer": "customer", "promotion.coupon": "coupon"},
    )
)
DISCOUNT = register(
    ObjectType(
        name="discount",
        model=Discount,
        render_many=render_discounts,
        loader=_discount,
        expandable={"customer": "customer", "promotion_code": "promotion_code", "source.coupon": "coupon"},
    )
)
