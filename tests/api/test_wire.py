"""Wire conventions shared by every endpoint: bodies, limits, headers, unknown routes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx


async def test_json_bodies_and_query_strings_are_accepted(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/customers",
        content=json.dumps({"email": "j@example.com", "metadata": {"a": "b"}}),
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["metadata"]) == (200, {"a": "b"})
    q = await client.post("/v1/customers?email=q%40example.com")
    assert q.json()["email"] == "q@example.com"


async def test_oversized_body_is_413_by_declared_length(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/customers", content=b"description=" + b"x" * (1024 * 1024 + 1))
    assert r.status_code == 413
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert (await client.get("/v1/customers")).json()["data"] == []


async def test_oversized_streamed_body_is_cut_off(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"description="
        for _ in range(40):
            yield b"x" * 65536

    r = await client.post("/v1/customers", content=chunks())
    assert r.status_code == 413


async def test_every_response_has_a_request_id(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    for r in (await client.get("/v1/customers"), await anon.get("/v1/customers"), await client.get("/v1/nope")):
        assert r.headers["request-id"].startswith("req_")


async def test_stripe_version_is_accepted_and_recorded(client: httpx.AsyncClient) -> None:
    """A supported version is rendered and recorded as such; another is accepted and rendered (and
    recorded) as the newest, which is what its events then say."""
    await client.post("/v1/customers", data={"email": "v@example.com"}, headers={"Stripe-Version": "2026-07-29.dahlia"})
    assert (await client.get("/v1/events")).json()["data"][0]["api_version"] == "2026-07-29.dahlia"
    await client.post("/v1/customers", data={"email": "v@example.com"}, headers={"Stripe-Version": "2020-08-27"})
    assert (await client.get("/v1/events")).json()["data"][0]["api_version"] == "2026-10-28.endive"


async def test_unknown_route_and_method_are_stripe_shaped(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/unicorns")
    assert r.status_code == 404
    assert "Unrecognized request URL" in r.json()["error"]["message"]
    r = await client.put("/v1/customers")
    assert r.status_code == 405 and r.json()["error"]["type"] == "invalid_request_error"


async def test_invalid_json_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/customers", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "parameter_invalid_encoding"


async def test_405_names_every_method_of_the_resource(client: httpx.AsyncClient) -> None:
    """Found by schemathesis: RFC 9110's `Allow` on a 405, listing the resource's methods (GET and
    POST are two routes here), and not those of a template the path does not belong to."""
    r = await client.request("PUT", "/v1/customers")
    assert (r.status_code, r.headers["allow"]) == (405, "GET, POST")
    r = await client.request("PUT", "/v1/subscriptions/export.csv")
    assert (r.status_code, r.headers["allow"]) == (405, "GET")


async def test_nul_characters_and_nameless_or_loose_parameters_are_refused(client: httpx.AsyncClient) -> None:
    """Found by schemathesis: NUL in a value (PostgreSQL cannot hold it) and pairs qs would drop
    (`=x`) or misfile (`[a]=x`) are 400s that change nothing, on both databases."""
    before = (await client.get("/v1/customers")).json()["data"]
    for r in (
        await client.get("/v1/prices", params={"lookup_keys[0]": "a\x00b"}),
        await client.post("/v1/customers", data={"name": "a\x00"}),
        await client.post("/v1/customers", json={"name": "a\x00"}),
        await client.get("/v1/customers/cus_%00x"),
    ):
        assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_string"), r.text
    for body in ("=null", "[a]=1", "name=x&=y"):
        r = await client.post(
            "/v1/customers", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_unknown"), body
    assert (await client.get("/v1/customers")).json()["data"] == before


async def test_booleans_are_true_or_false_only(client: httpx.AsyncClient) -> None:
    """Found by schemathesis: Stripe reads `true`/`false` (stripe-python's `True`/`False` inside
    arrays too), not pydantic's lax 0/1, yes/no, on/off."""
    for value in ("0", "1", "yes", "off", "t"):
        r = await client.post("/v1/products", data={"name": "P", "active": value})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_boolean"), value
    ok = await client.post("/v1/products", data={"name": "P", "active": "False"})
    assert (ok.status_code, ok.json()["active"]) == (200, False)


async def test_integers_are_bounded_before_the_database(client: httpx.AsyncClient) -> None:
    """Found by schemathesis: an integer past 64 bits overflowed SQLite and PostgreSQL (a 500), and
    `0.0` passed for an integer (pydantic's lax parsing); Stripe reads plain digits."""
    product = (await client.post("/v1/products", data={"name": "P"})).json()["id"]
    r = await client.post("/v1/prices", data={"product": product, "currency": "usd", "unit_amount": str(10**30)})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "unit_amount")
    for value in ("0.0", "1e3", " 12", "12abc", "9" * 5000):
        r = await client.get("/v1/customers", params={"created[lte]": value, "limit": "3"})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_integer"), value
    r = await client.get("/v1/customers", params={"limit": "2.0"})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "limit")
    r = await client.get("/v1/customers", params={"created[gt]": str(10**30)})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "created")
