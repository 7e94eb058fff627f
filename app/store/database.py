"""Engines and the unit of work factory, for SQLite (embedded) and PostgreSQL.

SQLite is opened the way it performs under concurrent load: WAL, synchronous=NORMAL, and every
write through one connection (a pool of writers fighting over SQLite's single lock gives
second-long tails). Reads use their own small pool; WAL lets them run beside the writer.

Statements run on the event loop's thread, not on aiosqlite's worker threads. Each statement cost
about three thread hops, each waiting its turn in a busy event loop, and a write transaction holds
the only writer through all of them. Measured under load (bench/'s loads, 32 connections), running
inline doubled session create's throughput (180 to 370 requests/s, before its other changes) and
took the portal overview's p99 from 1.25 s to 0.26 s. SQLite's statements here are short (indexed
rows; no fsync under WAL + synchronous=NORMAL). The one wait that can be long, for another
process's write lock, is retried with asyncio sleeps instead of SQLite's blocking busy handler,
so the loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_

from app import json_text
from app.clock import Clock
from app.errors import Conflict, InvalidRequest, StripeError
from app.store.fast_path import session_info as fast_path_info
from app.store.long_reads import sqlite_long_reader
from app.store.uow import UnitOfWork


def normalize_url(url: str) -> str:
    """Accept the plain URLs people paste (postgres://, sqlite:///) and pick the async drivers."""
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def ensure_sqlite_folder(url: str) -> None:
    """A SQLite file's folder must exist before the first connection (./var/ is not in git)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


T = TypeVar("T")
BUSY_SECONDS = 30.0  # how long a write waits for another process's write lock before failing
READ_BUSY_MS = 200  # how long a read may block the loop when SQLite is briefly busy (WAL recovery)


class _InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose statements run on the caller's thread (see the module's
    docstring); aiosqlite's thread is left only opening and closing the connection.

    aiosqlite has no public way to do this: it sends every call through its private `_execute`
    (overridden here) and keeps the sqlite3 connection in `_connection` and its thread in
    `_thread`. Should a release change that, statements would quietly go back to its thread (as
    fast as before this class, and as correct), so `tests/store/test_sqlite_writer.py` checks on
    which thread statements run, and fails instead."""

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    @property
    def inline_sqlite3(self) -> sqlite3.Connection:
        """The sqlite3 connection itself, for callers on the loop's thread that need none of the
        async wrapping (app/store/direct.py): its statements run here either way."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return self._connection


PRAGMAS = ("PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def _use_wal(cursor: Any) -> None:
    """Switch to WAL once; asking again takes a lock SQLite will not wait for while another
    connection writes (and the mode is stored in the file, so it is usually set already)."""
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")


def _inline_creator(path: str, *, busy_ms: int) -> Callable[[], Any]:
    def connector() -> sqlite3.Connection:
        # Runs on aiosqlite's thread, so its waits for locks (switching to WAL takes one) block
        # nobody. Then the busy handler is cut to `busy_ms`, as statements now run on the loop's
        # thread. (The sqlite3 module is built serialized: a connection may change threads.)
        connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        _use_wal(connection.cursor())
        for pragma in PRAGMAS:
            connection.execute(pragma)
        connection.execute(f"PRAGMA busy_timeout={busy_ms}")
        return connection

    async def create() -> aiosqlite.Connection:
        connection = _InlineConnection(connector, 64)
        connection._thread.daemon = True
        return await connection

    return create


def _raw(conn: Any) -> sqlite3.Connection:
    """The sqlite3 connection under SQLAlchemy's and aiosqlite's adapters (BEGIN goes to it directly:
    it runs on every transaction and needs none of an execution's bookkeeping)."""
    raw: sqlite3.Connection = conn.connection.driver_connection.inline_sqlite3
    return raw


def _begin_when_free(conn: Any) -> None:
    """BEGIN IMMEDIATE, waiting for another process's write lock with asyncio sleeps (the writer's
    busy handler is off, so SQLite never blocks the event loop's thread)."""
    raw = _raw(conn)
    deadline = time.monotonic() + BUSY_SECONDS
    delay = 0.001
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            busy = str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_BUSY")
            if not busy or time.monotonic() >= deadline:
                raise
        await_(asyncio.sleep(delay))
        delay = min(delay * 2, 0.05)


# The JSON columns' text, read and written with orjson (app/json_text.py).
JSON_CODEC: dict[str, Any] = {"json_serializer": json_text.dumps, "json_deserializer": json_text.loads}


def _sqlite_engine(url: str, *, pool_size: int, writer: bool) -> AsyncEngine:
    database = make_url(url).database
    if database in (None, "", ":memory:"):
        # An in-memory database lives in one connection (SQLAlchemy's StaticPool) and never waits for
        # another process; aiosqlite as it comes is fine there.
        return _in_memory_engine(url)
    # The writer never sleeps inside SQLite: it waits for the write lock in _begin_when_free.
    # Readers under WAL wait only in rare moments (recovery after a crash), briefly.
    creator = _inline_creator(database, busy_ms=0 if writer else READ_BUSY_MS)
    engine = create_async_engine(
        url, async_creator=creator, pool_size=pool_size, max_overflow=0, pool_timeout=60, **JSON_CODEC
    )

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if writer:
            _begin_when_free(conn)
        else:
            _raw(conn).execute("BEGIN")

    return engine


def _in_memory_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, **JSON_CODEC)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours, as for files
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _postgresql_engine(url: str, *, pool_size: int) -> AsyncEngine:
    # A fixed pool: overflow connections are closed when returned, so under load each request past
    # the pool paid for a new PostgreSQL backend (a fork), which showed as p99 tails.
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, **JSON_CODEC)

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # Instead of SQLAlchemy's pre-ping, which costs three round trips on every checkout with
        # asyncpg (BEGIN, a query, ROLLBACK): asyncpg sees a pooled connection's socket close as it
        # happens (a restarted or stopped server, a terminated backend), so a closed one is known
        # without asking. The pool replaces it and checks out again.
        if record.driver_connection.is_closed():
            raise DisconnectionError("the pooled connection was closed by the server")

    return engine


