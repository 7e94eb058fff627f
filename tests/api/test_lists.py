"""Stripe's list conventions: newest first, cursors in both directions, stable under equal timestamps."""

from __future__ import annotations

import httpx

from app.clock import FixedClock


async def _make(client: httpx.AsyncClient, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append((await client.post("/v1/customers", data={"email": f"c{i}@example.com"})).json()["id"])
    return ids


async def test_pages_walk_every_object_once_even_when_timestamps_tie(client: httpx.AsyncClient) -> None:
    ids = await _make(client, 7)  # the FixedClock gives all seven the same `created`
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if after:
            params["starting_after"] = after
        page = (await client.get("/v1/customers", params=params)).json()
        seen += [c["id"] for c in page["data"]]
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]
    assert seen == list(reversed(ids))


async def test_ending_before_pages_backwards(client: httpx.AsyncClient, clock: FixedClock) -> None:
    ids = []
    for i in range(5):
        clock.advance(seconds=1)
        ids.append((await client.post("/v1/customers", data={"email": f"c{i}@example.com"})).json()["id"])
    page = (await client.get("/v1/customers", params={"ending_before": ids[1], "limit": 2})).json()
    assert [c["id"] for c in page["data"]] == [ids[3], ids[2]]
    assert page["has_more"] is True
    last = (await client.get("/v1/customers", params={"ending_before": ids[3], "limit": 2})).json()
    assert ([c["id"] for c in last["data"]], last["has_more"]) == ([ids[4]], False)


async def test_limit_bounds_and_unknown_cursor(client: httpx.AsyncClient) -> None:
    for limit in ("0", "101", "x"):
        r = await client.get("/v1/customers", params={"limit": limit})
        assert (r.status_code, r.json()["error"]["param"]) == (400, "limit")
    r = await client.get("/v1/customers", params={"starting_after": "cus_nope"})
    assert (r.status_code, r.json()["error"]["param"]) == (404, "starting_after")
    assert len((await client.get("/v1/customers")).json()["data"]) == 0


async def test_default_limit_is_ten(client: httpx.AsyncClient) -> None:
    await _make(client, 11)
    page = (await client.get("/v1/customers")).json()
    assert (len(page["data"]), page["has_more"]) == (10, True)


async def test_expand_rules(client: httpx.AsyncClient) -> None:
    cid = (await _make(client, 1))[0]
    r = await client.get(f"/v1/customers/{cid}", params={"expand[]": "nonsense"})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "expand")
    r = await client.get("/v1/customers", params={"expand[0]": "a.b.c.d.e"})
    assert r.status_code == 400
    r = await client.get("/v1/customers", params={"expand[0]": "data.a.b.c.d.e"})
    assert "more than 4 levels" in r.json()["error"]["message"]
