"""Parameters of /v1/subscriptions, /v1/subscription_schedules and the subscription test helpers."""

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
    Int,
    ListParams,
    Metadata,
    Params,
    Quantity,
    RangeFilter,
    Str,
    Timestamp,
)
from app.params.discounts import DiscountParam
from app.params.products import Currency, Interval

ProrationBehavior = Literal["always_invoice", "create_prorations", "none"]
Feedback = Literal[
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
]


class PriceDataRecurring(Params):
    interval: Interval
    interval_count: Int = Field(1, ge=1, le=365)


class ItemPriceData(Params):
    """`items[N][price_data]`: a recurring price made for this item."""

    currency: Currency
    product: Id
    recurring: PriceDataRecurring
    unit_amount: Amount | None = None
    unit_amount_decimal: Decimal | None = None
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None = None


class ItemCreateParams(Params):
    price: Id | None = None
    plan: Id | None = Field(None, description="Stripe's older name of `price`.")
    price_data: ItemPriceData | None = None
    quantity: Quantity | None = None
    metadata: Metadata | None = None


class ItemUpdateParams(Params):
    id: Id | None = None
    price: Id | None = None
    plan: Id | None = None
    price_data: ItemPriceData | None = None
    quantity: Quantity | None = None
    deleted: Bool | None = None
    clear_usage: Bool | None = None
    metadata: Emptyable[Metadata] | None = None


class AddInvoiceItemParams(Params):
    """A one-time price added to the next invoice (Stripe's `add_invoice_items`)."""

    price: Id
    quantity: Quantity | None = Field(None, ge=1)
    metadata: Metadata | None = None


class PauseCollectionParams(Params):
    behavior: Literal["keep_as_draft", "mark_uncollectible", "void"]
    resumes_at: Timestamp | None = None


class CancellationDetailsParams(Params):
    comment: Emptyable[Str] | None = None
    feedback: Emptyable[Feedback] | None = None


class TrialEndBehavior(Params):
    missing_payment_method: Literal["cancel", "create_invoice", "pause"]


class TrialSettingsParams(Params):
    end_behavior: TrialEndBehavior


class AnchorConfigParams(Params):
    """`billing_cycle_anchor_config`: the anchor as a day of the month (and a month, for yearly prices)."""

    day_of_month: Int = Field(ge=1, le=31)
    month: Int | None = Field(None, ge=1, le=12)
    hour: Int | None = Field(None, ge=0, le=23)
    minute: Int | None = Field(None, ge=0, le=59)
    second: Int | None = Field(None, ge=0, le=59)


class IssuerParams(Params):
    type: Literal["self"]


class SubscriptionInvoiceSettingsParams(Params):
    account_tax_ids: Emptyable[list[Id]] | None = Field(None, max_length=25)
    issuer: IssuerParams | None = None


class PaymentSettingsParams(Params):
    payment_method_types: Emptyable[list[Str]] | None = Field(None, max_length=30)
    save_default_payment_method: Literal["off", "on_subscription"] | None = None


class BillingModeParams(Params):
    type: Literal["classic", "flexible"]


class SubscriptionCreateParams(ExpandParams):
    customer: Id
    off_session: Bool | None = None
    billing_cycle_anchor: Timestamp | None = None
    billing_cycle_anchor_config: AnchorConfigParams | None = None
    billing_mode: BillingModeParams | None = None
    invoice_settings: SubscriptionInvoiceSettingsParams | None = None
    payment_settings: PaymentSettingsParams | None = None
    trial_from_plan: Bool | None = None
    add_invoice_items: list[AddInvoiceItemParams] | None = Field(None, max_length=20)
    cancel_at: Timestamp | None = None
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    items: list[ItemCreateParams] = Field(min_length=1, max_length=20)
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    days_until_due: Int | None = Field(None, ge=0, le=730)
    default_payment_method: Id | None = None
    description: Str | None = None
    metadata: Emptyable[Metadata] | None = None
    payment_behavior: (
        Literal["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"] | None
    ) = None
    proration_behavior: ProrationBehavior | None = None
    trial_period_days: Int | None = Field(None, ge=0, le=730)
    trial_end: Literal["now"] | Timestamp | None = None
    trial_settings: TrialSettingsParams | None = None
    cancel_at_period_end: Bool | None = None
    currency: Str | None = None


class SubscriptionUpdateParams(ExpandParams):
    items: list[ItemUpdateParams] | None = Field(None, max_length=20)
    off_session: Bool | None = None
    invoice_settings: SubscriptionInvoiceSettingsParams | None = None
    payment_settings: PaymentSettingsParams | None = None
    trial_settings: TrialSettingsParams | None = None
    add_invoice_items: list[AddInvoiceItemParams] | None = Field(None, max_length=20)
    discounts: Emptyable[list[DiscountParam]] | None = Field(None, max_length=20)
    cancel_at_period_end: Bool | None = None
    cancel_at: Emptyable[int] | None = None
    cancellation_details: CancellationDetailsParams | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    days_until_due: Int | None = Field(None, ge=0, le=730)
    default_payment_method: Emptyable[Id] | None = None
    description: Emptyable[Str] | None = None
    metadata: Emptyable[Metadata] | None = None
    pause_collection: Emptyable[PauseCollectionParams] | None = None
    payment_behavior: (
        Literal["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"] | None
    ) = None
    proration_behavior: ProrationBehavior | None = None
    proration_date: Timestamp | None = None
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None
    trial_end: Literal["now"] | Timestamp | None = None


class SubscriptionCancelParams(ExpandParams):
    cancellation_details: CancellationDetailsParams | None = None
    invoice_now: Bool | None = None
    prorate: Bool | None = None


class SubscriptionResumeParams(ExpandParams):
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None
    proration_behavior: ProrationBehavior | None = None


SubscriptionStatusFilter = Literal[
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
]


class SubscriptionListParams(ListParams):
    customer: Id | None = None
    price: Id | None = None
    plan: Id | None = Field(None, description="Stripe's older name of `price`.")
    test_clock: Id | None = None
    current_period_start: Timestamp | RangeFilter | None = None
    current_period_end: Timestamp | RangeFilter | None = None
    status: SubscriptionStatusFilter | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    collection_paused: Bool | None = Field(
        None, description="Extension (R16): only subscriptions whose payment collection is (or is not) paused."
    )
    customer_email: Str | None = Field(None, description="Extension: only subscriptions of customers with this email.")
    created: Timestamp | RangeFilter | None = None


class SubscriptionExportParams(Params):
    customer: Id | None = None
    price: Id | None = None
    status: SubscriptionStatusFilter | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    collection_paused: Bool | None = None
    customer_email: Str | None = None
    created: Timestamp | RangeFilter | None = None


class ScheduleCreateParams(ExpandParams):
    from_subscription: Id
    metadata: Metadata | None = None


class ScheduleReleaseParams(ExpandParams):
    preserve_cancel_date: Bool | None = None


class TestHelperStatusParams(ExpandParams):
    __test__ = False
    status: Literal["active", "past_due", "unpaid", "incomplete_expired"]


class TestHelperAdvanceParams(ExpandParams):
    __test__ = False
    periods: Int = Field(1, ge=1, le=24)
