"""Products and prices."""

from __future__ import annotations

import httpx

from tests import factories as f


async def test_products_and_price_filters(client: httpx.AsyncClient) -> None:
    prod = await f.post(client, "/v1/products", name="Pro", **{"metadata[a]": "1"})
    monthly = await f.price(client, product=prod["id"], currency="USD")
    yearly = await f.price(client, product=prod["id"], interval="year", currency="sek")
    one_time = await f.price(client, product=prod["id"], interval="")
    assert monthly["currency"] == "usd" and one_time["type"] == "one_time" and one_time["recurring"] is None
    q = {"product": prod["id"]}

    def ids(r: httpx.Response) -> list[str]:
        return [p["id"] for p in r.json()["data"]]

    assert ids(await client.get("/v1/prices", params={**q, "recurring[interval]": "year"})) == [yearly["id"]]
    assert ids(await client.get("/v1/prices", params={**q, "type": "one_time"})) == [one_time["id"]]
    assert ids(await client.get("/v1/prices", params={**q, "currency": "sek"})) == [yearly["id"]]
    expanded = (await client.get(f"/v1/prices/{monthly['id']}", params={"expand[]": "product"})).json()
    assert expanded["product"]["name"] == "Pro"
    updated = await f.post(client, f"/v1/products/{prod['id']}", default_price=monthly["id"], active="false")
    assert (updated["default_price"], updated["active"]) == (monthly["id"], False)
    assert ids(await client.get("/v1/products", params={"active": "true"})) == []


async def test_price_rules(client: httpx.AsyncClient) -> None:
    prod = (await f.post(client, "/v1/products", name="P"))["id"]
    r = await client.post("/v1/prices", data={"product": prod, "currency": "usd"})
    assert r.json()["error"]["param"] == "unit_amount"
    r = await client.post("/v1/prices", data={"product": "prod_nope", "currency": "usd", "unit_amount": "1"})
    assert (r.status_code, r.json()["error"]["param"]) == (404, "product")
    r = await client.post(
        "/v1/prices",
        data={
            "product": prod,
            "currency": "usd",
            "billing_scheme": "tiered",
            "tiers_mode": "volume",
            "recurring[interval]": "month",
            "tiers[0][up_to]": "10",
            "tiers[0][unit_amount]": "5",
        },
    )
    assert "up_to=inf" in r.json()["error"]["message"]
    tiered = await f.price(
        client,
        product=prod,
        billing_scheme="tiered",
        tiers_mode="volume",
        **{
            "tiers[0][up_to]": "10",
            "tiers[0][unit_amount]": "5",
            "tiers[1][up_to]": "inf",
            "tiers[1][unit_amount]": "4",
        },
    )
    assert "tiers" not in tiered
    with_tiers = (await client.get(f"/v1/prices/{tiered['id']}", params={"expand[]": "tiers"})).json()
    assert [t["up_to"] for t in with_tiers["tiers"]] == [10, None]


async def test_lookup_keys_are_unique_unless_transferred(client: httpx.AsyncClient) -> None:
    a = await f.price(client, lookup_key="pro_monthly")
    r = await client.post(
        "/v1/prices", data={"product": a["product"], "currency": "usd", "unit_amount": "5", "lookup_key": "pro_monthly"}
    )
    assert r.json()["error"]["param"] == "lookup_key"
    b = await f.price(client, product=a["product"], lookup_key="pro_monthly", transfer_lookup_key="true")
    assert (await client.get(f"/v1/prices/{a['id']}")).json()["lookup_key"] is None
    found = (await client.get("/v1/prices", params={"lookup_keys[0]": "pro_monthly"})).json()["data"]
    assert [p["id"] for p in found] == [b["id"]]
