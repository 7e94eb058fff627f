"""/v1/customers end to end through the wire layer, with the events each change records."""

from __future__ import annotations

import httpx

from tests import factories as f


async def _create(client: httpx.AsyncClient, **data: str) -> dict[str, object]:
    r = await client.post("/v1/customers", data=data)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


async def test_create_renders_stripes_shape(client: httpx.AsyncClient) -> None:
    c = await _create(
        client,
        **{"email": "jenny@example.com", "name": "Jenny", "preferred_locales[0]": "sv", "metadata[plan]": "gold"},
    )
    assert c["object"] == "customer" and str(c["id"]).startswith("cus_")
    assert c["invoice_settings"] == {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    }
    assert (c["preferred_locales"], c["metadata"], c["livemode"]) == (["sv"], {"plan": "gold"}, False)
    assert (await client.get(f"/v1/customers/{c['id']}")).json() == c


async def test_update_changes_only_what_is_sent_and_empty_string_unsets(client: httpx.AsyncClient) -> None:
    c = await _create(client, email="a@example.com", name="A", phone="123", **{"metadata[a]": "1", "metadata[b]": "2"})
    r = await client.post(f"/v1/customers/{c['id']}", data={"name": "", "metadata[a]": "", "metadata[c]": "3"})
    u = r.json()
    assert (u["name"], u["email"], u["phone"]) == (None, "a@example.com", "123")
    assert u["metadata"] == {"b": "2", "c": "3"}
    cleared = (await client.post(f"/v1/customers/{c['id']}", data={"metadata": ""})).json()
    assert cleared["metadata"] == {}


async def test_events_are_recorded_with_previous_attributes(client: httpx.AsyncClient) -> None:
    c = await _create(client, email="e@example.com")
    await client.post(f"/v1/customers/{c['id']}", data={"name": "New"}, headers={"Idempotency-Key": "k-ev"})
    await client.delete(f"/v1/customers/{c['id']}")
    events = (await client.get("/v1/events")).json()["data"]
    assert [e["type"] for e in events] == ["customer.deleted", "customer.updated", "customer.created"]
    updated = events[1]
    assert updated["data"]["previous_attributes"] == {"name": None}
    assert updated["data"]["object"]["name"] == "New"
    assert updated["request"]["idempotency_key"] == "k-ev"
    assert updated["request"]["id"].startswith("req_")
    only = (await client.get("/v1/events", params={"type": "customer.updated"})).json()["data"]
    assert [e["id"] for e in only] == [updated["id"]]
    prefixed = (await client.get("/v1/events", params={"type": "customer.*"})).json()["data"]
    assert len(prefixed) == 3


async def test_update_without_change_records_no_event(client: httpx.AsyncClient) -> None:
    c = await _create(client, email="same@example.com")
    await client.post(f"/v1/customers/{c['id']}", data={"email": "same@example.com"})
    assert [e["type"] for e in (await client.get("/v1/events")).json()["data"]] == ["customer.created"]


async def test_delete_leaves_stripes_stub_and_hides_from_lists(client: httpx.AsyncClient) -> None:
    c = await _create(client, email="gone@example.com")
    r = await client.delete(f"/v1/customers/{c['id']}")
    assert r.json() == {"id": c["id"], "object": "customer", "deleted": True}
    assert (await client.get(f"/v1/customers/{c['id']}")).json()["deleted"] is True
    assert (await client.get("/v1/customers")).json()["data"] == []
    assert (await client.post(f"/v1/customers/{c['id']}", data={"name": "x"})).status_code == 404


async def test_list_filters_by_email_and_created(client: httpx.AsyncClient) -> None:
    a = await _create(client, email="same@example.com")
    await _create(client, email="other@example.com")
    b = await _create(client, email="same@example.com")
    r = (await client.get("/v1/customers", params={"email": "same@example.com"})).json()
    assert [c["id"] for c in r["data"]] == [b["id"], a["id"]]
    assert r["url"] == "/v1/customers"
    created = int(str(a["created"]))
    assert len((await client.get("/v1/customers", params={"created[gte]": created})).json()["data"]) == 3
    assert (await client.get("/v1/customers", params={"created[gt]": created})).json()["data"] == []


async def test_bad_input_changes_nothing(client: httpx.AsyncClient) -> None:
    c = await _create(client, email="keep@example.com", name="Keep")
    for data in ({"name": "X", "unknown": "1"}, {"name": "X", "balance": "many"}, {"email": "X"}):
        r = await client.post(f"/v1/customers/{c['id']}", data=data)
        assert r.status_code == 400
        assert set(r.json()["error"]) >= {"type", "code", "message", "param"}
    assert (await client.get(f"/v1/customers/{c['id']}")).json()["name"] == "Keep"
    assert len((await client.get("/v1/events")).json()["data"]) == 1


async def test_deleting_a_customer_cancels_their_subscriptions_at_once(client: httpx.AsyncClient) -> None:
    """Stripe's rule: a deleted customer's subscriptions end immediately, each with its event."""
    customer = await f.customer(client)
    subs = [await f.subscription(client, customer_id=customer["id"]) for _ in range(2)]
    assert (await client.delete(f"/v1/customers/{customer['id']}")).json()["deleted"] is True
    for sub in subs:
        after = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
        assert after["status"] == "canceled" and after["ended_at"] is not None
    deleted = {e["data"]["object"]["id"] for e in await f.events(client, "customer.subscription.deleted")}
    assert deleted >= {s["id"] for s in subs}
    r = await client.post("/v1/subscriptions", data={"customer": customer["id"], "items[0][price]": "price_x"})
    assert r.status_code == 404
