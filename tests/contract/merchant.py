"""A merchant account of its own for an SDK test module, made on the live server's database."""

from __future__ import annotations

import asyncio

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from tests.conftest import LiveServer


def new_test_key(live_server: LiveServer, name: str) -> str:
    """A fresh account's sk_test_ key."""

    async def make() -> str:
        db = Database(live_server.database_url)
        async with db.transaction() as uow:
            new = await account_service.create(uow, SystemClock(), name=name)
        await db.dispose()
        return new.test_key

    return asyncio.run(make())
