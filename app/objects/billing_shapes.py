"""OpenAPI shapes of the billing objects added with discounts and invoice items (what the
renderers in `discounts`, `invoice_items` and `balance_transactions` produce)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class CouponObject(BaseModel):
    id: str
    object: Literal["coupon"]
    amount_off: int | None = None
    applies_to: dict[str, Any] | None = None
    created: int | None = None
    currency: str | None = None
    deleted: bool | None = None
    duration: Literal["forever", "once", "repeating"] | None = None
    duration_in_months: int | None = None
    livemode: bool | None = None
    max_redemptions: int | None = None
    metadata: dict[str, str] | None = None
    name: str | None = None
    percent_off: float | None = None
    redeem_by: int | None = None
    times_redeemed: int | None = None
    valid: bool | None = None


class PromotionCodeObject(BaseModel):
    id: str
    object: Literal["promotion_code"]
    active: bool
    code: str
    created: int
    customer: str | dict[str, Any] | None
    expires_at: int | None
    livemode: bool
    max_redemptions: int | None
    metadata: dict[str, str]
    promotion: dict[str, Any]
    restrictions: dict[str, Any]
    times_redeemed: int


class DiscountObject(BaseModel):
    id: str
    object: Literal["discount"]
    deleted: bool | None = None
    customer: str | dict[str, Any] | None = None
    end: int | None = None
    invoice: str | None = None
    invoice_item: str | None = None
    promotion_code: str | dict[str, Any] | None = None
    source: dict[str, Any] | None = None
    start: int | None = None
    subscription: str | None = None


class InvoiceItemObject(BaseModel):
    id: str
    object: Literal["invoiceitem"]
    deleted: bool | None = None
    amount: int | None = None
    currency: str | None = None
    customer: str | dict[str, Any] | None = None
    date: int | None = None
    description: str | None = None
    discountable: bool | None = None
    discounts: list[Any] | None = None
    invoice: str | dict[str, Any] | None = None
    livemode: bool | None = None
    metadata: dict[str, str] | None = None
    parent: dict[str, Any] | None = None
    period: dict[str, int] | None = None
    pricing: dict[str, Any] | None = None
    proration: bool | None = None
    quantity: int | None = None


class InvoiceLineItemObject(BaseModel):
    id: str
    object: Literal["line_item"]
    amount: int
    currency: str
    description: str | None
    discount_amounts: list[dict[str, Any]]
    discountable: bool
    discounts: list[Any]
    invoice: str | None
    livemode: bool
    metadata: dict[str, str]
    parent: dict[str, Any] | None
    period: dict[str, int]
    pricing: dict[str, Any] | None
    quantity: int | None


class BalanceTransactionObject(BaseModel):
    id: str
    object: Literal["customer_balance_transaction"]
    amount: int
    created: int
    currency: str
    customer: str | dict[str, Any]
    description: str | None
    ending_balance: int
    invoice: str | dict[str, Any] | None
    livemode: bool
    metadata: dict[str, str]
    type: str


class TaxIdObject(BaseModel):
    id: str
    object: Literal["tax_id"]
    country: str | None = None
    created: int | None = None
    customer: str | dict[str, Any] | None = None
    customer_account: None = None
    deleted: bool | None = None
    livemode: bool | None = None
    owner: dict[str, Any] | None = None
    type: str | None = None
    value: str | None = None
    verification: dict[str, Any] | None = None
