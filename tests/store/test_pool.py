"""PostgreSQL's pool hands out live connections without a round trip to check each one
(app/store/database.py: asyncpg knows when the server closed a socket)."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.store.database import Database

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's connection pool")


async def _backend(db: Database) -> int:
    async with db.uow(write=False) as uow:
        pid: int = await uow.session.scalar(text("SELECT pg_backend_pid()"))
    return pid


async def test_connections_the_server_closed_are_replaced_not_handed_out(db: Database) -> None:
    # Several connections in the pool, all idle.
    async def hold() -> int:
        async with db.uow(write=False) as uow:
            pid: int = await uow.session.scalar(text("SELECT pg_backend_pid()"))
            await asyncio.sleep(0.05)
        return pid

    pooled = set(await asyncio.gather(*(hold() for _ in range(4))))
    assert len(pooled) == 4
    # The server ends them (as a restart or an administrator would).
    admin = create_async_engine(db.url, poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            terminate = text("SELECT count(pg_terminate_backend(pid)) FROM unnest(CAST(:pids AS int[])) AS pid")
            ended = await conn.scalar(terminate, {"pids": list(pooled)})
    finally:
        await admin.dispose()
    assert ended == 4
    await asyncio.sleep(0.2)  # the closed sockets reach the event loop
    # Every next unit of work gets a live connection, a new backend: no request pays for a dead one.
    for _ in range(8):
        assert await _backend(db) not in pooled
