"""Price parameters (https://docs.stripe.com/api/prices/create): `product_data` makes the product
with the price, `unit_amount_decimal` in whole minor units, and `transform_quantity` bills the
quantity divided and rounded (Stripe's example: $10 per 1,000 emails,
https://docs.stripe.com/products-prices/pricing-models#transform-quantity)."""

from __future__ import annotations

import httpx

from app.domain.billing import transformed
from tests.factories import customer, post


def test_transform_quantity_rounds_as_stripe_documents() -> None:
    assert transformed(1001, {"divide_by": 1000, "round": "up"}) == 2
    assert transformed(1999, {"divide_by": 1000, "round": "down"}) == 1
    assert transformed(2000, {"divide_by": 1000, "round": "up"}) == 2
    assert transformed(7, None) == 7


async def test_product_data_decimal_amount_and_transformed_quantity(client: httpx.AsyncClient) -> None:
    emails = await post(
        client,
        "/v1/prices",
        currency="usd",
        unit_amount_decimal="1000",
        **{
            "product_data[name]": "Emails",
            "product_data[unit_label]": "email",
            "recurring[interval]": "month",
            "transform_quantity[divide_by]": 1000,
            "transform_quantity[round]": "up",
        },
    )
    assert emails["unit_amount"] == 1000 and emails["transform_quantity"] == {"divide_by": 1000, "round": "up"}
    product = (await client.get(f"/v1/products/{emails['product']}")).json()
    assert (product["name"], product["unit_label"]) == ("Emails", "email")
    cust = await customer(client)
    sub = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        **{"items[0][price]": emails["id"], "items[0][quantity]": 1001},
    )
    assert (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()["total"] == 2000
    both = await client.post(
        "/v1/prices", data={"currency": "usd", "unit_amount": 5, "product_data[name]": "X", "product": product["id"]}
    )
    assert both.status_code == 400
    fraction = await client.post(
        "/v1/prices", data={"currency": "usd", "unit_amount_decimal": "0.5", "product": product["id"]}
    )
    assert fraction.status_code == 400 and fraction.json()["error"]["param"] == "unit_amount_decimal"
