"""Webhook endpoints and signed, at-least-once delivery to a real HTTP receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import stripe

from app.clock import FixedClock
from app.events.delivery import DeliveryWorker
from app.store.database import Database
from tests import factories as f
from tests.conftest import new_database
from tests.receiver import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


@pytest.fixture
def now_clock(clock: FixedClock) -> FixedClock:
    """Signatures are checked against the real time (300 s tolerance), so start from it."""
    clock.at = datetime.now(UTC)
    return clock


async def endpoint(client: httpx.AsyncClient, url: str, *events: str) -> dict[str, Any]:
    data: dict[str, Any] = {"url": url}
    for i, e in enumerate(events or ("*",)):
        data[f"enabled_events[{i}]"] = e
    return await f.post(client, "/v1/webhook_endpoints", **data)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """These tests work the whole queue, as a worker does: on the session's database that is every
    earlier test's events too (endpoints long gone, retried each time a test moves its clock hours
    ahead: one test took 40 s of a full run, 0.7 s alone). This module has a database of its own."""
    yield from new_database(tmp_path_factory)


async def drain(worker: DeliveryWorker) -> None:
    """Work the queue until idle, as the worker's loop does (other tests' events share the database)."""
    while await worker.run_once():
        pass


def verified(receiver: Receiver, secret: str) -> list[stripe.Event]:
    return [stripe.Webhook.construct_event(r.body.decode(), r.signature, secret) for r in receiver.received]


async def test_endpoint_crud_and_secret_once(client: httpx.AsyncClient, live_client: httpx.AsyncClient) -> None:
    created = await endpoint(client, "http://localhost:4242/webhooks", "customer.created", "invoice.paid")
    assert created["secret"].startswith("whsec_") and created["status"] == "enabled"
    fetched = (await client.get(f"/v1/webhook_endpoints/{created['id']}")).json()
    assert "secret" not in fetched and fetched["enabled_events"] == ["customer.created", "invoice.paid"]
    updated = await f.post(client, f"/v1/webhook_endpoints/{created['id']}", disabled="true", description="dev")
    assert (updated["status"], updated["description"]) == ("disabled", "dev")
    assert [e["id"] for e in (await client.get("/v1/webhook_endpoints")).json()["data"]] == [created["id"]]
    assert (await client.delete(f"/v1/webhook_endpoints/{created['id']}")).json()["deleted"] is True
    assert (await client.get(f"/v1/webhook_endpoints/{created['id']}")).status_code == 404
    assert (await live_client.get(f"/v1/webhook_endpoints/{created['id']}")).status_code == 404  # R2
    r = await client.post("/v1/webhook_endpoints", data={"url": "/relative", "enabled_events[0]": "*"})
    assert r.json()["error"]["code"] == "url_invalid"
    r = await client.post(
        "/v1/webhook_endpoints", data={"url": "http://x.example", "enabled_events[0]": "Not An Event"}
    )
    assert r.json()["error"]["param"] == "enabled_events[0]"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/x",
        "https://localhost/x",
        "https://[::1]/x",
    ],
)
async def test_live_endpoints_need_https_and_public_hosts(live_client: httpx.AsyncClient, url: str) -> None:
    r = await live_client.post("/v1/webhook_endpoints", data={"url": url, "enabled_events[0]": "*"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "url_invalid")


async def test_events_are_delivered_signed(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver
) -> None:
    """Every matching event arrives once, verifiable with the SDK's Webhook.construct_event."""
    hook = await endpoint(client, receiver.url, "customer.created", "customer.updated")
    cus = await f.post(client, "/v1/customers", email="w@example.com")
    await f.post(client, f"/v1/customers/{cus['id']}", name="W")
    await f.post(client, "/v1/products", name="not wanted")
    worker = DeliveryWorker(db, now_clock)
    await drain(worker)
    events = {e.type: e for e in verified(receiver, hook["secret"])}  # deliveries are concurrent: any order
    assert sorted(events) == ["customer.created", "customer.updated"]
    updated = events["customer.updated"]
    previous = updated.data.previous_attributes
    assert updated.data.object["name"] == "W" and previous is not None and previous["name"] is None
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            receiver.received[0].body.decode(), receiver.received[0].signature, "whsec_wrong"
        )
    listed = (await client.get("/v1/events", params={"type": "customer.updated"})).json()["data"][0]
    assert listed["pending_webhooks"] == 0
    deliveries = (await client.get(f"/v1/webhook_endpoints/{hook['id']}/deliveries")).json()["data"]
    assert {d["status"] for d in deliveries} == {"succeeded"} and len(deliveries) == 2
    await drain(worker)
    assert len(receiver.received) == 2  # nothing twice


