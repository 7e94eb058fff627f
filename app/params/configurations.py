"""Parameters of /v1/billing_portal/configurations (stripe-python `ConfigurationCreateParams`, ...)
and of /v1/account (branding, custom domain).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.params.base import Bool, Emptyable, ExpandParams, Id, Int, ListParams, Metadata, Params, Str
from app.params.customers import AddressParams

CancellationReason = Literal[
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
]
AllowedUpdate = Literal["address", "email", "name", "phone", "shipping", "tax_id"]
ProrationBehavior = Literal["always_invoice", "create_prorations", "none"]
Headline = Annotated[str, StringConstraints(max_length=60)]


class BusinessProfileCreate(Params):
    headline: Emptyable[Headline] | None = None
    privacy_policy_url: Str | None = None
    terms_of_service_url: Str | None = None


class BusinessProfileUpdate(Params):
    headline: Emptyable[Headline] | None = None
    privacy_policy_url: Emptyable[Str] | None = None
    terms_of_service_url: Emptyable[Str] | None = None


class CustomerUpdateFeature(Params):
    enabled: Bool
    allowed_updates: Emptyable[list[AllowedUpdate]] | None = None


class CustomerUpdateFeatureUpdate(Params):
    enabled: Bool | None = None
    allowed_updates: Emptyable[list[AllowedUpdate]] | None = None


class EnabledFeature(Params):
    enabled: Bool


class PaymentMethodUpdateFeature(Params):
    enabled: Bool
    payment_method_configuration: Emptyable[Str] | None = None


class CancellationReasonFeature(Params):
    enabled: Bool
    options: Emptyable[list[CancellationReason]]


class CancellationReasonFeatureUpdate(Params):
    enabled: Bool
    options: Emptyable[list[CancellationReason]] | None = None


class SubscriptionCancelFeature(Params):
    enabled: Bool
    mode: Literal["at_period_end", "immediately"] | None = None
    proration_behavior: ProrationBehavior | None = None
    cancellation_reason: CancellationReasonFeature | None = None


class SubscriptionCancelFeatureUpdate(Params):
    enabled: Bool | None = None
    mode: Literal["at_period_end", "immediately"] | None = None
    proration_behavior: ProrationBehavior | None = None
    cancellation_reason: CancellationReasonFeatureUpdate | None = None


class AdjustableQuantity(Params):
    enabled: Bool
    minimum: Int | None = Field(None, ge=0, le=1_000_000_000)
    maximum: Int | None = Field(None, ge=1, le=1_000_000_000)


class UpdateProduct(Params):
    product: Id
    prices: list[Id] = Field(min_length=1, max_length=20)
    adjustable_quantity: AdjustableQuantity | None = None


class ScheduleCondition(Params):
    type: Literal["decreasing_item_amount", "shortening_interval"]


class ScheduleAtPeriodEnd(Params):
    conditions: Emptyable[list[ScheduleCondition]] | None = None


class SubscriptionUpdateFeature(Params):
    enabled: Bool
    default_allowed_updates: Emptyable[list[Literal["price", "promotion_code", "quantity"]]] | None = None
    products: Emptyable[list[UpdateProduct]] | None = None
    proration_behavior: ProrationBehavior | None = None
    schedule_at_period_end: ScheduleAtPeriodEnd | None = None
    trial_update_behavior: Literal["continue_trial", "end_trial"] | None = None
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None


class SubscriptionUpdateFeatureUpdate(Params):
    enabled: Bool | None = None
    default_allowed_updates: Emptyable[list[Literal["price", "promotion_code", "quantity"]]] | None = None
    products: Emptyable[list[UpdateProduct]] | None = None
    proration_behavior: ProrationBehavior | None = None
    schedule_at_period_end: ScheduleAtPeriodEnd | None = None
    trial_update_behavior: Literal["continue_trial", "end_trial"] | None = None
    billing_cycle_anchor: Literal["now", "unchanged"] | None = None


class SubscriptionPauseFeature(Params):
    """R17: accepted only before 2024-08-01 (decided by the service clock)."""

    enabled: Bool


class FeaturesCreate(Params):
    customer_update: CustomerUpdateFeature | None = None
    invoice_history: EnabledFeature | None = None
    payment_method_update: PaymentMethodUpdateFeature | None = None
    subscription_cancel: SubscriptionCancelFeature | None = None
    subscription_update: SubscriptionUpdateFeature | None = None
    subscription_pause: SubscriptionPauseFeature | None = None


class FeaturesUpdate(Params):
    customer_update: CustomerUpdateFeatureUpdate | None = None
    invoice_history: EnabledFeature | None = None
    payment_method_update: PaymentMethodUpdateFeature | None = None
    subscription_cancel: SubscriptionCancelFeatureUpdate | None = None
    subscription_update: SubscriptionUpdateFeatureUpdate | None = None
    subscription_pause: SubscriptionPauseFeature | None = None


class LoginPageParams(Params):
    enabled: Bool


class ConfigurationCreateParams(ExpandParams):
    business_profile: BusinessProfileCreate | None = None
    default_return_url: Emptyable[Str] | None = None
    features: FeaturesCreate
    login_page: LoginPageParams | None = None
    metadata: Metadata | None = None
    name: Emptyable[Annotated[str, StringConstraints(max_length=256)]] | None = None
    is_default: Bool | None = Field(
        None, description="Extension (R10): make this the default configuration (moves the default atomically)."
    )


class ConfigurationUpdateParams(ExpandParams):
    active: Bool | None = None
    business_profile: BusinessProfileUpdate | None = None
    default_return_url: Emptyable[Str] | None = None
    features: FeaturesUpdate | None = None
    login_page: LoginPageParams | None = None
    metadata: Emptyable[Metadata] | None = None
    name: Emptyable[Annotated[str, StringConstraints(max_length=256)]] | None = None
    is_default: Bool | None = Field(
        None, description="Extension (R10): make this the default configuration (moves the default atomically)."
    )


class ConfigurationListParams(ListParams):
    active: Bool | None = None
    is_default: Bool | None = None


class BrandingParams(Params):
    icon: Emptyable[Str] | None = None
    logo: Emptyable[Str] | None = None
    primary_color: Emptyable[Str] | None = None
    secondary_color: Emptyable[Str] | None = None


class PortalSettingsParams(Params):
    custom_domain: Emptyable[Annotated[str, StringConstraints(max_length=253)]] | None = None


class RevenueRecoveryParams(Params):
    """Extension: the retries after a failed renewal payment, and what then (Stripe's Dashboard
    setting "Revenue recovery"; its defaults: 8 tries within 2 weeks, then cancel)."""

    attempts: Int | None = Field(None, ge=1, le=8)
    window_days: Int | None = Field(None, ge=1, le=60)
    after_retries: Literal["cancel", "unpaid", "past_due"] | None = None


class AccountSettingsParams(Params):
    branding: BrandingParams | None = None
    portal: PortalSettingsParams | None = None
    revenue_recovery: RevenueRecoveryParams | None = Field(
        None, description="Extension: retries after a failed renewal payment, and the end after them."
    )


class AccountBusinessProfileParams(Params):
    name: Emptyable[Annotated[str, StringConstraints(max_length=256)]] | None = None
    url: Emptyable[Str] | None = None
    support_email: Emptyable[Str] | None = None
    support_address: Emptyable[AddressParams] | None = Field(
        None, description="The business's address, shown on its hosted invoices and their PDFs."
    )


class AccountUpdateParams(ExpandParams):
    business_profile: AccountBusinessProfileParams | None = None
    settings: AccountSettingsParams | None = None
