"""The issue's scenario through the official SDK against a real server: product, two prices, a
customer with pm_card_visa, subscribe, pause collection (R15), find it (R16), resume, cancel.
Every object parses into the SDK's types and into our own object schemas.
"""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import stripe

from app.objects.invoices import InvoiceObject
from app.objects.payment_methods import PaymentMethodObject
from app.objects.products import PriceObject, ProductObject
from app.objects.subscriptions import SubscriptionObject
from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def key(live_server: LiveServer) -> str:
    return new_test_key(live_server, "sdk billing")


def test_r15_r16_pause_find_export_resume_cancel_with_the_sdk(key: str, live_server: LiveServer) -> None:
    """R15/R16 through stripe-python: pause keeps `active`, the filter and CSV find it, events follow (R18)."""
    sdk = stripe.StripeClient(key, base_addresses={"api": live_server.base_url})
    product = sdk.v1.products.create({"name": "Pro"})
    monthly = sdk.v1.prices.create(
        {"product": product.id, "currency": "eur", "unit_amount": 900, "recurring": {"interval": "month"}}
    )
    yearly = sdk.v1.prices.create(
        {"product": product.id, "currency": "eur", "unit_amount": 9000, "recurring": {"interval": "year"}}
    )
    customer = sdk.v1.customers.create({"email": "sdk-billing@example.com"})
    pm = sdk.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    sdk.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    sub = sdk.v1.subscriptions.create({"customer": customer.id, "items": [{"price": monthly.id}]})
    assert isinstance(sub, stripe.Subscription) and sub.status == "active"
    assert sub["items"].data[0].price.id == monthly.id

    paused = sdk.v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "keep_as_draft"}})
    assert paused.status == "active" and paused.pause_collection is not None
    assert paused.pause_collection.behavior == "keep_as_draft"
    found = sdk.v1.subscriptions.list({"collection_paused": True})  # type: ignore[arg-type]
    assert [s.id for s in found.data] == [sub.id]
    export = httpx.get(
        f"{live_server.base_url}/v1/subscriptions/export.csv", params={"collection_paused": "true"}, auth=(key, "")
    )
    assert [row["id"] for row in csv.DictReader(io.StringIO(export.text))] == [sub.id]
    event = sdk.v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert event.data.object["pause_collection"]["behavior"] == "keep_as_draft"

    resumed = sdk.v1.subscriptions.update(sub.id, {"pause_collection": ""})
    assert resumed.pause_collection is None
    switched = sdk.v1.subscriptions.update(
        sub.id, {"items": [{"id": sub["items"].data[0].id, "price": yearly.id}], "proration_behavior": "none"}
    )
    assert switched["items"].data[0].price.id == yearly.id
    canceled = sdk.v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled"

    for obj, schema in (
        (product, ProductObject),
        (monthly, PriceObject),
        (pm, PaymentMethodObject),
        (canceled, SubscriptionObject),
        (sdk.v1.invoices.retrieve(str(sub.latest_invoice)), InvoiceObject),
    ):
        assert obj.last_response is not None
        schema.model_validate(obj.last_response.data)


def test_r9_with_the_sdk(key: str, live_server: LiveServer) -> None:
    """R9 through stripe-python: the last method of an active subscriber stays; add first, then remove."""
    sdk = stripe.StripeClient(key, base_addresses={"api": live_server.base_url})
    product = sdk.v1.products.create({"name": "Basic"})
    price_obj = sdk.v1.prices.create(
        {"product": product.id, "currency": "usd", "unit_amount": 100, "recurring": {"interval": "month"}}
    )
    customer = sdk.v1.customers.create(
        {
            "email": "r9@example.com",
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    sdk.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price_obj.id}]})
    old = customer.invoice_settings.default_payment_method if customer.invoice_settings else None
    assert isinstance(old, str)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        sdk.v1.payment_methods.detach(old)
    assert refused.value.code == "payment_method_required"
    sdk.v1.payment_methods.attach("pm_card_mastercard", {"customer": customer.id})
    assert sdk.v1.payment_methods.detach(old).customer is None
