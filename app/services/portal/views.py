"""What the portal page shows, as typed values: the overview the page renders and the portal API
answers (GET /p/api/overview), and the review of a plan change."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class PriceView(View):
    id: str
    product: str
    product_name: str
    nickname: str | None
    unit_amount: int | None
    currency: str
    interval: str | None
    interval_count: int


class ItemView(View):
    id: str
    quantity: int | None
    price: PriceView


class CouponTerms(View):
    """What a coupon takes off and for how long, as a discount and an offer both show it."""

    name: str
    percent_off: float | None
    amount_off: int | None
    currency: str | None
    duration: str

    @staticmethod
    def of(coupon: Any) -> dict[str, Any]:
        return {
            "name": coupon.name or coupon.id,
            "percent_off": coupon.percent_off,
            "amount_off": coupon.amount_off,
            "currency": coupon.currency,
            "duration": coupon.duration,
        }


class DiscountView(CouponTerms):
    id: str
    end: int | None


class LimitationView(View):
    code: str
    message: str


class ScheduledChangeView(View):
    date: int
    price: PriceView
    quantity: int | None


class Actions(View):
    """What the customer may do with a subscription (one decision: `offers.subscription_actions`)."""

    update: bool
    cancel: bool
    renew: bool
    pause_collection: bool
    resume_collection: bool


class SubscriptionView(View):
    id: str
    status: str
    currency: str
    cancel_at_period_end: bool
    cancel_at: int | None
    current_period_end: int | None
    trial_end: int | None
    pause_collection: dict[str, Any] | None
    items: list[ItemView]
    actions: Actions
    limitations: list[LimitationView]
    discounts: list[DiscountView]
    scheduled_change: ScheduledChangeView | None
    update_options: list[PriceView]


class PaymentMethodView(View):
    id: str
    type: str
    card: dict[str, Any] | None
    last4: str | None
    default: bool
    # R9: the last method of a customer with an active subscription stays.
    removable: bool


class InvoiceView(View):
    id: str
    number: str | None
    status: str
    total: int
    amount_due: int
    amount_remaining: int
    currency: str
    created: int
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    # An open invoice with something left to pay can be paid from the portal.
    payable: bool


class InvoicePage(View):
    data: list[InvoiceView]
    has_more: bool
    # The cursor of the next page (the last invoice shown) and of the page before, if any.
    next_after: str | None
    previous_before: str | None


class TaxIdView(View):
    id: str
    type: str
    value: str


class CustomerView(View):
    id: str
    email: str | None
    name: str | None
    phone: str | None
    address: dict[str, Any] | None
    shipping: dict[str, Any] | None
    tax_ids: list[TaxIdView]
    preferred_locales: list[str]
    # What `customer_update.allowed_updates` lets the customer change (empty: nothing).
    editable: list[str]


class BrandingView(View):
    icon: str | None
    logo: str | None
    primary_color: str | None
    secondary_color: str | None


class BusinessView(View):
    name: str | None
    headline: str | None
    privacy_policy_url: str | None
    terms_of_service_url: str | None
    branding: BrandingView
    portal_url: str | None


class FeaturesView(View):
    payment_method_update: bool
    invoice_history: bool
    cancellation_reasons: list[str]
    cancel_mode: str


class SessionView(View):
    id: str
    return_url: str | None
    flow: dict[str, Any] | None


class OfferView(CouponTerms):
    coupon: str
    duration_in_months: int | None


class Overview(View):
    object: Literal["billing_portal.overview"] = "billing_portal.overview"
    livemode: bool
    retention_offer: OfferView | None
    session: SessionView
    business: BusinessView
    customer: CustomerView
    features: FeaturesView
    subscriptions: list[SubscriptionView]
    payment_methods: list[PaymentMethodView]
    # R8: what the customer can add, for the subscription's currency.
    payment_method_types: list[str]
    customer_country: str | None
    invoices: list[InvoiceView]
    invoice_page: InvoicePage | None


class LineView(View):
    description: str | None
    amount: int
    proration: bool
    period: dict[str, int] | None


class InvoiceSummary(View):
    amount_due: int
    total: int
    currency: str
    date: int
    lines: list[LineView]
    discounts: list[dict[str, Any]]


class SideView(View):
    price: str
    quantity: int
    amount: int | None
    currency: str
    interval: str | None


class UpdatePreview(View):
    object: Literal["billing_portal.update_preview"] = "billing_portal.update_preview"
    subscription: str
    current: SideView
    new: SideView
    due_today: InvoiceSummary | None
    next_invoice: InvoiceSummary
    takes_effect: int | None


class CancelReview(View):
    """What canceling does, shown before the customer confirms it."""

    object: Literal["billing_portal.cancel_review"] = "billing_portal.cancel_review"
    subscription: str
    immediately: bool
    ends_at: int | None
    # An immediate cancel that credits the unused time (proration_behavior=create_prorations).
    prorated: bool