# Deadlock detected, serialization failure: the transaction was rolled back and may be retried.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
DATA_EXCEPTION_CLASS = "22"  # SQLSTATE class 22: the value cannot be stored as given


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(state) if state else None


class Database:
    def __init__(
        self,
        url: str,
        *,
        sqlite_readers: int = 4,
        pool_size: int = 20,
        base_url: str = "http://127.0.0.1:8000",
        clock: Clock | None = None,
        fast_path: bool = True,
    ) -> None:
        self.url = normalize_url(url)
        self.base_url = base_url
        self.clock = clock
        parsed = make_url(self.url)
        self.long_reader: Engine | None = None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            ensure_sqlite_folder(self.url)
            self.writer = _sqlite_engine(self.url, pool_size=1, writer=True)
            self.reader = _sqlite_engine(self.url, pool_size=sqlite_readers, writer=False)
            database = parsed.database
            if database and database != ":memory:":
                self.long_reader = sqlite_long_reader(database)
        else:
            self.writer = _postgresql_engine(self.url, pool_size=pool_size)
            self.reader = self.writer
        self.fast_path = fast_path
        info = fast_path_info(fast_path)
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False, info=info)
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False, info=info)

    @property
    def dialect(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @asynccontextmanager
    async def uow(self, *, write: bool = True) -> AsyncIterator[UnitOfWork]:
        """One transaction. Rolled back on leaving unless the use case committed it."""
        maker = self._write_sessions if write else self._read_sessions
        session: AsyncSession = maker()
        uow = UnitOfWork(
            session, dialect=self.dialect, base_url=self.base_url, clock=self.clock, long_reader=self.long_reader
        )
        try:
            yield uow
        except StripeError as exc:
            if exc.keeps_changes and write:
                # A failure Stripe records (a declined charge's attempt and event): kept, then reported.
                await uow.commit()
            raise
        except IntegrityError as exc:
            # A constraint settled a race against a concurrent request: nothing was written; retry is safe.
            raise Conflict(
                "The request conflicted with another request changing the same objects. Please retry."
            ) from exc
        except DBAPIError as exc:
            state = _sqlstate(exc) or ""
            if isinstance(exc, DataError) or state.startswith(DATA_EXCEPTION_CLASS):
                # The database refused a value the boundary let through (text with NUL, a number out
                # of range): the request's fault, and nothing was written. (asyncpg reports a NUL as
                # a plain DBAPIError with SQLSTATE 22021, not as a DataError.)
                raise InvalidRequest(
                    "A value in the request cannot be stored (out of range, or text with a NUL character).",
                    code="parameter_invalid_string",
                ) from exc
            if state not in RETRYABLE_SQLSTATES:
                raise
            # PostgreSQL broke a deadlock or a serialization conflict by rolling this one back.
            raise Conflict(
                "The request conflicted with another request changing the same objects. Please retry."
            ) from exc
        finally:
            # close() rolls back whatever was not committed and detaches the rows without expiring
            # them, so values read inside the unit of work stay usable after it.
            await session.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work committed when the block ends without an error: for boundaries (CLI
        commands, set-up code) that run one use case and have no response to render first."""
        async with self.uow() as uow:
            yield uow
            await uow.commit()

    async def ping(self) -> None:
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self.long_reader is not None:
            self.long_reader.dispose()
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()

    def __repr__(self) -> str:
        return f"Database(dialect={self.dialect!r})"
