"""Webhook SSRF: where a delivery may connect, checked on the address it actually connects to.

Live mode: public addresses only (every IANA special-purpose range refused, 100.64.0.0/10
included). Test mode: loopback and private networks stay allowed for local development, never
link-local or cloud metadata addresses. A name is resolved once per attempt and the connection
goes to the checked address, so DNS rebinding cannot move it elsewhere; redirects are not followed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from app.clock import FixedClock
from app.domain.webhooks import address_allowed
from app.events.addresses import Resolver
from app.events.delivery import DeliveryWorker
from app.store.database import Database
from tests import factories as f
from tests.dns_server import Zone, dns_server
from tests.receiver import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


@pytest.fixture
async def zone() -> AsyncIterator[Zone]:
    async with dns_server() as z:
        yield z


@pytest.fixture
def now_clock(clock: FixedClock) -> FixedClock:
    clock.at = datetime.now(UTC)
    return clock


@pytest.mark.parametrize(
    ("address", "live", "test"),
    [
        ("93.184.215.14", True, True),
        ("127.0.0.1", False, True),
        ("10.1.2.3", False, True),
        ("192.168.1.1", False, True),
        ("100.64.0.1", False, True),  # shared address space (carrier-grade NAT): not public
        ("169.254.169.254", False, False),  # cloud metadata
        ("::ffff:169.254.169.254", False, False),
        ("fd00:ec2::254", False, False),
        ("100.100.100.200", False, False),
        ("fe80::1", False, False),
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
        ("192.0.2.10", False, True),  # documentation range
        ("2606:4700::1111", True, True),
    ],
)
def test_address_policy_per_mode(address: str, live: bool, test: bool) -> None:
    assert address_allowed(address, livemode=True) is live
    assert address_allowed(address, livemode=False) is test


async def test_test_mode_refuses_metadata_addresses_at_create(client: httpx.AsyncClient) -> None:
    for url in ("http://169.254.169.254/latest/meta-data", "http://[fe80::1]/x", "http://[::ffff:169.254.169.254]/"):
        r = await client.post("/v1/webhook_endpoints", data={"url": url, "enabled_events[0]": "*"})
        assert (r.status_code, r.json()["error"]["code"]) == (400, "url_invalid"), url


async def _deliveries(client: httpx.AsyncClient, hook: dict[str, str]) -> list[dict[str, object]]:
    data: list[dict[str, object]] = (await client.get(f"/v1/webhook_endpoints/{hook['id']}/deliveries")).json()["data"]
    return data


async def _drain(worker: DeliveryWorker) -> None:
    while await worker.run_once():
        pass


async def test_a_name_is_resolved_once_and_the_checked_address_is_used(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver, zone: Zone
) -> None:
    zone.set("hooks.shop.test", "A", "127.0.0.1")
    url = f"http://hooks.shop.test:{receiver.port}/webhooks"
    hook = await f.post(client, "/v1/webhook_endpoints", url=url, **{"enabled_events[0]": "customer.created"})
    await f.post(client, "/v1/customers", email="dns@example.com")
    await _drain(DeliveryWorker(db, now_clock, resolver=Resolver([zone.nameserver])))
    assert [d["status"] for d in await _deliveries(client, hook)] == ["succeeded"]
    assert len(receiver.received) == 1
    # One question per address family for the one attempt: the connection did not resolve again.
    assert zone.asked[("hooks.shop.test", "A")] == 1


async def test_a_name_that_resolves_to_metadata_is_never_connected(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, zone: Zone
) -> None:
    """Test mode too: a name pointing at 169.254.169.254 (rebinding) is refused before connecting."""
    zone.set("rebind.shop.test", "A", "169.254.169.254")
    hook = await f.post(
        client, "/v1/webhook_endpoints", url="http://rebind.shop.test/hook", **{"enabled_events[0]": "customer.created"}
    )
    await f.post(client, "/v1/customers", email="rebind@example.com")
    await _drain(DeliveryWorker(db, now_clock, resolver=Resolver([zone.nameserver])))
    [delivery] = await _deliveries(client, hook)
    assert delivery["status"] == "pending" and "link-local or metadata" in str(delivery["last_error"])
    assert delivery["last_status_code"] is None


async def test_live_mode_refuses_names_that_resolve_inside(
    live_client: httpx.AsyncClient, db: Database, now_clock: FixedClock, zone: Zone
) -> None:
    zone.set("hooks.merchant.example", "A", "100.64.3.4")
    zone.set("hooks.merchant.example", "AAAA", "2606:4700::1111")
    hook = await f.post(
        live_client,
        "/v1/webhook_endpoints",
        url="https://hooks.merchant.example/hook",
        **{"enabled_events[0]": "customer.created"},
    )
    await f.post(live_client, "/v1/customers", email="live@example.com")
    await _drain(DeliveryWorker(db, now_clock, resolver=Resolver([zone.nameserver])))
    [delivery] = await _deliveries(live_client, hook)
    assert "non-public address (100.64.3.4)" in str(delivery["last_error"])


async def test_redirects_are_not_followed(
    client: httpx.AsyncClient, db: Database, now_clock: FixedClock, receiver: Receiver
) -> None:
    receiver.status = 307
    hook = await f.post(client, "/v1/webhook_endpoints", url=receiver.url, **{"enabled_events[0]": "customer.created"})
    await f.post(client, "/v1/customers", email="redirect@example.com")
    await _drain(DeliveryWorker(db, now_clock))
    [delivery] = await _deliveries(client, hook)
    assert (delivery["status"], delivery["last_status_code"]) == ("pending", 307)
