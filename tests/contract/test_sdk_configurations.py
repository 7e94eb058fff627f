"""stripe-python creates, lists, retrieves and updates portal configurations; every field parses."""

from __future__ import annotations

import pytest
import stripe

from app.objects.configurations import ConfigurationObject
from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def sdk(live_server: LiveServer) -> stripe.StripeClient:
    return stripe.StripeClient(new_test_key(live_server, "sdk portal"), base_addresses={"api": live_server.base_url})


def test_configuration_crud_with_the_sdk(sdk: stripe.StripeClient) -> None:
    product = sdk.v1.products.create({"name": "Pro"})
    monthly = sdk.v1.prices.create(
        {"product": product.id, "currency": "usd", "unit_amount": 500, "recurring": {"interval": "month"}}
    )
    twin = sdk.v1.prices.create(
        {"product": product.id, "currency": "usd", "unit_amount": 700, "recurring": {"interval": "month"}}
    )
    legal = {"privacy_policy_url": "https://s.example/p", "terms_of_service_url": "https://s.example/t"}
    config = sdk.v1.billing_portal.configurations.create(
        {
            "business_profile": {"headline": "Your plan", **legal},  # type: ignore[typeddict-item]
            "features": {
                "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
                "subscription_update": {
                    "enabled": True,
                    "default_allowed_updates": ["price"],
                    "products": [{"product": product.id, "prices": [monthly.id]}],
                },
                "invoice_history": {"enabled": True},
            },
            "login_page": {"enabled": True},
        }
    )
    assert isinstance(config, stripe.billing_portal.Configuration) and config.is_default
    assert config.last_response is not None
    ConfigurationObject.model_validate(config.last_response.data)
    assert config.features.subscription_update.products is not None
    assert config.features.subscription_update.products[0].prices == [monthly.id]
    assert config.login_page.url is not None

    second = sdk.v1.billing_portal.configurations.create(
        {"business_profile": legal, "features": {"invoice_history": {"enabled": True}}}  # type: ignore[typeddict-item]
    )
    assert not second.is_default
    listed = sdk.v1.billing_portal.configurations.list({"is_default": True})
    assert [c.id for c in listed.data] == [config.id]
    walked = [c.id for c in sdk.v1.billing_portal.configurations.list({"limit": 1}).auto_paging_iter()]
    assert walked == [second.id, config.id]

    updated = sdk.v1.billing_portal.configurations.update(
        config.id, {"features": {"subscription_update": {"enabled": False}}, "login_page": {"enabled": False}}
    )
    assert updated.features.subscription_update.enabled is False and updated.login_page.url is None
    assert sdk.v1.billing_portal.configurations.retrieve(config.id).features.subscription_cancel.enabled is True

    with pytest.raises(stripe.InvalidRequestError) as r13:
        sdk.v1.billing_portal.configurations.update(
            config.id,
            {
                "features": {
                    "subscription_update": {"products": [{"product": product.id, "prices": [monthly.id, twin.id]}]}
                }
            },
        )
    assert monthly.id in str(r13.value.user_message) and twin.id in str(r13.value.user_message)
    with pytest.raises(stripe.InvalidRequestError) as r17:
        sdk.v1.billing_portal.configurations.update(
            config.id,
            {"features": {"subscription_pause": {"enabled": True}}},
        )
    assert r17.value.code == "parameter_unknown"
