"""Every endpoint family through stripe-python's client against a real server, with the SDK's own
defaults (indexed arrays, an Idempotency-Key on every POST, retries on); every object it gets back
carries every field the SDK declares non-optional (tests/contract/completeness.py)."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.conftest import LiveServer
from tests.contract.completeness import missing_fields
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def sdk(live_server: LiveServer) -> stripe.StripeClient:
    return stripe.StripeClient(
        new_test_key(live_server, "sdk everything"), base_addresses={"api": live_server.base_url}, max_network_retries=2
    )


def complete(obj: Any, cls: type[stripe.StripeObject]) -> Any:
    assert isinstance(obj, cls), type(obj)
    assert obj.last_response is not None
    assert missing_fields(cls, obj.last_response.data) == [], cls.__name__
    return obj


def test_every_endpoint_parses_completely(sdk: stripe.StripeClient) -> None:
    v1 = sdk.v1
    account = complete(v1.accounts.retrieve_current(), stripe.Account)
    assert account.id.startswith("acct_")
    product = complete(v1.products.create({"name": "Pro"}), stripe.Product)
    complete(v1.products.update(product.id, {"description": "The plan"}), stripe.Product)
    price = complete(
        v1.prices.create(
            {"product": product.id, "currency": "usd", "unit_amount": 900, "recurring": {"interval": "month"}}
        ),
        stripe.Price,
    )
    yearly = complete(
        v1.prices.create(
            {"product": product.id, "currency": "usd", "unit_amount": 9000, "recurring": {"interval": "year"}}
        ),
        stripe.Price,
    )
    complete(v1.prices.update(price.id, {"nickname": "Monthly"}), stripe.Price)
    assert [p.id for p in v1.prices.list({"product": product.id}).data] == [yearly.id, price.id]

    customer = complete(v1.customers.create({"email": "all@example.com", "name": "All"}), stripe.Customer)
    pm = complete(
        v1.payment_methods.create(
            {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2031}}
        ),
        stripe.PaymentMethod,
    )
    complete(v1.payment_methods.attach(pm.id, {"customer": customer.id}), stripe.PaymentMethod)
    complete(v1.payment_methods.update(pm.id, {"metadata": {"k": "v"}}), stripe.PaymentMethod)
    complete(v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}}), stripe.Customer)
    assert [m.id for m in v1.customers.payment_methods.list(customer.id).data] == [pm.id]
    complete(v1.customers.payment_methods.retrieve(customer.id, pm.id), stripe.PaymentMethod)

    sub = complete(
        v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]}), stripe.Subscription
    )
    assert sub.last_response is not None
    assert missing_fields(stripe.SubscriptionItem, sub.last_response.data["items"]["data"][0]) == []
    complete(v1.subscriptions.update(sub.id, {"metadata": {"tier": "gold"}}), stripe.Subscription)
    assert [s.id for s in v1.subscriptions.list({"customer": customer.id}).data] == [sub.id]
    schedule = complete(v1.subscription_schedules.create({"from_subscription": sub.id}), stripe.SubscriptionSchedule)
    complete(v1.subscription_schedules.retrieve(schedule.id), stripe.SubscriptionSchedule)
    complete(v1.subscription_schedules.release(schedule.id), stripe.SubscriptionSchedule)
    with pytest.raises(stripe.InvalidRequestError) as not_paused:
        v1.subscriptions.resume(sub.id)
    assert not_paused.value.code == "subscription_not_paused"

    invoice = complete(v1.invoices.create({"customer": customer.id}), stripe.Invoice)
    complete(v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 500, "description": "Setup"}]}), stripe.Invoice)
    complete(v1.invoices.finalize_invoice(invoice.id), stripe.Invoice)
    paid = complete(v1.invoices.pay(invoice.id), stripe.Invoice)
    assert paid.last_response is not None
    assert missing_fields(stripe.InvoiceLineItem, paid.last_response.data["lines"]["data"][0]) == []
    assert paid.status == "paid"
    other = v1.invoices.create({"customer": customer.id})
    v1.invoices.add_lines(other.id, {"lines": [{"amount": 100}]})
    v1.invoices.finalize_invoice(other.id)
    complete(v1.invoices.mark_uncollectible(other.id), stripe.Invoice)
    assert {i.id for i in v1.invoices.list({"customer": customer.id, "limit": 100}).auto_paging_iter()} >= {
        invoice.id,
        other.id,
    }

    config = complete(
        v1.billing_portal.configurations.create(
            {
                "business_profile": {
                    "privacy_policy_url": "https://s.example/p",
                    "terms_of_service_url": "https://s.example/t",
                },
                "features": {"invoice_history": {"enabled": True}},
                "default_return_url": "https://s.example",
            }
        ),
        stripe.billing_portal.Configuration,
    )
    complete(v1.billing_portal.configurations.retrieve(config.id), stripe.billing_portal.Configuration)
    session = complete(v1.billing_portal.sessions.create({"customer": customer.id}), stripe.billing_portal.Session)
    assert session.url.startswith("http")

    hook = complete(
        v1.webhook_endpoints.create({"url": "http://localhost:9/hooks", "enabled_events": ["*"]}),
        stripe.WebhookEndpoint,
    )
    assert hook.secret and hook.secret.startswith("whsec_")
    complete(v1.webhook_endpoints.update(hook.id, {"disabled": True}), stripe.WebhookEndpoint)
    assert [h.id for h in v1.webhook_endpoints.list().data] == [hook.id]
    assert v1.webhook_endpoints.delete(hook.id).deleted is True

    events = list(v1.events.list({"limit": 100}).auto_paging_iter())
    assert {"customer.created", "customer.subscription.created", "invoice.paid", "billing_portal.session.created"} <= {
        e.type for e in events
    }
    complete(v1.events.retrieve(events[0].id), stripe.Event)

    deleted = v1.subscriptions.cancel(sub.id)
    assert deleted.status == "canceled"
    assert v1.customers.delete(customer.id).deleted is True
