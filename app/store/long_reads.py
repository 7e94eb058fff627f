"""Long reads (exports) that must hold neither the event loop nor the writer.

SQLite's statements run on the event loop's thread here (app/store/database.py says why: short
statements, measured). A CSV export is thousands of rows per batch, tens of batches: inline, it
froze every other request (300,000 rows: 11.6 s of nothing for every other account, /healthz
for 6.7 s). So on SQLite a long read runs each batch on a worker thread, through a plain sqlite3
connection of its own opened read-only (WAL lets it read beside the writer); the loop only
awaits it. PostgreSQL's driver is asynchronous already: batches run on the unit of work's
session.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import Executable, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import QueuePool

LONG_READERS = 2  # long reads at once on SQLite; more wait their turn for a connection


class LongReads:
    def __init__(self, session: AsyncSession, engine: Engine | None) -> None:
        self.session = session
        self.engine = engine

    async def rows(self, stmt: Executable) -> list[Any]:
        """All rows of one batch's statement (keep batches bounded: they are held in memory)."""
        if self.engine is None:
            return list((await self.session.execute(stmt)).all())
        engine = self.engine

        def run() -> list[Any]:
            with engine.connect() as conn:
                return list(conn.execute(stmt).all())

        return await asyncio.to_thread(run)


def sqlite_long_reader(path: str) -> Engine:
    """A small pool of read-only sqlite3 connections for worker threads."""

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=5)
        connection.execute("PRAGMA query_only=ON")
        return connection

    return create_engine(
        "sqlite://", creator=connect, poolclass=QueuePool, pool_size=LONG_READERS, max_overflow=0, pool_timeout=300
    )
