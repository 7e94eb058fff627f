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
    await client.post("/v1/customers", data={"email": "v@example.com"}, headers={"Stripe-Version": "2020-08-27"})
    event = (await client.get("/v1/events")).json()["data"][0]
    assert event["api_version"] == "2020-08-27"


async def test_unknown_route_and_method_are_stripe_shaped(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/unicorns")
    assert r.status_code == 404
    assert "Unrecognized request URL" in r.json()["error"]["message"]
    r = await client.put("/v1/customers")
    assert r.status_code == 405 and r.json()["error"]["type"] == "invalid_request_error"


async def test_invalid_json_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/customers", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "parameter_invalid_encoding"
