"""API keys and the test/live separation (R2)."""

from __future__ import annotations

import base64

import httpx

from app.clock import FixedClock
from app.services import accounts as account_service
from app.store.database import Database
from tests.conftest import Keys


async def test_bearer_and_basic_auth_both_work(anon: httpx.AsyncClient, keys: Keys) -> None:
    bearer = await anon.get("/v1/customers", headers={"Authorization": f"Bearer {keys.test}"})
    basic = await anon.get(
        "/v1/customers", headers={"Authorization": "Basic " + base64.b64encode(f"{keys.test}:".encode()).decode()}
    )
    assert bearer.status_code == basic.status_code == 200


async def test_missing_key_is_401_in_stripes_shape(anon: httpx.AsyncClient) -> None:
    r = await anon.get("/v1/customers")
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert "did not provide an API key" in r.json()["error"]["message"]


async def test_unknown_and_malformed_keys_are_401_with_the_key_masked(anon: httpx.AsyncClient) -> None:
    for key in ("sk_test_" + "A" * 48, "sk_test_short", "hello world", "sk_prod_" + "x" * 30):
        r = await anon.get("/v1/customers", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 401, key
        message = r.json()["error"]["message"]
        assert key not in message or len(key) < 12
        assert "*" in message or "did not provide" in message


async def test_publishable_key_is_refused(anon: httpx.AsyncClient) -> None:
    r = await anon.get("/v1/customers", headers={"Authorization": "Bearer pk_test_abcdefghijklmnop"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "secret_key_required"


async def test_rolled_keys_stop_working(anon: httpx.AsyncClient, keys: Keys, db: Database, clock: FixedClock) -> None:
    async with db.transaction() as uow:
        new = await account_service.roll_keys(uow, clock, keys.account_id)
    assert new is not None
    old = await anon.get("/v1/customers", auth=(keys.test, ""))
    fresh = await anon.get("/v1/customers", auth=(new.test_key, ""))
    assert (old.status_code, fresh.status_code) == (401, 200)


async def test_r2_test_and_live_mode_never_see_each_other(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient
) -> None:
    """R2: every object exists in one mode; the other mode's key gets the made-up-id 404."""
    test_cus = (await client.post("/v1/customers", data={"email": "t@example.com"})).json()
    live_cus = (await live_client.post("/v1/customers", data={"email": "l@example.com"})).json()
    assert (test_cus["livemode"], live_cus["livemode"]) == (False, True)

    assert [c["id"] for c in (await client.get("/v1/customers")).json()["data"]] == [test_cus["id"]]
    assert [c["id"] for c in (await live_client.get("/v1/customers")).json()["data"]] == [live_cus["id"]]

    for c, foreign in ((client, live_cus["id"]), (live_client, test_cus["id"])):
        for method, path in (
            ("GET", f"/v1/customers/{foreign}"),
            ("POST", f"/v1/customers/{foreign}"),
            ("DELETE", f"/v1/customers/{foreign}"),
        ):
            r = await c.request(method, path)
            assert r.status_code == 404, (method, path)
            assert r.json()["error"]["code"] == "resource_missing"
        r = await c.get("/v1/customers", params={"starting_after": foreign})
        assert r.status_code == 404
    live_events = (await live_client.get("/v1/events")).json()["data"]
    assert {e["data"]["object"]["id"] for e in live_events} == {live_cus["id"]}


async def test_r2_other_accounts_objects_look_like_made_up_ids(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    """R2: another account's id answers exactly like an id that never existed."""
    theirs = (await other_client.post("/v1/customers", data={"email": "o@example.com"})).json()["id"]
    made_up = "cus_" + "Z" * 14
    foreign = (await client.get(f"/v1/customers/{theirs}")).json()["error"]
    missing = (await client.get(f"/v1/customers/{made_up}")).json()["error"]
    assert foreign["message"].replace(theirs, "ID") == missing["message"].replace(made_up, "ID")
    assert {k: v for k, v in foreign.items() if k != "message"} == {k: v for k, v in missing.items() if k != "message"}
    r = await client.post(f"/v1/customers/{theirs}", data={"name": "hijack"})
    assert r.status_code == 404
    assert (await other_client.get(f"/v1/customers/{theirs}")).json()["name"] is None
    ev = await client.get(f"/v1/events/{(await other_client.get('/v1/events')).json()['data'][0]['id']}")
    assert ev.status_code == 404
