"""JSON bodies of the customer portal API (/p/api). Unlike forms, JSON keeps its types, so these
models are strict: `"2"` is not a quantity and `5` is not a name."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from app.params.base import Id, Params, Str
from app.params.customers import AddressParams, Email
from app.params.tax_ids import TaxIdKind


class PortalBody(Params):
    model_config = ConfigDict(strict=True)


class CancelBody(PortalBody):
    reason: Str | None = Field(None, description="One of the configuration's cancellation reasons.")
    comment: Str | None = None


class PlanChangeBody(PortalBody):
    price: Id | None = Field(None, description="A price among the configuration's products.")
    quantity: int | None = Field(None, ge=1, le=10_000)


class PaymentMethodBody(PortalBody):
    token: Id | None = Field(None, description="Test mode: a test token such as pm_card_visa.")
    number: Str | None = Field(None, description="Test mode: a test card number.")
    exp_month: int | None = Field(None, ge=1, le=12)
    exp_year: int | None = Field(None, ge=2000, le=2100)


class ShippingBody(PortalBody):
    name: Str | None = None
    phone: Str | None = None
    address: AddressParams


class CustomerBody(PortalBody):
    email: Email | None = None
    name: Str | None = None
    phone: Str | None = None
    # The API's own address fields: strings only (a number is refused, not turned into text).
    address: AddressParams | None = None
    shipping: ShippingBody | None = None


class TaxIdBody(PortalBody):
    type: TaxIdKind
    value: Str


class PayBody(PaymentMethodBody):
    payment_method: Id | None = Field(None, description="One of the customer's payment methods; else the default.")
