"""Search and subscription items through stripe-python: its SearchResultObject pages with
next_page, and its auto-pager walks every page."""

from __future__ import annotations

import pytest
import stripe

from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def sdk(live_server: LiveServer) -> stripe.StripeClient:
    return stripe.StripeClient(new_test_key(live_server, "sdk search"), base_addresses={"api": live_server.base_url})


def test_search_pages_with_the_sdk(sdk: stripe.StripeClient) -> None:
    made = [sdk.v1.customers.create({"email": f"s{i}@example.com", "metadata": {"cohort": "sdk"}}) for i in range(3)]
    first = sdk.v1.customers.search({"query": 'metadata["cohort"]:"sdk"', "limit": 2})
    assert isinstance(first, stripe.SearchResultObject) and first.has_more and first.next_page
    every = [c.id for c in first.auto_paging_iter()]
    assert every == [c.id for c in reversed(made)]
    with pytest.raises(stripe.InvalidRequestError) as bad:
        sdk.v1.customers.search({"query": 'nope:"x"'})
    assert bad.value.param == "query"


def test_subscription_items_with_the_sdk(sdk: stripe.StripeClient) -> None:
    product = sdk.v1.products.create({"name": "Seats"})
    base = sdk.v1.prices.create(
        {"product": product.id, "currency": "usd", "unit_amount": 1000, "recurring": {"interval": "month"}}
    )
    extra = sdk.v1.prices.create(
        {
            "product": sdk.v1.products.create({"name": "Add-on"}).id,
            "currency": "usd",
            "unit_amount": 300,
            "recurring": {"interval": "month"},
        }
    )
    customer = sdk.v1.customers.create(
        {"payment_method": "pm_card_visa", "invoice_settings": {"default_payment_method": "pm_card_visa"}}
    )
    sub = sdk.v1.subscriptions.create({"customer": customer.id, "items": [{"price": base.id}]})
    item = sdk.v1.subscription_items.create(
        {"subscription": sub.id, "price": extra.id, "quantity": 2, "proration_behavior": "none"}
    )
    assert item.quantity == 2 and item.price.id == extra.id
    assert [i.id for i in sdk.v1.subscription_items.list({"subscription": sub.id}).data][-1] == item.id
    assert sdk.v1.subscription_items.update(item.id, {"quantity": 4, "proration_behavior": "none"}).quantity == 4
    assert sdk.v1.subscription_items.delete(item.id, {"proration_behavior": "none"}).deleted is True
