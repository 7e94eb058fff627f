"""`portal listen --forward-to`: the account's new events reach a local URL, validly signed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import stripe

from app.clock import SystemClock
from app.listen import listen
from app.services import accounts as account_service
from app.store.database import Database
from tests.conftest import LiveServer
from tests.receiver import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve_receiver()


async def test_listen_forwards_new_events_signed(live_server: LiveServer, receiver: Receiver) -> None:
    db = Database(live_server.database_url)
    async with db.transaction() as uow:
        new = await account_service.create(uow, SystemClock(), name="listener")
    await db.dispose()
    async with httpx.AsyncClient(base_url=live_server.base_url, auth=(new.test_key, "")) as api:
        await api.post("/v1/customers", data={"email": "old@example.com"})  # before listening: not forwarded
        stop = asyncio.Event()
        lines: list[str] = []
        task = asyncio.create_task(
            listen(
                live_server.base_url,
                new.test_key,
                receiver.url,
                interval=0.1,
                stop=stop,
                secret="whsec_listen",
                out=lines.append,
            )
        )
        await asyncio.sleep(0.5)
        created = (await api.post("/v1/customers", data={"email": "new@example.com"})).json()
        await asyncio.to_thread(receiver.wait_for, 1, 20)
        stop.set()
        await task
    [got] = receiver.received
    event = stripe.Webhook.construct_event(got.body.decode(), got.signature, "whsec_listen")
    assert (event.type, event.data.object["id"]) == ("customer.created", created["id"])
    assert lines[0].startswith("Ready! Your webhook signing secret is whsec_listen")
