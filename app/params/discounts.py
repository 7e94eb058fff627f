"""Parameters of /v1/coupons, /v1/promotion_codes, and the `discounts` every billing object takes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.params.base import (
    Amount,
    Bool,
    ExpandParams,
    Id,
    Int,
    ListParams,
    Metadata,
    Params,
    RangeFilter,
    Str,
    Timestamp,
)

CouponId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[A-Za-z0-9_-]+$")]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3, to_lower=True)]


class DiscountParam(Params):
    """One of `discounts[N]`: an existing discount, a coupon, or a promotion code to redeem."""

    coupon: Id | None = None
    discount: Id | None = None
    promotion_code: Id | None = None


class AppliesToParams(Params):
    products: list[Id] = Field(max_length=100)


class CouponCreateParams(ExpandParams):
    id: CouponId | None = None
    name: Annotated[str, StringConstraints(max_length=40)] | None = None
    percent_off: Decimal | None = Field(None, gt=0, le=100, decimal_places=2)
    amount_off: Amount | None = Field(None, gt=0)
    currency: Currency | None = None
    duration: Literal["forever", "once", "repeating"] | None = None
    duration_in_months: Int | None = Field(None, ge=1, le=120)
    max_redemptions: Int | None = Field(None, ge=1, le=1_000_000_000)
    redeem_by: Timestamp | None = None
    applies_to: AppliesToParams | None = None
    metadata: Metadata | None = None


class CouponUpdateParams(ExpandParams):
    name: Annotated[str, StringConstraints(max_length=40)] | Literal[""] | None = None
    metadata: Metadata | Literal[""] | None = None


class CouponListParams(ListParams):
    created: Timestamp | RangeFilter | None = None


class PromotionParams(Params):
    coupon: Id
    type: Literal["coupon"]


class RestrictionsParams(Params):
    first_time_transaction: Bool | None = None
    minimum_amount: Amount | None = None
    minimum_amount_currency: Currency | None = None


class PromotionCodeCreateParams(ExpandParams):
    promotion: PromotionParams
    code: Code | None = None
    active: Bool | None = None
    customer: Id | None = None
    expires_at: Timestamp | None = None
    max_redemptions: Int | None = Field(None, ge=1, le=1_000_000_000)
    restrictions: RestrictionsParams | None = None
    metadata: Metadata | None = None


class PromotionCodeUpdateParams(ExpandParams):
    active: Bool | None = None
    metadata: Metadata | Literal[""] | None = None


class PromotionCodeListParams(ListParams):
    active: Bool | None = None
    code: Str | None = None
    coupon: Id | None = None
    customer: Id | None = None
    created: Timestamp | RangeFilter | None = None
