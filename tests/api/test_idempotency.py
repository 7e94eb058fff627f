"""Idempotency-Key: replay byte for byte, refuse reuse with other parameters, keep keys 24 hours."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from app.clock import FixedClock
from app.events.housekeeping import Housekeeper
from app.store.database import Database
from app.store.models import IdempotencyRecord
from tests.conftest import Keys


async def _count(client: httpx.AsyncClient, email: str) -> int:
    return len((await client.get("/v1/customers", params={"email": email, "limit": 100})).json()["data"])


async def test_replay_is_byte_for_byte_and_marked(client: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "key-1"}
    first = await client.post("/v1/customers", data={"email": "i@example.com"}, headers=h)
    second = await client.post("/v1/customers", data={"email": "i@example.com"}, headers=h)
    assert first.content == second.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(client, "i@example.com") == 1


async def test_same_key_with_other_parameters_or_endpoint_is_an_idempotency_error(client: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "key-2"}
    cid = (await client.post("/v1/customers", data={"email": "a@example.com"}, headers=h)).json()["id"]
    other = await client.post("/v1/customers", data={"email": "b@example.com"}, headers=h)
    assert (other.status_code, other.json()["error"]["type"]) == (400, "idempotency_error")
    elsewhere = await client.post(f"/v1/customers/{cid}", data={"email": "a@example.com"}, headers=h)
    assert elsewhere.json()["error"]["type"] == "idempotency_error"
    assert await _count(client, "b@example.com") == 0


async def test_keys_are_per_account_and_mode(client: httpx.AsyncClient, live_client: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "shared"}
    a = await client.post("/v1/customers", data={"email": "m@example.com"}, headers=h)
    b = await live_client.post("/v1/customers", data={"email": "m@example.com"}, headers=h)
    assert a.json()["id"] != b.json()["id"]


async def test_failed_validation_is_not_saved(client: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "key-3"}
    bad = await client.post("/v1/customers", data={"email": "x@example.com", "bogus": "1"}, headers=h)
    assert bad.status_code == 400
    good = await client.post("/v1/customers", data={"email": "x@example.com"}, headers=h)
    assert good.status_code == 200


async def test_keys_expire_after_24_hours(client: httpx.AsyncClient, clock: FixedClock) -> None:
    h = {"Idempotency-Key": "key-4"}
    first = (await client.post("/v1/customers", data={"email": "t@example.com"}, headers=h)).json()
    clock.advance(hours=23)
    assert (await client.post("/v1/customers", data={"email": "t@example.com"}, headers=h)).json() == first
    clock.advance(hours=2)
    again = (await client.post("/v1/customers", data={"email": "t@example.com"}, headers=h)).json()
    assert again["id"] != first["id"]


async def test_key_longer_than_255_characters_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/customers", data={"email": "l@example.com"}, headers={"Idempotency-Key": "k" * 256})
    assert r.status_code == 400
    assert await _count(client, "l@example.com") == 0


async def test_concurrent_requests_with_one_key_create_one_object(client: httpx.AsyncClient) -> None:
    h = {"Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *(client.post("/v1/customers", data={"email": "race@example.com"}, headers=h) for _ in range(32))
    )
    ok = [r for r in responses if r.status_code == 200]
    assert ok and all(r.content == ok[0].content for r in ok)
    assert all(r.status_code in (200, 409) for r in responses)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "idempotency_key_in_use"
            assert r.headers["stripe-should-retry"] == "true"
    assert await _count(client, "race@example.com") == 1


async def test_the_worker_purges_keys_after_their_24_hours(
    client: httpx.AsyncClient, db: Database, clock: FixedClock, keys: Keys
) -> None:
    """Stripe replays a key for 24 hours; after that the worker deletes its record."""
    old = await client.post("/v1/customers", data={"email": "a@example.com"}, headers={"Idempotency-Key": "old-key"})
    clock.advance(hours=23)
    young = await client.post("/v1/customers", data={"email": "b@example.com"}, headers={"Idempotency-Key": "new-key"})
    clock.advance(hours=1, seconds=1)
    assert await Housekeeper(db, clock, idempotency_ttl_hours=24, batch=1).run_once() >= 1
    async with db.uow(write=False) as uow:
        stmt = select(IdempotencyRecord.key).where(IdempotencyRecord.account_id == keys.account_id)
        assert list((await uow.session.execute(stmt)).scalars()) == ["new-key"]
    replay = await client.post("/v1/customers", data={"email": "b@example.com"}, headers={"Idempotency-Key": "new-key"})
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json()["id"] == young.json()["id"]
    assert old.status_code == 200
