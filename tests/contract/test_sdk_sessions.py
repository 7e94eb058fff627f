"""stripe-python creates portal sessions (with flows) against a real server; the URL opens the portal."""

from __future__ import annotations

import httpx
import pytest
import stripe

from app.objects.sessions import SessionObject
from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def sdk(live_server: LiveServer) -> stripe.StripeClient:
    return stripe.StripeClient(new_test_key(live_server, "sdk sessions"), base_addresses={"api": live_server.base_url})


def test_sessions_with_the_sdk(sdk: stripe.StripeClient) -> None:
    product = sdk.v1.products.create({"name": "Pro"})
    price = sdk.v1.prices.create(
        {"product": product.id, "currency": "usd", "unit_amount": 500, "recurring": {"interval": "month"}}
    )
    config = sdk.v1.billing_portal.configurations.create(
        {
            "business_profile": {
                "privacy_policy_url": "https://s.example/p",
                "terms_of_service_url": "https://s.example/t",
            },
            "features": {"subscription_cancel": {"enabled": True}, "payment_method_update": {"enabled": True}},
        }
    )
    customer = sdk.v1.customers.create(
        {
            "email": "s@example.com",
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    sub = sdk.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
    session = sdk.v1.billing_portal.sessions.create(
        {
            "customer": customer.id,
            "return_url": "https://s.example/account",
            "locale": "sv",
            "flow_data": {
                "type": "subscription_cancel",
                "subscription_cancel": {"subscription": sub.id},
                "after_completion": {
                    "type": "hosted_confirmation",
                    "hosted_confirmation": {"custom_message": "Hej då"},
                },
            },
            "expand": ["configuration"],
        }
    )
    assert isinstance(session, stripe.billing_portal.Session)
    assert session.last_response is not None
    SessionObject.model_validate(session.last_response.data)
    assert session.flow is not None and session.flow.type == "subscription_cancel"
    assert session.flow.after_completion.hosted_confirmation is not None
    assert session.flow.after_completion.hosted_confirmation.custom_message == "Hej då"
    assert isinstance(session.configuration, stripe.billing_portal.Configuration)
    assert session.configuration.id == config.id
    page = httpx.get(session.url, follow_redirects=True)
    assert page.status_code == 200 and 'lang="sv"' in page.text

    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.v1.billing_portal.sessions.create({"customer": "cus_nope", "return_url": "https://s.example"})
    assert (missing.value.code, missing.value.param) == ("resource_missing", "customer")
