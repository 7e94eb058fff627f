"""Parameters of /v1/invoices."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.params.base import (
    Bool,
    Emptyable,
    ExpandParams,
    Id,
    Int,
    ListParams,
    Metadata,
    Params,
    Quantity,
    RangeFilter,
    SignedAmount,
    Str,
    Timestamp,
)
from app.params.customers import AddressParams
from app.params.discounts import DiscountParam
from app.params.subscriptions import IssuerParams, ItemUpdateParams


class CustomField(Params):
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    value: Annotated[str, StringConstraints(min_length=1, max_length=140)]


Footer = Annotated[str, StringConstraints(max_length=5000)]
StatementDescriptor = Annotated[str, StringConstraints(max_length=22)]
InvoiceNumber = Annotated[str, StringConstraints(min_length=1, max_length=26)]


class RenderingPdf(Params):
    page_size: Literal["a4", "auto", "letter"] | None = None


class RenderingParams(Params):
    """How the invoice's PDF is laid out (the page size is honoured; tax display has no tax here)."""

    amount_tax_display: Emptyable[Literal["exclude_tax", "include_inclusive_tax"]] | None = None
    pdf: RenderingPdf | None = None


class ShippingDetailsParams(Params):
    address: AddressParams
    name: Str
    phone: Emptyable[Str] | None = None


class InvoicePaymentSettingsParams(Params):
    payment_method_types: Emptyable[list[Str]] | None = Field(None, max_length=30)


class InvoiceDetailsParams(ExpandParams):
    """What create and update share beyond the money: shown on the invoice, its page and PDF."""

    account_tax_ids: Emptyable[list[Id]] | None = Field(None, max_length=25)
    automatically_finalizes_at: Timestamp | None = None
    default_payment_method: Emptyable[Id] | None = None
    effective_at: Emptyable[Timestamp] | None = None
    issuer: IssuerParams | None = None
    number: Emptyable[InvoiceNumber] | None = None
    payment_settings: InvoicePaymentSettingsParams | None = None
    rendering: RenderingParams | None = None
    shipping_details: Emptyable[ShippingDetailsParams] | None = None


class InvoiceCreateParams(InvoiceDetailsParams):
    customer: Id
    custom_fields: Emptyable[list[CustomField]] | None = Field(None, max_length=4)
    due_date: Timestamp | None = None
    footer: Footer | None = None
    statement_descriptor: StatementDescriptor | None = None
    subscription: Id | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    days_until_due: Int | None = Field(None, ge=0, le=730)
    description: Str | None = None
    currency: Str | None = None
    auto_advance: Bool | None = None
    metadata: Metadata | None = None
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    pending_invoice_items_behavior: Literal["exclude", "include"] | None = None


class InvoiceUpdateParams(InvoiceDetailsParams):
    auto_advance: Bool | None = None
    custom_fields: Emptyable[list[CustomField]] | None = Field(None, max_length=4)
    footer: Emptyable[Footer] | None = None
    statement_descriptor: Emptyable[StatementDescriptor] | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    days_until_due: Int | None = Field(None, ge=0, le=730)
    description: Emptyable[Str] | None = None
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    due_date: Timestamp | None = None
    metadata: Emptyable[Metadata] | None = None


class InvoiceDeleteParams(Params):
    pass


class LinePricing(Params):
    price: Id


class InvoiceLineParams(Params):
    amount: SignedAmount | None = None
    description: Str | None = None
    quantity: Quantity | None = Field(None, ge=1)
    pricing: LinePricing | None = None
    metadata: Metadata | None = None


class InvoiceAddLinesParams(ExpandParams):
    lines: list[InvoiceLineParams] = Field(min_length=1, max_length=100)
    invoice_metadata: Emptyable[Metadata] | None = None


class InvoiceFinalizeParams(ExpandParams):
    auto_advance: Bool | None = None


class InvoicePayParams(ExpandParams):
    off_session: Bool | None = None
    paid_out_of_band: Bool | None = None
    payment_method: Id | None = None


class InvoiceActionParams(ExpandParams):
    pass


class InvoiceListParams(ListParams):
    customer: Id | None = None
    due_date: Timestamp | RangeFilter | None = None
    subscription: Id | None = None
    status: Literal["draft", "open", "paid", "uncollectible", "void"] | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    created: Timestamp | RangeFilter | None = None


class PreviewSubscriptionDetails(Params):
    items: list[ItemUpdateParams] | None = Field(None, max_length=20)
    proration_date: Timestamp | None = None
    proration_behavior: Literal["always_invoice", "create_prorations", "none"] | None = None
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None
    cancel_now: Bool | None = None
    cancel_at: Timestamp | Literal[""] | None = None
    trial_end: Literal["now"] | Timestamp | None = None


class InvoicePreviewParams(ExpandParams):
    customer: Id | None = None
    currency: Str | None = None
    issuer: IssuerParams | None = None
    subscription: Id | None = None
    subscription_details: PreviewSubscriptionDetails | None = None
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    schedule: Id | None = None


class InvoiceLinesParams(ListParams):
    pass
