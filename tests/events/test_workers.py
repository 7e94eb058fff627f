"""Delivery workers as real processes: killed mid-backlog they lose nothing; two of them on one
PostgreSQL never deliver the same event at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from app.clock import SystemClock
from app.context import Ctx
from app.events import outbox
from app.ids import new_id
from app.scope import Scope
from app.services import accounts as account_service
from app.store.database import Database
from app.store.models import WebhookEndpoint
from tests.conftest import PG, ROOT
from tests.receiver import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


async def _backlog(database_url: str, url: str, count: int) -> tuple[str, set[str]]:
    """An account with an endpoint and `count` events owed to it, written straight to the outbox."""
    db = Database(database_url)
    clock = SystemClock()
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="webhook load")
    ctx = Ctx(Scope(new.account.id, False), clock)
    ids: set[str] = set()
    async with db.uow() as uow:
        uow.webhook_endpoints.add(
            WebhookEndpoint(
                id=new_id("we", 24),
                account_id=new.account.id,
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
        for i in range(count):
            ids.add(outbox.record(uow, ctx, "customer.updated", {"id": f"cus_{i}", "object": "customer"}))
        await uow.commit()
    await db.dispose()
    return new.account.id, ids


def _worker(database_url: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning", **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _event_ids(receiver: Receiver) -> list[str]:
    import json

    with receiver.lock:
        return [json.loads(r.body)["id"] for r in receiver.received]


def test_a_killed_worker_loses_nothing(database_url: str, receiver: Receiver) -> None:
    """SIGKILL a worker mid-backlog, start another: every event still arrives (at least once)."""
    _account, ids = asyncio.run(_backlog(database_url, receiver.url, 300))
    receiver.delay = 0.01
    first = _worker(database_url, WEBHOOK_LEASE_SECONDS="2")
    try:
        receiver.wait_for(40, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    got_before = len(_event_ids(receiver))
    assert got_before < len(ids), "the worker finished before it could be killed; make the backlog longer"
    second = _worker(database_url, WEBHOOK_LEASE_SECONDS="2")
    try:
        deadline = time.monotonic() + 120
        while not ids <= set(_event_ids(receiver)) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        second.terminate()
        second.wait(timeout=30)
    received = _event_ids(receiver)
    assert ids <= set(received), f"{len(ids - set(received))} events lost"
    assert set(received) == ids  # duplicates, if any, carry the same event ids


@pytest.mark.skipif(not PG, reason="many workers share one PostgreSQL; SQLite serves one process at a time")
def test_two_workers_never_deliver_the_same_event_at_once(database_url: str, receiver: Receiver) -> None:
    """Two workers on one PostgreSQL deliver 10,000 events; each arrives once, never by both at once."""
    _account, ids = asyncio.run(_backlog(database_url, receiver.url, 10_000))
    workers = [_worker(database_url) for _ in range(2)]
    try:
        receiver.wait_for(len(ids), timeout=300)
        time.sleep(0.5)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
    counts: Counter[str] = Counter(_event_ids(receiver))
    assert set(counts) == ids
    assert max(counts.values()) == 1, [e for e, n in counts.items() if n > 1][:5]
