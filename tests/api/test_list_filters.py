"""List filters of Stripe's that select by what an object is (https://docs.stripe.com/api):
products by `ids`, `shippable`, `type` and `url`, a chosen product `id`; customers and
subscriptions by `test_clock`; subscriptions by `plan` and their current period."""

from __future__ import annotations

import httpx

from tests.factories import customer, post, price


async def _ids(client: httpx.AsyncClient, path: str, **params: str | int) -> list[str]:
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    return [o["id"] for o in r.json()["data"]]


async def test_products_by_ids_shippable_type_and_url_and_a_chosen_id(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    box = await post(
        client, "/v1/products", name="Box", id="prod_box", type="good", shippable="true", url="https://x.se/box"
    )
    plan = await post(client, "/v1/products", name="Plan")
    assert box["id"] == "prod_box" and box["type"] == "good" and plan["type"] == "service"
    # Another account may choose the same id: ids are the account's own.
    assert (await post(other_client, "/v1/products", name="Theirs", id="prod_box"))["id"] == "prod_box"
    again = await client.post("/v1/products", data={"name": "Again", "id": "prod_box"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "resource_already_exists"
    assert await _ids(client, "/v1/products", **{"ids[0]": "prod_box"}) == ["prod_box"]
    assert await _ids(client, "/v1/products", shippable="true") == ["prod_box"]
    assert await _ids(client, "/v1/products", type="service") == [plan["id"]]
    assert await _ids(client, "/v1/products", url="https://x.se/box") == ["prod_box"]


async def test_customers_and_subscriptions_by_test_clock_plan_and_period(client: httpx.AsyncClient) -> None:
    clock = await post(client, "/v1/test_helpers/test_clocks", frozen_time=1_800_000_000)
    clocked = await customer(client, test_clock=clock["id"])
    plain = await customer(client)
    assert await _ids(client, "/v1/customers", test_clock=clock["id"]) == [clocked["id"]]
    monthly = await price(client)
    on_clock = await post(client, "/v1/subscriptions", customer=clocked["id"], **{"items[0][price]": monthly["id"]})
    off = await post(
        client, "/v1/subscriptions", customer=plain["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    assert await _ids(client, "/v1/subscriptions", test_clock=clock["id"]) == [on_clock["id"]]
    assert await _ids(client, "/v1/subscriptions", plan=monthly["id"]) == [on_clock["id"]]
    end = off["items"]["data"][0]["current_period_end"]
    assert await _ids(client, "/v1/subscriptions", **{"current_period_end[lte]": end}) == [off["id"]]
    assert await _ids(client, "/v1/subscriptions", **{"current_period_start[gte]": 1_800_000_000}) == [on_clock["id"]]
