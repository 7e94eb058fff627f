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


async def test_product_details_are_kept_and_default_price_data_makes_the_price(client: httpx.AsyncClient) -> None:
    """images, marketing_features, package_dimensions, shippable, statement_descriptor, unit_label,
    url are stored and rendered ("" unsets); default_price_data creates the default price."""
    r = await client.post(
        "/v1/products",
        data={
            "name": "Box",
            "images[0]": "https://shop.example/box.png",
            "marketing_features[0][name]": "Sturdy",
            "package_dimensions[height]": "10",
            "package_dimensions[length]": "20",
            "package_dimensions[weight]": "1.5",
            "package_dimensions[width]": "5",
            "shippable": "true",
            "statement_descriptor": "BOX CO",
            "unit_label": "box",
            "url": "https://shop.example/box",
            "default_price_data[currency]": "usd",
            "default_price_data[unit_amount]": "1200",
            "default_price_data[recurring][interval]": "month",
        },
    )
    assert r.status_code == 200, r.text
    product = r.json()
    assert product["images"] == ["https://shop.example/box.png"]
    assert product["marketing_features"] == [{"name": "Sturdy"}]
    assert product["package_dimensions"] == {"height": 10.0, "length": 20.0, "weight": 1.5, "width": 5.0}
    assert (product["shippable"], product["statement_descriptor"], product["unit_label"]) == (True, "BOX CO", "box")
    price = (await client.get(f"/v1/prices/{product['default_price']}")).json()
    assert (price["unit_amount"], price["recurring"]["interval"], price["product"]) == (1200, "month", product["id"])
    updated = (await client.post(f"/v1/products/{product['id']}", data={"url": "", "images": ""})).json()
    assert updated["url"] is None and updated["images"] == [] and updated["unit_label"] == "box"
    found = (await client.get("/v1/products/search", params={"query": 'shippable:"true"'})).json()["data"]
    assert [p["id"] for p in found] == [product["id"]]
    bad = await client.post("/v1/products", data={"name": "X", "images[0]": "ftp://nope"})
    assert bad.status_code == 400 and bad.json()["error"]["param"].startswith("images")
