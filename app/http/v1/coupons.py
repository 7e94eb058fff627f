"""/v1/coupons and /v1/promotion_codes."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.billing_shapes import BalanceTransactionObject, CouponObject, DiscountObject, PromotionCodeObject
from app.params.base import ExpandParams, ListParams, RetrieveParams
from app.params.discounts import (
    CouponCreateParams,
    CouponListParams,
    CouponUpdateParams,
    PromotionCodeCreateParams,
    PromotionCodeListParams,
    PromotionCodeUpdateParams,
)
from app.services import discounts as discount_service

router = APIRouter(tags=["coupons"])


class CouponDeleteParams(ExpandParams):
    pass


@router.post("/v1/coupons", **documented(CouponObject, CouponCreateParams))
async def create_coupon(call: Call) -> Response:
    """Create a coupon: `percent_off` or `amount_off` with `currency`, for a `duration`."""
    p = call.parse(CouponCreateParams)
    return await call.write(lambda uow: discount_service.create_coupon(uow, call.ctx, p), "coupon", expand=p.expand)


@router.get("/v1/coupons", **documented(CouponObject, CouponListParams, is_list=True))
async def list_coupons(call: Call) -> Response:
    """List coupons, newest first."""
    p = call.parse(CouponListParams)
    return await call.read(
        lambda uow: discount_service.list_coupons(uow, call.ctx, p), "coupon", expand=p.expand, url="/v1/coupons"
    )


@router.get("/v1/coupons/{coupon}", **documented(CouponObject, RetrieveParams))
async def retrieve_coupon(coupon: str, call: Call) -> Response:
    """Retrieve a coupon."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: discount_service.get_coupon(uow, call.ctx, coupon), "coupon", expand=p.expand)


@router.post("/v1/coupons/{coupon}", **documented(CouponObject, CouponUpdateParams))
async def update_coupon(coupon: str, call: Call) -> Response:
    """Update a coupon's name or metadata (its terms cannot change)."""
    p = call.parse(CouponUpdateParams)
    return await call.write(
        lambda uow: discount_service.update_coupon(uow, call.ctx, coupon, p), "coupon", expand=p.expand
    )


@router.delete("/v1/coupons/{coupon}", **documented(CouponObject, CouponDeleteParams))
async def delete_coupon(coupon: str, call: Call) -> Response:
    """Delete a coupon: it can no longer be redeemed; existing discounts stay."""
    call.parse(CouponDeleteParams)
    return await call.write(lambda uow: discount_service.delete_coupon(uow, call.ctx, coupon), "coupon")


@router.post("/v1/promotion_codes", **documented(PromotionCodeObject, PromotionCodeCreateParams))
async def create_promotion_code(call: Call) -> Response:
    """Create a promotion code for a coupon, with its own limits and restrictions."""
    p = call.parse(PromotionCodeCreateParams)
    return await call.write(
        lambda uow: discount_service.create_promotion_code(uow, call.ctx, p), "promotion_code", expand=p.expand
    )


@router.get("/v1/promotion_codes", **documented(PromotionCodeObject, PromotionCodeListParams, is_list=True))
async def list_promotion_codes(call: Call) -> Response:
    """List promotion codes, newest first; filter by `active`, `code`, `coupon`, `customer`."""
    p = call.parse(PromotionCodeListParams)
    return await call.read(
        lambda uow: discount_service.list_promotion_codes(uow, call.ctx, p),
        "promotion_code",
        expand=p.expand,
        url="/v1/promotion_codes",
    )


@router.get("/v1/promotion_codes/{promotion_code}", **documented(PromotionCodeObject, RetrieveParams))
async def retrieve_promotion_code(promotion_code: str, call: Call) -> Response:
    """Retrieve a promotion code."""
    p = call.parse(RetrieveParams)
    return await call.read(
        lambda uow: discount_service.get_promotion_code(uow, call.ctx, promotion_code),
        "promotion_code",
        expand=p.expand,
    )


@router.post("/v1/promotion_codes/{promotion_code}", **documented(PromotionCodeObject, PromotionCodeUpdateParams))
async def update_promotion_code(promotion_code: str, call: Call) -> Response:
    """Activate or deactivate a promotion code, or change its metadata."""
    p = call.parse(PromotionCodeUpdateParams)
    return await call.write(
        lambda uow: discount_service.update_promotion_code(uow, call.ctx, promotion_code, p),
        "promotion_code",
        expand=p.expand,
    )


class BalanceTransactionListParams(ListParams):
    pass


@router.get(
    "/v1/customers/{customer}/balance_transactions",
    **documented(BalanceTransactionObject, BalanceTransactionListParams, is_list=True),
)
async def list_balance_transactions(customer: str, call: Call) -> Response:
    """A customer's balance transactions, newest first (credits from downgrades, amounts applied to invoices)."""
    p = call.parse(BalanceTransactionListParams)
    return await call.read(
        lambda uow: discount_service.balance_transactions(uow, call.ctx, customer, p),
        "customer_balance_transaction",
        expand=p.expand,
        url=f"/v1/customers/{customer}/balance_transactions",
    )


@router.delete("/v1/customers/{customer}/discount", **documented(DiscountObject, CouponDeleteParams))
async def delete_customer_discount(customer: str, call: Call) -> Response:
    """Remove the customer's discount: it no longer applies to new invoices."""
    call.parse(CouponDeleteParams)
    return await call.write(lambda uow: discount_service.remove_customer_discount(uow, call.ctx, customer), "discount")


@router.delete("/v1/subscriptions/{subscription}/discount", **documented(DiscountObject, CouponDeleteParams))
async def delete_subscription_discount(subscription: str, call: Call) -> Response:
    """Remove the subscription's discounts: they no longer apply to its new invoices."""
    call.parse(CouponDeleteParams)
    return await call.write(
        lambda uow: discount_service.remove_subscription_discount(uow, call.ctx, subscription), "discount"
    )
