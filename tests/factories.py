"""Build merchant data through the API (so every factory also exercises the wire layer)."""

from __future__ import annotations

from typing import Any

import httpx


async def post(client: httpx.AsyncClient, path: str, **data: Any) -> dict[str, Any]:
    r = await client.post(path, data=data)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def price(
    client: httpx.AsyncClient,
    *,
    product: Any = None,
    amount: Any = 1000,
    interval: Any = "month",
    currency: Any = "usd",
    **extra: Any,
) -> dict[str, Any]:
    if product is None:
        product = (await post(client, "/v1/products", name="Plan"))["id"]
    data: dict[str, Any] = {"product": product, "currency": currency, **extra}
    if "billing_scheme" not in extra:
        data["unit_amount"] = amount
    if interval:
        data["recurring[interval]"] = interval
    return await post(client, "/v1/prices", **data)


async def customer(client: httpx.AsyncClient, *, card: bool = True, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"email": "c@example.com", **extra}
    if card:
        data |= {"payment_method": "pm_card_visa", "invoice_settings[default_payment_method]": "pm_card_visa"}
    return await post(client, "/v1/customers", **data)


async def subscription(
    client: httpx.AsyncClient, *, customer_id: Any = None, price_id: Any = None, **extra: Any
) -> dict[str, Any]:
    if customer_id is None:
        customer_id = (await customer(client))["id"]
    if price_id is None:
        price_id = (await price(client))["id"]
    return await post(client, "/v1/subscriptions", customer=customer_id, **{"items[0][price]": price_id}, **extra)


async def events(client: httpx.AsyncClient, type: str) -> list[dict[str, Any]]:
    r = await client.get("/v1/events", params={"type": type, "limit": 100})
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def clocked_subscriber(
    client: httpx.AsyncClient, frozen_time: int, *, amount: int = 1000, card: str = "pm_card_visa", **sub: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A test clock, a customer on it with `card` as their default, and a monthly subscription."""
    clock = await post(client, "/v1/test_helpers/test_clocks", frozen_time=frozen_time)
    customer = await post(
        client,
        "/v1/customers",
        test_clock=clock["id"],
        payment_method=card,
        **{"invoice_settings[default_payment_method]": card},
    )
    plan = await price(client, amount=amount)
    subscription = await post(
        client, "/v1/subscriptions", customer=customer["id"], **{"items[0][price]": plan["id"]}, **sub
    )
    return clock, customer, subscription
