"""Parameters of /v1/invoiceitems."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from app.params.base import (
    Amount,
    Bool,
    Emptyable,
    ExpandParams,
    Id,
    ListParams,
    Metadata,
    Params,
    Quantity,
    RangeFilter,
    SignedAmount,
    Str,
    Timestamp,
)
from app.params.discounts import Currency, DiscountParam


class PeriodParams(Params):
    start: Timestamp
    end: Timestamp


class ItemPricingParams(Params):
    price: Id


class ItemPriceDataParams(Params):
    """`price_data`: a one-time price made for this item."""

    currency: Currency
    product: Id
    unit_amount: Amount | None = None
    unit_amount_decimal: Decimal | None = None
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None


class _Amounts(ExpandParams):
    """The older ways of pricing an item, as whole numbers here (amounts are exact integers)."""

    price_data: ItemPriceDataParams | None = None
    unit_amount_decimal: Decimal | None = None
    quantity_decimal: Decimal | None = None


class InvoiceItemCreateParams(_Amounts):
    customer: Id
    amount: SignedAmount | None = None
    currency: Currency | None = None
    description: Str | None = None
    discountable: Bool | None = None
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    invoice: Id | None = None
    metadata: Emptyable[Metadata] | None = None
    period: PeriodParams | None = None
    pricing: ItemPricingParams | None = None
    quantity: Quantity | None = Field(None, ge=1)
    subscription: Id | None = None


class InvoiceItemUpdateParams(_Amounts):
    amount: SignedAmount | None = None
    description: Emptyable[Str] | None = None
    discountable: Bool | None = None
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    metadata: Emptyable[Metadata] | None = None
    period: PeriodParams | None = None
    pricing: ItemPricingParams | None = None
    quantity: Quantity | None = Field(None, ge=1)


class InvoiceItemListParams(ListParams):
    customer: Id | None = None
    invoice: Id | None = None
    pending: Bool | None = None
    created: Timestamp | RangeFilter | None = None
