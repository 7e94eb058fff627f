"""Invoice item and line parameters of Stripe's older and newer ways
(https://docs.stripe.com/api/invoiceitems/create): `price_data` makes a one-time price for the
item, `unit_amount_decimal` and `quantity_decimal` in whole units, `invoice_metadata` on add_lines;
and a preview in another currency than the subscription's is refused by name."""

from __future__ import annotations

import httpx

from tests.factories import customer, post, price, subscription


async def test_price_data_and_decimal_amounts_make_the_items_charge(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    product = await post(client, "/v1/products", name="Setup")
    made = await post(
        client,
        "/v1/invoiceitems",
        customer=cust["id"],
        **{"price_data[currency]": "usd", "price_data[product]": product["id"], "price_data[unit_amount]": 2500},
        quantity_decimal="2",
    )
    assert (made["amount"], made["quantity"]) == (5000, 2)
    assert made["pricing"]["price_details"]["product"] == product["id"]
    decimal = await post(
        client, "/v1/invoiceitems", customer=cust["id"], currency="usd", unit_amount_decimal="300", quantity=3
    )
    assert decimal["amount"] == 900
    changed = await post(client, f"/v1/invoiceitems/{decimal['id']}", quantity_decimal="4")
    assert changed["amount"] == 1200
    half = await client.post(
        "/v1/invoiceitems", data={"customer": cust["id"], "currency": "usd", "unit_amount_decimal": "2.5"}
    )
    assert half.status_code == 400 and half.json()["error"]["param"] == "unit_amount_decimal"


async def test_add_lines_sets_the_invoices_metadata_and_a_preview_keeps_its_currency(
    client: httpx.AsyncClient,
) -> None:
    cust = await customer(client)
    inv = await post(client, "/v1/invoices", customer=cust["id"], currency="usd")
    added = await post(
        client,
        f"/v1/invoices/{inv['id']}/add_lines",
        **{"lines[0][amount]": 100, "invoice_metadata[batch]": "7"},
    )
    assert added["metadata"] == {"batch": "7"}
    sub = await subscription(client)
    ok = await post(client, "/v1/invoices/create_preview", subscription=sub["id"], currency="usd")
    assert ok["currency"] == "usd"
    other = await client.post("/v1/invoices/create_preview", data={"subscription": sub["id"], "currency": "eur"})
    assert other.status_code == 400 and other.json()["error"]["param"] == "currency"


async def test_pricing_price_sets_the_items_amount_from_the_price(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    setup = await price(client, amount=1200, interval=None)
    item = await post(client, "/v1/invoiceitems", customer=cust["id"], quantity=2, **{"pricing[price]": setup["id"]})
    assert (item["amount"], item["pricing"]["price_details"]["price"]) == (2400, setup["id"])
    cheaper = await price(client, amount=500, interval=None)
    moved = await post(client, f"/v1/invoiceitems/{item['id']}", **{"pricing[price]": cheaper["id"]})
    assert moved["amount"] == 1000
    both = await client.post(
        "/v1/invoiceitems", data={"customer": cust["id"], "amount": 5, "pricing[price]": setup["id"]}
    )
    assert both.status_code == 400
