"""Which of Stripe's parameters each endpoint takes: Stripe's (from the pinned definition) against
ours (the params models), and the table the service refuses unsupported ones by
(app/params/stripe_parameters.json, generated from the definition by `python -m
tests.contract.parameters`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.objects.version import API_VERSION
from app.params import (
    configurations,
    customers,
    discounts,
    invoice_items,
    invoices,
    payment_methods,
    products,
    sessions,
    subscription_items,
    subscriptions,
    tax_ids,
    webhooks,
)
from app.params.base import Params
from tests.contract.definition import Definition, definitions

TABLE = Path(__file__).parents[2] / "app" / "params" / "stripe_parameters.json"

# Stripe's parameter interface -> our model, per endpoint.
ENDPOINTS: dict[str, type[Params]] = {
    "CustomerCreateParams": customers.CustomerCreateParams,
    "CustomerUpdateParams": customers.CustomerUpdateParams,
    "CustomerListParams": customers.CustomerListParams,
    "ProductCreateParams": products.ProductCreateParams,
    "ProductUpdateParams": products.ProductUpdateParams,
    "ProductListParams": products.ProductListParams,
    "PriceCreateParams": products.PriceCreateParams,
    "PriceUpdateParams": products.PriceUpdateParams,
    "PriceListParams": products.PriceListParams,
    "PaymentMethodCreateParams": payment_methods.PaymentMethodCreateParams,
    "PaymentMethodUpdateParams": payment_methods.PaymentMethodUpdateParams,
    "SubscriptionCreateParams": subscriptions.SubscriptionCreateParams,
    "SubscriptionUpdateParams": subscriptions.SubscriptionUpdateParams,
    "SubscriptionListParams": subscriptions.SubscriptionListParams,
    "SubscriptionCancelParams": subscriptions.SubscriptionCancelParams,
    "SubscriptionResumeParams": subscriptions.SubscriptionResumeParams,
    "SubscriptionItemCreateParams": subscription_items.SubscriptionItemCreateParams,
    "SubscriptionItemUpdateParams": subscription_items.SubscriptionItemUpdateParams,
    "SubscriptionItemDeleteParams": subscription_items.SubscriptionItemDeleteParams,
    "InvoiceCreateParams": invoices.InvoiceCreateParams,
    "InvoiceUpdateParams": invoices.InvoiceUpdateParams,
    "InvoiceListParams": invoices.InvoiceListParams,
    "InvoicePayParams": invoices.InvoicePayParams,
    "InvoiceFinalizeInvoiceParams": invoices.InvoiceFinalizeParams,
    "InvoiceAddLinesParams": invoices.InvoiceAddLinesParams,
    "InvoiceCreatePreviewParams": invoices.InvoicePreviewParams,
    "InvoiceItemCreateParams": invoice_items.InvoiceItemCreateParams,
    "InvoiceItemUpdateParams": invoice_items.InvoiceItemUpdateParams,
    "InvoiceItemListParams": invoice_items.InvoiceItemListParams,
    "CustomerCreateTaxIdParams": tax_ids.CustomerTaxIdCreateParams,
    "TaxIdCreateParams": tax_ids.TaxIdCreateParams,
    "TaxIdListParams": tax_ids.TaxIdListParams,
    "CouponCreateParams": discounts.CouponCreateParams,
    "CouponUpdateParams": discounts.CouponUpdateParams,
    "PromotionCodeCreateParams": discounts.PromotionCodeCreateParams,
    "PromotionCodeUpdateParams": discounts.PromotionCodeUpdateParams,
    "PromotionCodeListParams": discounts.PromotionCodeListParams,
    "BillingPortal.ConfigurationCreateParams": configurations.ConfigurationCreateParams,
    "BillingPortal.ConfigurationUpdateParams": configurations.ConfigurationUpdateParams,
    "BillingPortal.SessionCreateParams": sessions.SessionCreateParams,
    "WebhookEndpointCreateParams": webhooks.WebhookEndpointCreateParams,
    "WebhookEndpointUpdateParams": webhooks.WebhookEndpointUpdateParams,
}


def stripe_parameters(definition: Definition, name: str) -> list[str]:
    return sorted(definition.root(name).get("fields") or {})


def ours(model: type[Params]) -> list[str]:
    return sorted(model.model_fields)


def extension(model: type[Params], field: str) -> bool:
    """A parameter Stripe does not have is ours only when its description says it is an extension."""
    description = model.model_fields[field].description or ""
    return description.startswith("Extension")


def table() -> dict[str, list[str]]:
    definition = definitions(API_VERSION, tuple(ENDPOINTS))
    return {model.__name__: stripe_parameters(definition, name) for name, model in ENDPOINTS.items()}


def coverage() -> dict[str, tuple[int, int, list[str]]]:
    """Per endpoint: (Stripe's parameters we take, Stripe's parameters, ours Stripe lacks)."""
    definition = definitions(API_VERSION, tuple(ENDPOINTS))
    result: dict[str, tuple[int, int, list[str]]] = {}
    for name, model in ENDPOINTS.items():
        theirs = set(stripe_parameters(definition, name))
        mine = set(ours(model))
        result[name] = (len(theirs & mine), len(theirs), sorted(mine - theirs))
    return result


DOC = Path(__file__).parents[2] / "docs" / "unsupported-parameters.md"

# Why a family of Stripe's parameters is not supported (by name; the rest: not built yet).
REASONS = {
    "Connect (another account's money)": {
        "application_fee_amount",
        "application_fee_percent",
        "on_behalf_of",
        "transfer_data",
        "customer_account",
        # On payment method create: cloning a platform's method onto a connected account.
        "customer",
        "payment_method",
    },
    "Tax is out of scope (no tax is computed)": {
        "automatic_tax",
        "default_tax_rates",
        "tax",
        "tax_code",
        "tax_rates",
        "tax_behavior",
        "tax_details",
    },
    "Usage-based billing and thresholds (no usage records are kept)": {
        "billing_thresholds",
        "clear_usage",
        "pending_invoice_item_interval",
    },
    "Test clocks: not built yet (time moves with the advance test helper)": {"test_clock"},
    "Legacy sources and cash balances": {"source", "default_source", "cash_balance", "validate", "forgive"},
    "Multi-currency prices are out of scope (one currency per price)": {"currency_options"},
    "Checkout only (the customer picks the amount in Checkout, which is not part of this service)": {
        "custom_unit_amount"
    },
    "Preview features of Stripe's API, not in the stable API the SDKs pin": {"billing_schedules", "current_trial"},
    "Card-present payments (Terminal) are out of scope": {"interac_present"},
    "Radar (fraud screening) is out of scope": {"radar_options"},
    "Mandates are not collected: no bank debit network is reached": {"mandate"},
    "Shipping rates are not modelled": {"shipping_cost"},
}


def _reason(param: str) -> str:
    return next((why for why, names in REASONS.items() if param in names), "not built yet")


def document(data: dict[str, list[str]]) -> str:
    lines = [
        "# Stripe parameters this service does not support",
        "",
        "Generated by `python -m tests.contract.parameters` from Stripe's definition "
        f"({API_VERSION}); a test fails when it drifts. Each is refused with `400 parameter_unsupported`",
        "naming it, never accepted and ignored.",
        "",
        "| endpoint | parameter | why |",
        "| --- | --- | --- |",
    ]
    for name, model in ENDPOINTS.items():
        ours_ = set(ours(model))
        for param in data[model.__name__]:
            if param not in ours_:
                lines.append(f"| {name.removesuffix('Params')} | `{param}` | {_reason(param)} |")
    return "\n".join(lines) + "\n"


def write(data: dict[str, Any]) -> None:
    TABLE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(document(data["parameters"]))


if __name__ == "__main__":
    write({"version": API_VERSION, "parameters": table()})
