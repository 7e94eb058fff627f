"""Rules for portal configurations: R5, R6, R10, R11, R12, R13, R17, R19 and Stripe's cancel rules.

Pure functions over plain values; each refusal is a RuleViolation with a stable code, defined here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from app.domain.errors import RuleViolation
from app.errors import ParameterUnknown, PermissionDenied

MAX_UPDATE_PRODUCTS = 10
CANCELLATION_REASONS = (
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
)

# R17: the retired portal pause feature's timeline.
PAUSE_BUTTON_REMOVED = date(2024, 3, 29)
PAUSE_PARAMETER_REMOVED = date(2024, 8, 1)
PausePhase = Literal["offered", "resume_only", "removed"]


def pause_phase(today: date) -> PausePhase:
    """R17: before 2024-03-29 the portal could offer pausing; until 2024-07-31 the setting only
    governs resuming; from 2024-08-01 the parameter is gone."""
    if today < PAUSE_BUTTON_REMOVED:
        return "offered"
    if today < PAUSE_PARAMETER_REMOVED:
        return "resume_only"
    return "removed"


def check_subscription_pause_param(today: date) -> None:
    """R17: from 2024-08-01 `features[subscription_pause]` is an unknown parameter."""
    if pause_phase(today) == "removed":
        raise ParameterUnknown("features[subscription_pause]")


def check_paid_billing(*, livemode: bool, billing_enabled: bool) -> None:
    """R19: live-mode portal features need paid Billing; test mode always works."""
    if livemode and not billing_enabled:
        raise PermissionDenied(
            "The customer portal is a feature of paid Billing. This account can try it in test mode; to use it in "
            "live mode, ask the operator of this service to enable paid Billing for the account "
            "(`portal accounts update <account> --billing on`).",
            code="billing_not_enabled",
        )


def check_url(value: str, param: str, *, livemode: bool) -> str:
    """An absolute http(s) URL; https in live mode."""
    parts = urlsplit(value)
    schemes = ("https",) if livemode else ("http", "https")
    if parts.scheme not in schemes or not parts.netloc or " " in value:
        need = "an absolute https URL (live mode)" if livemode else "an absolute http(s) URL"
        raise RuleViolation(f"Invalid URL for {param}: {value!r}; it must be {need}.", code="url_invalid", param=param)
    return value


def check_legal_links(business_profile: dict[str, Any]) -> None:
    """R6: a configuration links to the merchant's privacy policy and terms of service."""
    for field in ("privacy_policy_url", "terms_of_service_url"):
        if not business_profile.get(field):
            raise RuleViolation(
                f"Missing required param: business_profile[{field}]. Every portal configuration links to the "
                "merchant's privacy policy and terms of service.",
                code="parameter_missing",
                param=f"business_profile[{field}]",
            )


def check_cancel(cancel: dict[str, Any]) -> None:
    """Stripe's subscription_cancel rules."""
    proration = cancel.get("proration_behavior")
    if proration == "always_invoice":
        raise RuleViolation(
            "features[subscription_cancel][proration_behavior] cannot be `always_invoice`.",
            code="parameter_invalid_enum",
            param="features[subscription_cancel][proration_behavior]",
        )
    if proration == "create_prorations" and cancel.get("mode") != "immediately":
        raise RuleViolation(
            "`create_prorations` can only be used with features[subscription_cancel][mode]=immediately.",
            code="cancel_proration_requires_immediate",
            param="features[subscription_cancel][proration_behavior]",
        )
    reason = cancel.get("cancellation_reason") or {}
    if reason.get("enabled") and not reason.get("options"):
        raise RuleViolation(
            "Enable the cancellation reason survey with at least one option.",
            code="parameter_missing",
            param="features[subscription_cancel][cancellation_reason][options]",
        )


@dataclass(frozen=True)
class PriceFacts:
    id: str
    product: str
    active: bool
    recurring: bool
    interval: str | None
    currency: str


def check_update_products(products: list[dict[str, Any]], prices: dict[str, PriceFacts]) -> None:
    """R13 and Stripe's plan-switching limits for features[subscription_update][products]."""
    base = "features[subscription_update][products]"
    if len(products) > MAX_UPDATE_PRODUCTS:
        raise RuleViolation(
            f"You can offer at most {MAX_UPDATE_PRODUCTS} products for customers to switch between.",
            code="too_many_products",
            param=base,
        )
    seen_products: set[str] = set()
    for i, entry in enumerate(products):
        product = entry["product"]
        if product in seen_products:
            raise RuleViolation(
                f"The product {product} is listed twice; list each product once with all its prices.",
                code="duplicate_product",
                param=f"{base}[{i}][product]",
            )
        seen_products.add(product)
        by_cycle: dict[tuple[str | None, str], str] = {}
        for j, price_id in enumerate(entry["prices"]):
            param = f"{base}[{i}][prices][{j}]"
            price = prices.get(price_id)
            if price is None:
                raise RuleViolation(f"No such price: '{price_id}'", code="resource_missing", param=param, status=404)
            if price.product != product:
                raise RuleViolation(
                    f"The price {price_id} belongs to the product {price.product}, not {product}.",
                    code="price_product_mismatch",
                    param=param,
                )
            if not price.active:
                raise RuleViolation(f"The price {price_id} is not active.", code="price_inactive", param=param)
            if not price.recurring:
                raise RuleViolation(
                    f"The price {price_id} is not recurring; customers can only switch to recurring prices.",
                    code="price_not_recurring",
                    param=param,
                )
            cycle = (price.interval, price.currency)
            if cycle in by_cycle:
                # R13: one price per product, interval and currency.
                raise RuleViolation(
                    f"The prices {by_cycle[cycle]} and {price_id} of product {product} have the same interval "
                    f"({price.interval}) and currency ({price.currency}). A product can offer only one price per "
                    "interval and currency; use another product for the other price.",
                    code="duplicate_price_interval_currency",
                    param=param,
                )
            by_cycle[cycle] = price_id


def check_default_change(*, is_default: bool, making_inactive: bool, unsetting_default: bool) -> None:
    """R10: there is always exactly one default; it moves, it is never just removed."""
    if is_default and making_inactive:
        raise RuleViolation(
            "The default configuration cannot be deactivated. Make another configuration the default first.",
            code="default_configuration_required",
            param="active",
        )
    if is_default and unsetting_default:
        raise RuleViolation(
            "There must be one default configuration. Set is_default=true on another configuration instead.",
            code="default_configuration_required",
            param="is_default",
        )


# \Z, not $: `$` also matches before a trailing newline ("#ffffff\n" is no colour).
_HEX = re.compile(r"\A#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
_HOST_LABEL = re.compile(r"\A(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


def check_color(value: str, param: str) -> str:
    """R11 branding: a hex colour, #abc or #aabbcc."""
    if not _HEX.match(value):
        raise RuleViolation(
            f"{param} must be a hex colour such as #0a2540.", code="parameter_invalid_color", param=param
        )
    return value.lower()


def check_custom_domain(value: str, param: str) -> str:
    """R12: a host name (no scheme, port or path), at least two labels."""
    host = value.strip().lower().rstrip(".")
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise RuleViolation(
            f"{value!r} is not a valid host name for a custom domain (example: billing.example.com).",
            code="custom_domain_invalid",
            param=param,
        )
    if labels[-1].isdigit():
        raise RuleViolation(
            "A custom domain must be a host name, not an IP address.", code="custom_domain_invalid", param=param
        )
    return host
