"""Two delivery workers against healthy, slow, failing, hanging and unresolvable endpoints: the
healthy ones are not held up by the others, and each event reaches each endpoint once."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import pytest

from app.clock import SystemClock
from app.context import Ctx
from app.events import outbox
from app.events.addresses import Resolver
from app.events.delivery import DeliveryWorker
from app.ids import new_id
from app.scope import Scope
from app.services import accounts as account_service
from app.store.database import Database
from app.store.models import WebhookEndpoint
from tests.receiver import Receiver, serve_receiver

EVENTS = 20
LEASE = 12  # an attempt is cut off at 6 s (Stripe's own timeout is 10 s)


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    names = ("healthy_a", "healthy_b", "slow", "failing")
    running = [serve_receiver() for _ in names]
    made = {name: next(r) for name, r in zip(names, running, strict=True)}
    made["slow"].delay = 1.0
    made["failing"].status = 500
    yield made
    for r in running:
        r.close()


@pytest.fixture
async def hanging() -> AsyncIterator[str]:
    """An endpoint that accepts the connection and never answers."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.read(-1)
        finally:
            writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/webhooks"
    server.close()


@pytest.fixture
def silent_nameserver() -> Iterator[str]:
    """A nameserver that never answers: every lookup through it times out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


async def _account(db: Database, clock: SystemClock, urls: list[str]) -> Scope:
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="fairness")
    scope = Scope(new.account.id, False)
    ctx = Ctx(scope, clock)
    async with db.transaction() as uow:
        for url in urls:
            uow.webhook_endpoints.add(
                WebhookEndpoint(
                    id=new_id("we", 24),
                    account_id=scope.account_id,
                    livemode=False,
                    created=ctx.now() - 1,
                    url=url,
                    enabled_events=["*"],
                    status="enabled",
                    secret="whsec_test",
                    metadata_={},
                    deleted=False,
                )
            )
    return scope


async def _events(db: Database, clock: SystemClock, scope: Scope) -> set[str]:
    ctx = Ctx(scope, clock)
    async with db.transaction() as uow:
        return {
            outbox.record(uow, ctx, "customer.updated", {"id": f"cus_{i}", "object": "customer"}) for i in range(EVENTS)
        }


def _ids(receiver: Receiver) -> Counter[str]:
    with receiver.lock:
        return Counter(json.loads(r.body)["id"] for r in receiver.received)


async def _until(check: object, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if check():  # type: ignore[operator]
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {limit} s")


async def test_a_hanging_or_failing_endpoint_delays_no_other_and_nothing_arrives_twice(
    db: Database, receivers: dict[str, Receiver], hanging: str, silent_nameserver: str
) -> None:
    clock = SystemClock()
    unresolvable = [f"http://nowhere-{i}.invalid/webhooks" for i in range(3)]
    noisy = [hanging] * 10 + unresolvable + [receivers["failing"].url] * 3
    scope_a = await _account(db, clock, [receivers["healthy_a"].url, receivers["slow"].url, *noisy])
    scope_b = await _account(db, clock, [receivers["healthy_b"].url])
    ids_a = await _events(db, clock, scope_a)
    ids_b = await _events(db, clock, scope_b)
    resolver = Resolver([silent_nameserver], timeout=LEASE)
    workers = [DeliveryWorker(db, clock, lease=LEASE, resolver=resolver) for _ in range(2)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop, idle=0.05)) for w in workers]
    try:
        # Healthy endpoints of both accounts get everything before the first hanging attempt is
        # even given up (at half the lease): they waited for none of them.
        took = await _until(
            lambda: set(_ids(receivers["healthy_a"])) >= ids_a and set(_ids(receivers["healthy_b"])) >= ids_b, 30
        )
        assert took < LEASE / 2, f"healthy endpoints took {took:.1f} s"
        # The slow endpoint (1 s an answer) gets everything too, each event once: no lease ran out.
        await _until(lambda: set(_ids(receivers["slow"])) >= ids_a, 60)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    for name, ids in (("healthy_a", ids_a), ("healthy_b", ids_b), ("slow", ids_a)):
        counts = _ids(receivers[name])
        assert set(counts) == ids and max(counts.values()) == 1, (name, counts.most_common(3))
    assert not _ids(receivers["failing"])  # answered 500: retried later, never counted as delivered
