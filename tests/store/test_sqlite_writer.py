"""The SQLite writer runs on the event loop's thread; waiting for another process's write lock
must not block that loop (app/store/database.py)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.store import database as database_module
from app.store.database import Database

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the inline writer and its lock wait are SQLite's"
)


def _holder(db: Database) -> sqlite3.Connection:
    """Another process's writer: a plain sqlite3 connection holding the write lock."""
    path = make_url(db.url).database
    assert path is not None and Path(path).exists()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def _write(db: Database) -> None:
    async with db.uow() as uow:
        await uow.session.execute(text("UPDATE accounts SET name = name WHERE 1 = 0"))
        await uow.commit()


async def test_a_write_waiting_for_the_lock_leaves_the_loop_serving(db: Database) -> None:
    await _write(db)  # the service has opened its database (and set WAL) before
    other = _holder(db)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    ticking = asyncio.create_task(ticker())
    write = asyncio.create_task(_write(db))
    try:
        await asyncio.sleep(0.3)
        # The write waits for the lock, and the loop kept running meanwhile (a blocking busy
        # handler would have frozen the ticker for the whole 0.3 s).
        assert not write.done()
        assert ticks >= 20
        other.commit()
        await asyncio.wait_for(write, 5)
    finally:
        ticking.cancel()
        other.close()


async def test_a_write_gives_up_when_the_lock_is_never_released(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await _write(db)
    monkeypatch.setattr(database_module, "BUSY_SECONDS", 0.2)
    other = _holder(db)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await _write(db)
    finally:
        other.close()
    await _write(db)  # the writer connection is usable again once the lock is free


async def test_statements_run_on_the_loops_thread_through_aiosqlites_private_hook(db: Database) -> None:
    """The inline connection overrides aiosqlite's private `_execute` (no public way exists):
    if a release routes calls elsewhere, statements go back to aiosqlite's threads and this fails."""
    ran_on: list[int] = []
    async with db.uow() as uow:
        connection = await uow.session.connection()
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not None
        inline: sqlite3.Connection = raw.driver_connection.inline_sqlite3
        inline.set_trace_callback(lambda _sql: ran_on.append(threading.get_ident()))
        try:
            await uow.session.execute(text("SELECT 1"))
            await uow.session.execute(text("UPDATE accounts SET name = name WHERE 1 = 0"))
        finally:
            inline.set_trace_callback(None)
    assert ran_on and set(ran_on) == {threading.get_ident()}, ran_on
