"""Engines and the unit of work factory, for SQLite (embedded) and PostgreSQL.

SQLite is opened the way it performs under concurrent load: WAL, synchronous=NORMAL, a busy
timeout, and every write through one connection (a pool of writers fighting over SQLite's single
lock gives second-long tails). Reads use their own small pool; WAL lets them run beside the writer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.clock import Clock
from app.errors import Conflict
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


def _sqlite_engine(url: str, *, pool_size: int, begin: str) -> AsyncEngine:
    in_memory = make_url(url).database in (None, "", ":memory:")
    # An in-memory database lives in one connection (SQLAlchemy's StaticPool); it takes no pool sizes.
    pool: dict[str, Any] = {} if in_memory else {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 60}
    engine = create_async_engine(url, **pool)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver, so BEGIN is ours (IMMEDIATE for the writer).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=30000",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


class Database:
    def __init__(
        self,
        url: str,
        *,
        sqlite_readers: int = 4,
        pool_size: int = 10,
        base_url: str = "http://127.0.0.1:8000",
        clock: Clock | None = None,
    ) -> None:
        self.url = normalize_url(url)
        self.base_url = base_url
        self.clock = clock
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            ensure_sqlite_folder(self.url)
            self.writer = _sqlite_engine(self.url, pool_size=1, begin="BEGIN IMMEDIATE")
            self.reader = _sqlite_engine(self.url, pool_size=sqlite_readers, begin="BEGIN")
        else:
            self.writer = create_async_engine(self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
            self.reader = self.writer
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @asynccontextmanager
    async def uow(self, *, write: bool = True) -> AsyncIterator[UnitOfWork]:
        """One transaction. Rolled back on leaving unless the use case committed it."""
        maker = self._write_sessions if write else self._read_sessions
        session: AsyncSession = maker()
        try:
            yield UnitOfWork(session, dialect=self.dialect, base_url=self.base_url, clock=self.clock)
        except IntegrityError as exc:
            # A constraint settled a race against a concurrent request: nothing was written; retry is safe.
            raise Conflict(
                "The request conflicted with another request changing the same objects. Please retry."
            ) from exc
        finally:
            # close() rolls back whatever was not committed and detaches the rows without expiring
            # them, so values read inside the unit of work stay usable after it.
            await session.close()

    async def ping(self) -> None:
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()

    def __repr__(self) -> str:
        return f"Database(dialect={self.dialect!r})"