async def test_r18_pause_collection_reaches_the_merchant(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver
) -> None:
    """R18: the merchant learns of pause_collection from customer.subscription.updated."""
    hook = await endpoint(client, receiver.url, "customer.subscription.updated")
    sub = await f.subscription(client)
    await f.post(client, f"/v1/subscriptions/{sub['id']}", **{"pause_collection[behavior]": "keep_as_draft"})
    await drain(DeliveryWorker(db, now_clock))
    [event] = verified(receiver, hook["secret"])
    assert event.data.object["pause_collection"]["behavior"] == "keep_as_draft"
    assert event.data.object["status"] == "active"


async def test_receiver_down_then_up_retries_with_backoff(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver
) -> None:
    hook = await endpoint(client, receiver.url)
    await f.post(client, "/v1/customers", email="retry@example.com")
    worker = DeliveryWorker(db, now_clock)
    receiver.status = 503
    await drain(worker)
    [delivery] = (await client.get(f"/v1/webhook_endpoints/{hook['id']}/deliveries")).json()["data"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("pending", 1, 503)
    wait = delivery["next_attempt_at"] - delivery["last_attempt_at"]
    assert 45 <= wait <= 75  # one minute, jittered
    await drain(worker)  # not before its time
    again = (await client.get(f"/v1/webhook_endpoints/{hook['id']}/deliveries")).json()["data"][0]
    assert again["attempts"] == 1
    event = (await client.get("/v1/events")).json()["data"][0]
    assert event["pending_webhooks"] == 1
    receiver.status = 200
    now_clock.advance(seconds=wait + 1)
    await drain(worker)
    [arrived] = verified(receiver, hook["secret"])
    assert arrived.id == event["id"]
    assert (await client.get(f"/v1/events/{event['id']}")).json()["pending_webhooks"] == 0


async def test_test_mode_gives_up_then_resend(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver
) -> None:
    hook = await endpoint(client, receiver.url)
    await f.post(client, "/v1/customers", email="fail@example.com")
    worker = DeliveryWorker(db, now_clock)
    receiver.status = 500
    for _ in range(20):
        await drain(worker)
        now_clock.advance(hours=7)
    [delivery] = (await client.get(f"/v1/webhook_endpoints/{hook['id']}/deliveries")).json()["data"]
    assert (delivery["status"], delivery["attempts"]) == ("failed", 8)
    receiver.status = 200
    resent = await f.post(client, f"/v1/webhook_endpoints/{hook['id']}/deliveries/{delivery['id']}/resend")
    assert resent["status"] == "pending"
    await drain(worker)
    assert len(verified(receiver, hook["secret"])) == 1


async def test_disabled_and_later_endpoints_get_nothing(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver
) -> None:
    await f.post(client, "/v1/customers", email="before@example.com")
    now_clock.advance(seconds=1)
    hook = await endpoint(client, receiver.url)
    off = await endpoint(client, receiver.url)
    await f.post(client, f"/v1/webhook_endpoints/{off['id']}", disabled="true")
    await f.post(client, "/v1/customers", email="after@example.com")
    await drain(DeliveryWorker(db, now_clock))
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["data"]["object"]["email"] for b in bodies] == ["after@example.com"]
    del hook
