"""/v1/subscription_items: each call changes its subscription's items through the subscription
update (its prorations and one `customer.subscription.updated`), and `expand[]` reaches through
items to their prices' products; fields that are always null here expand to null."""

from __future__ import annotations

import httpx

from app.clock import FixedClock
from tests.factories import events, post, price, subscription


async def test_create_update_delete_and_list_items(client: httpx.AsyncClient, clock: FixedClock) -> None:
    sub = await subscription(client)
    seats = await price(client, amount=500)
    clock.advance(days=15)
    item = await post(
        client,
        "/v1/subscription_items",
        subscription=sub["id"],
        price=seats["id"],
        quantity=2,
        proration_behavior="none",
    )
    assert (item["object"], item["subscription"], item["quantity"]) == ("subscription_item", sub["id"], 2)
    listed = (await client.get("/v1/subscription_items", params={"subscription": sub["id"]})).json()
    assert [i["id"] for i in listed["data"]] == [sub["items"]["data"][0]["id"], item["id"]]
    updated = await post(
        client, f"/v1/subscription_items/{item['id']}", quantity=3, proration_behavior="create_prorations"
    )
    assert updated["quantity"] == 3
    pending = (await client.get("/v1/invoiceitems", params={"pending": "true"})).json()["data"]
    assert sorted(i["amount"] for i in pending) and all(i["proration"] for i in pending)
    gone = await client.request("DELETE", f"/v1/subscription_items/{item['id']}", data={"proration_behavior": "none"})
    assert gone.json() == {"id": item["id"], "object": "subscription_item", "deleted": True}
    assert len(await events(client, "customer.subscription.updated")) == 3
    last = await client.request("DELETE", f"/v1/subscription_items/{sub['items']['data'][0]['id']}")
    assert last.status_code == 400 and last.json()["error"]["param"] == "items"
    assert (await client.get("/v1/subscription_items/si_missing")).status_code == 404


async def test_expand_reaches_products_and_null_fields_expand_to_null(client: httpx.AsyncClient) -> None:
    sub = await subscription(client)
    r = await client.get(
        f"/v1/subscriptions/{sub['id']}",
        params={"expand[]": ["items.data.price.product", "latest_invoice", "test_clock", "application"]},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"]["data"][0]["price"]["product"]["object"] == "product"
    assert body["latest_invoice"]["object"] == "invoice" and body["test_clock"] is None and body["application"] is None
    inv = await client.get(f"/v1/invoices/{sub['latest_invoice']}", params={"expand[]": "default_payment_method"})
    assert inv.status_code == 200 and inv.json()["default_payment_method"] is None
    bad = await client.get(f"/v1/subscriptions/{sub['id']}", params={"expand[]": "nonsense"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "expand"
