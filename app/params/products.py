"""Parameters of /v1/products and /v1/prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.params.base import (
    Amount,
    Bool,
    Emptyable,
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

Currency = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")]
Interval = Literal["day", "week", "month", "year"]


Dimension = Annotated[float, Field(gt=0, le=1_000_000)]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://")]


class MarketingFeature(Params):
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]


class PackageDimensions(Params):
    height: Dimension
    length: Dimension
    weight: Dimension
    width: Dimension


class DefaultPriceRecurring(Params):
    interval: Interval
    interval_count: Int = Field(1, ge=1, le=365)


class DefaultPriceData(Params):
    currency: Currency
    unit_amount: Amount
    recurring: DefaultPriceRecurring | None = None
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None
    metadata: Metadata | None = None


ProductId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class ProductCreateParams(ExpandParams):
    name: Str
    id: ProductId | None = None
    type: Literal["good", "service"] | None = None
    active: Bool | None = None
    description: Str | None = None
    metadata: Emptyable[Metadata] | None = None
    images: list[Url] | None = Field(None, max_length=8)
    marketing_features: list[MarketingFeature] | None = Field(None, max_length=15)
    package_dimensions: PackageDimensions | None = None
    shippable: Bool | None = None
    statement_descriptor: Annotated[str, StringConstraints(max_length=22)] | None = None
    unit_label: Annotated[str, StringConstraints(max_length=12)] | None = None
    url: Url | None = None
    default_price_data: DefaultPriceData | None = None


class ProductUpdateParams(ExpandParams):
    name: Str | None = None
    active: Bool | None = None
    description: Emptyable[Str] | None = None
    default_price: Id | None = None
    metadata: Emptyable[Metadata] | None = None
    images: Emptyable[list[Url]] | None = Field(None, max_length=8)
    marketing_features: Emptyable[list[MarketingFeature]] | None = Field(None, max_length=15)
    package_dimensions: Emptyable[PackageDimensions] | None = None
    shippable: Bool | None = None
    statement_descriptor: Emptyable[Annotated[str, StringConstraints(max_length=22)]] | None = None
    unit_label: Emptyable[Annotated[str, StringConstraints(max_length=12)]] | None = None
    url: Emptyable[Url] | None = None


class ProductListParams(ListParams):
    active: Bool | None = None
    ids: list[Id] | None = Field(None, max_length=100)
    shippable: Bool | None = None
    type: Literal["good", "service"] | None = None
    url: Str | None = None
    created: Timestamp | RangeFilter | None = None


class RecurringParams(Params):
    interval: Interval
    interval_count: Int = Field(1, ge=1, le=365)
    usage_type: Literal["licensed", "metered"] = "licensed"
    trial_period_days: Int | None = Field(None, ge=1, le=730)
    meter: Id | None = None


class TierParams(Params):
    up_to: Literal["inf"] | int
    unit_amount: Amount | None = None
    flat_amount: Amount | None = None


class TransformQuantityParams(Params):
    divide_by: Int = Field(ge=1, le=1_000_000_000)
    round: Literal["down", "up"]


class ProductDataParams(Params):
    """`product_data`: the product made with the price."""

    name: Str
    active: Bool | None = None
    metadata: Metadata | None = None
    statement_descriptor: Annotated[str, StringConstraints(max_length=22)] | None = None
    unit_label: Annotated[str, StringConstraints(max_length=12)] | None = None


class PriceCreateParams(ExpandParams):
    currency: Currency
    product: Id | None = None
    product_data: ProductDataParams | None = None
    unit_amount: Amount | None = None
    unit_amount_decimal: Decimal | None = None
    transform_quantity: TransformQuantityParams | None = None
    active: Bool | None = None
    billing_scheme: Literal["per_unit", "tiered"] = "per_unit"
    tiers: list[TierParams] | None = Field(None, max_length=250)
    tiers_mode: Literal["graduated", "volume"] | None = None
    recurring: RecurringParams | None = None
    lookup_key: Annotated[str, StringConstraints(max_length=200)] | None = None
    transfer_lookup_key: Bool | None = None
    nickname: Str | None = None
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None
    metadata: Emptyable[Metadata] | None = None


class PriceUpdateParams(ExpandParams):
    active: Bool | None = None
    lookup_key: Annotated[str, StringConstraints(max_length=200)] | None = None
    transfer_lookup_key: Bool | None = None
    nickname: Emptyable[Str] | None = None
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None
    metadata: Emptyable[Metadata] | None = None


class RecurringFilter(Params):
    interval: Interval | None = None
    usage_type: Literal["licensed", "metered"] | None = None


class PriceListParams(ListParams):
    active: Bool | None = None
    product: Id | None = None
    type: Literal["one_time", "recurring"] | None = None
    currency: Currency | None = None
    recurring: RecurringFilter | None = None
    lookup_keys: list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(None, max_length=10)
    created: Timestamp | RangeFilter | None = None
