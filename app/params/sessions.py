"""Parameters of POST /v1/billing_portal/sessions (stripe-python `SessionCreateParams`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.params.base import ExpandParams, Id, Params, Quantity, Str, Timestamp

Locale = Literal[
    "auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-SG",
    "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt",
    "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
    # Extension: Arabic and Hebrew, laid out right to left (Stripe's portal has neither).
    "ar", "he",
]  # fmt: skip


class HostedConfirmation(Params):
    custom_message: Annotated[str, StringConstraints(max_length=500)] | None = None


class Redirect(Params):
    return_url: Str


class AfterCompletion(Params):
    type: Literal["hosted_confirmation", "portal_homepage", "redirect"]
    hosted_confirmation: HostedConfirmation | None = None
    redirect: Redirect | None = None


class CouponOffer(Params):
    coupon: Str


class Retention(Params):
    type: Literal["coupon_offer"]
    coupon_offer: CouponOffer


class FlowSubscriptionCancel(Params):
    subscription: Id
    retention: Retention | None = None


class FlowSubscription(Params):
    subscription: Id


class ConfirmItem(Params):
    id: Id
    price: Id | None = None
    quantity: Quantity | None = None


class ConfirmDiscount(Params):
    coupon: Str | None = None
    promotion_code: Str | None = None


class FlowSubscriptionUpdateConfirm(Params):
    subscription: Id
    items: list[ConfirmItem] = Field(min_length=1)
    discounts: list[ConfirmDiscount] | None = None


class FlowData(Params):
    type: Literal[
        "customer_update", "payment_method_update", "subscription_cancel", "subscription_update",
        "subscription_update_confirm",
    ]  # fmt: skip
    after_completion: AfterCompletion | None = None
    subscription_cancel: FlowSubscriptionCancel | None = None
    subscription_update: FlowSubscription | None = None
    subscription_update_confirm: FlowSubscriptionUpdateConfirm | None = None


class CustomerLogin(Params):
    expires_at: Timestamp | None = Field(
        None, description="Until when the customer can recover the session; absent: at any time."
    )


class AfterExpiration(Params):
    type: Literal["customer_login"]
    customer_login: CustomerLogin | None = None


class SessionCreateParams(ExpandParams):
    after_expiration: AfterExpiration | None = Field(
        None, description="Recovery after the session expires: sign in again through the login page."
    )
    customer: Id | None = None
    customer_account: Id | None = None
    configuration: Id | None = None
    flow_data: FlowData | None = None
    locale: Locale | None = None
    on_behalf_of: Id | None = None
    return_url: Str | None = None
