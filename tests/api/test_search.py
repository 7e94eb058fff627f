"""Search with Stripe's query language (https://docs.stripe.com/search#search-query-language):
exact and substring matches, comparisons, AND/OR, negation, metadata, null, pages; Stripe's
errors for a bad query; `search` is never taken for an id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.clock import FixedClock
from tests.factories import post, price, subscription


async def _search(client: httpx.AsyncClient, resource: str, query: str, **extra: Any) -> dict[str, Any]:
    r = await client.get(f"/v1/{resource}/search", params={"query": query, **extra})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["object"] == "search_result" and body["url"] == f"/v1/{resource}/search"
    return body


async def test_customers_by_email_name_metadata_and_time(client: httpx.AsyncClient, clock: FixedClock) -> None:
    jenny = await post(
        client, "/v1/customers", email="jenny@example.com", name="Jenny Rosen", **{"metadata[plan]": "pro"}
    )
    clock.advance(seconds=10)
    await post(client, "/v1/customers", email="bob@example.com", name="Bob", **{"metadata[plan]": "free"})
    nameless = await post(client, "/v1/customers", email="anon@example.com")

    def ids(body: dict[str, Any]) -> list[str]:
        return [c["id"] for c in body["data"]]

    assert ids(await _search(client, "customers", 'email:"jenny@example.com"')) == [jenny["id"]]
    assert ids(await _search(client, "customers", 'name~"ROS"')) == [jenny["id"]]
    assert ids(await _search(client, "customers", 'metadata["plan"]:"pro"')) == [jenny["id"]]
    assert len((await _search(client, "customers", 'metadata["plan"]:"pro" OR metadata["plan"]:"free"'))["data"]) == 2
    assert ids(await _search(client, "customers", f"created<{jenny['created'] + 1}")) == [jenny["id"]]
    assert ids(await _search(client, "customers", "name:null")) == [nameless["id"]]
    assert jenny["id"] not in ids(await _search(client, "customers", '-email:"jenny@example.com"'))


async def test_pages_follow_next_page(client: httpx.AsyncClient) -> None:
    made = [
        await post(client, "/v1/customers", email=f"p{i}@example.com", **{"metadata[batch]": "b"}) for i in range(5)
    ]
    first = await _search(client, "customers", 'metadata["batch"]:"b"', limit=2)
    assert first["has_more"] and first["next_page"]
    seen = [c["id"] for c in first["data"]]
    page: str | None = first["next_page"]
    while page:
        more = await _search(client, "customers", 'metadata["batch"]:"b"', limit=2, page=page)
        seen += [c["id"] for c in more["data"]]
        page = more["next_page"]
    assert seen == [c["id"] for c in reversed(made)]


async def test_other_resources(client: httpx.AsyncClient) -> None:
    product = await post(client, "/v1/products", name="Gold plan", description="The best")
    p = await price(client, product=product["id"], amount=2500, lookup_key="gold_monthly")
    sub = await subscription(client, price_id=p["id"])
    assert [x["id"] for x in (await _search(client, "products", 'name~"gold" AND active:"true"'))["data"]] == [
        product["id"]
    ]
    assert [x["id"] for x in (await _search(client, "prices", 'lookup_key:"gold_monthly"'))["data"]] == [p["id"]]
    assert [x["id"] for x in (await _search(client, "subscriptions", 'status:"active"'))["data"]] == [sub["id"]]
    invoices = await _search(client, "invoices", f'customer:"{sub["customer"]}" AND total>=2500')
    assert [x["id"] for x in invoices["data"]] == [sub["latest_invoice"]]
    assert (await _search(client, "invoices", "total>2500"))["data"] == []
    expanded = await _search(client, "subscriptions", 'status:"active"', **{"expand[]": "data.customer"})
    assert expanded["data"][0]["customer"]["object"] == "customer"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ('email:"a" AND name:"b" OR phone:"c"', "combine AND and OR"),
        ('nonsense:"x"', "unsupported search field"),
        ('email~"ab"', "at least 3"),
        ("email:", "syntax error"),
        ("", "empty"),
        ('created>"soon"', "needs a number"),
        (" AND ".join(f'email:"{i}@x.se"' for i in range(11)), "at most 10"),
    ],
)
async def test_bad_queries_are_stripes_400(client: httpx.AsyncClient, query: str, words: str) -> None:
    r = await client.get("/v1/customers/search", params={"query": query})
    error = r.json()["error"]
    assert r.status_code == 400 and error["param"] == "query" and words in error["message"], error


async def test_search_is_never_an_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/customers/search")
    assert r.status_code == 400 and r.json()["error"]["param"] == "query"  # query is required
    bad_page = await client.get("/v1/customers/search", params={"query": 'email:"x@y.se"', "page": "%%%"})
    assert bad_page.status_code == 400 and bad_page.json()["error"]["param"] == "page"
