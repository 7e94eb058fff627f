"""A merchant set up through the API for portal tests: plans, a configuration, a subscriber."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests import factories as f

LEGAL = {
    "business_profile[privacy_policy_url]": "https://shop.example/privacy",
    "business_profile[terms_of_service_url]": "https://shop.example/terms",
}


@dataclass
class Shop:
    product: str
    monthly: dict[str, Any]
    yearly: dict[str, Any]
    configuration: dict[str, Any]
    customer: dict[str, Any]
    subscription: dict[str, Any]


async def configuration(client: httpx.AsyncClient, product: str, prices: list[str], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **LEGAL,
        "default_return_url": "https://shop.example/account",
        "business_profile[headline]": "Manage your plan",
        "features[invoice_history][enabled]": "true",
        "features[payment_method_update][enabled]": "true",
        "features[subscription_cancel][enabled]": "true",
        "features[subscription_cancel][cancellation_reason][enabled]": "true",
        "features[subscription_cancel][cancellation_reason][options][0]": "too_expensive",
        "features[subscription_cancel][cancellation_reason][options][1]": "unused",
        "features[subscription_update][enabled]": "true",
        "features[subscription_update][default_allowed_updates][0]": "price",
        "features[subscription_update][default_allowed_updates][1]": "quantity",
        "features[subscription_update][products][0][product]": product,
        "features[customer_update][enabled]": "true",
        "features[customer_update][allowed_updates][0]": "name",
        "features[customer_update][allowed_updates][1]": "email",
    }
    for i, price in enumerate(prices):
        data[f"features[subscription_update][products][0][prices][{i}]"] = price
    data.update(extra)
    return await f.post(client, "/v1/billing_portal/configurations", **data)


async def shop(client: httpx.AsyncClient, **config_extra: Any) -> Shop:
    product = (await f.post(client, "/v1/products", name="Pro"))["id"]
    monthly = await f.price(client, product=product, amount=1000)
    yearly = await f.price(client, product=product, amount=10000, interval="year")
    config = await configuration(client, product, [monthly["id"], yearly["id"]], **config_extra)
    customer = await f.customer(client, name="Jenny Rosen", email="jenny@example.com")
    sub = await f.subscription(client, customer_id=customer["id"], price_id=monthly["id"])
    return Shop(product, monthly, yearly, config, customer, sub)


async def session(client: httpx.AsyncClient, customer: str, **extra: Any) -> dict[str, Any]:
    return await f.post(client, "/v1/billing_portal/sessions", customer=customer, **extra)


def path(url: str) -> str:
    return urlsplit(url).path
