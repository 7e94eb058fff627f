"""Parameters of /v1/customers (stripe-python `CustomerCreateParams`, ...)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from app.params.base import (
    Emptyable,
    ExpandParams,
    Id,
    Int,
    ListParams,
    Metadata,
    Params,
    RangeFilter,
    SignedAmount,
    Str,
    Timestamp,
)
from app.params.tax_ids import TaxIdData


def _check_email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in value):
        raise PydanticCustomError("email_invalid", "Invalid email address: {email}", {"email": value})
    return value


Name150 = Annotated[str, StringConstraints(max_length=150)]
TaxExempt = Literal["none", "exempt", "reverse"]
# Stripe's rule: 3 to 12 upper-case letters or digits.
InvoicePrefix = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,12}$")]
Email = Annotated[str, StringConstraints(max_length=512), AfterValidator(_check_email)]
Locale = Annotated[str, StringConstraints(min_length=2, max_length=16)]


class AddressParams(Params):
    city: Str | None = None
    country: Str | None = None
    line1: Str | None = None
    line2: Str | None = None
    postal_code: Str | None = None
    state: Str | None = None


class ShippingParams(Params):
    address: AddressParams
    name: Str
    phone: Str | None = None


class InvoiceSettingsParams(Params):
    default_payment_method: Emptyable[Str] | None = None
    footer: Emptyable[Str] | None = None


class CustomerCreateParams(ExpandParams):
    test_clock: Id | None = None
    next_invoice_sequence: Int | None = Field(None, ge=1, le=1_000_000_000)
    tax_id_data: list[TaxIdData] | None = Field(None, max_length=5)
    business_name: Name150 | None = None
    individual_name: Name150 | None = None
    tax_exempt: TaxExempt | None = None
    invoice_prefix: InvoicePrefix | None = None
    coupon: Id | None = Field(
        None, description="Extension (Stripe's parameter before 2025): a coupon redeemed into the customer's discount."
    )
    promotion_code: Id | None = Field(
        None, description="Extension (Stripe's parameter before 2025): a promotion code redeemed into the discount."
    )
    address: Emptyable[AddressParams] | None = None
    balance: SignedAmount | None = None
    description: Str | None = None
    email: Email | None = None
    invoice_settings: InvoiceSettingsParams | None = None
    metadata: Emptyable[Metadata] | None = None
    name: Annotated[str, StringConstraints(max_length=256)] | None = None
    payment_method: Str | None = None
    phone: Annotated[str, StringConstraints(max_length=20)] | None = None
    preferred_locales: list[Locale] | None = Field(None, max_length=10)
    shipping: Emptyable[ShippingParams] | None = None


class CustomerUpdateParams(ExpandParams):
    next_invoice_sequence: Int | None = Field(None, ge=1, le=1_000_000_000)
    business_name: Emptyable[Name150] | None = None
    individual_name: Emptyable[Name150] | None = None
    tax_exempt: Emptyable[TaxExempt] | None = None
    invoice_prefix: InvoicePrefix | None = None
    coupon: Emptyable[Id] | None = Field(
        None, description="Extension (Stripe's parameter before 2025): a coupon redeemed into the customer's discount."
    )
    promotion_code: Emptyable[Id] | None = Field(
        None, description="Extension (Stripe's parameter before 2025): a promotion code redeemed into the discount."
    )
    address: Emptyable[AddressParams] | None = None
    balance: SignedAmount | None = None
    description: Emptyable[Str] | None = None
    email: Emptyable[Email] | None = None
    invoice_settings: InvoiceSettingsParams | None = None
    metadata: Emptyable[Metadata] | None = None
    name: Emptyable[Annotated[str, StringConstraints(max_length=256)]] | None = None
    phone: Emptyable[Annotated[str, StringConstraints(max_length=20)]] | None = None
    preferred_locales: Emptyable[list[Locale]] | None = Field(None)
    shipping: Emptyable[ShippingParams] | None = None


class CustomerListParams(ListParams):
    email: Annotated[str, StringConstraints(max_length=512)] | None = None
    test_clock: Id | None = None
    created: Timestamp | RangeFilter | None = None


class CustomerDeleteParams(Params):
    pass
