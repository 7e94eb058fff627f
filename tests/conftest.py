"""Fixtures: one migrated database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL), a fresh
account per test (every query is scoped by account, so tests cannot see each other), a FixedClock.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.clock import FixedClock
from app.main import create_app
from app.services import accounts as account_service
from app.settings import Settings
from app.store.database import Database, normalize_url
from app.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
PG = bool(os.environ.get("TEST_DATABASE_URL"))


def _admin(server_url: str, sql: str) -> None:
    """Run one statement on the server's own database (CREATE/DROP DATABASE cannot run in a transaction)."""
    import asyncio

    import asyncpg

    u = make_url(normalize_url(server_url))

    async def run() -> None:
        conn = await asyncpg.connect(  # type: ignore[no-untyped-call]
            host=u.host or "127.0.0.1",
            port=u.port or 5432,
            user=u.username or "postgres",
            password=u.password,
            database=u.database or "postgres",
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from new_database(tmp_path_factory)


def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of its own: SQLite in a temporary folder, or one on TEST_DATABASE_URL's server."""
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        name = f"portal_test_{os.getpid()}_{secrets.token_hex(3)}"
        _admin(server, f'CREATE DATABASE "{name}"')
        url = make_url(normalize_url(server)).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
        upgrade(url)
        yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, base_url="http://portal.test", key_cache_seconds=0)


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[object]:
    application = create_app(settings, clock)
    yield application
    await application.state.portal.db.dispose()


@pytest.fixture
async def db(app: object) -> Database:
    database: Database = app.state.portal.db  # type: ignore[attr-defined]
    return database


@dataclass
class Keys:
    account_id: str
    test: str
    live: str


@pytest.fixture
async def keys(db: Database, clock: FixedClock) -> Keys:
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="test merchant", billing=True)
    return Keys(new.account.id, new.test_key, new.live_key)


@pytest.fixture
async def other_keys(db: Database, clock: FixedClock) -> Keys:
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="another merchant", billing=True)
    return Keys(new.account.id, new.test_key, new.live_key)


def _client(app: object, key: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(key, ""))


@pytest.fixture
async def client(app: object, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """Test-mode client of a fresh account."""
    async with _client(app, keys.test) as c:
        yield c


@pytest.fixture
async def live_client(app: object, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, keys.live) as c:
        yield c


@pytest.fixture
async def other_client(app: object, other_keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, other_keys.test) as c:
        yield c


@pytest.fixture
async def anon(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    database_url: str
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="session")
def live_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`portal serve` as a real process on a free loopback port, on the run's database."""
    yield from serve(database_url, tmp_path_factory.mktemp("server"))


def serve(database_url: str, folder: Path, **env_extra: str) -> Iterator[LiveServer]:
    """Run `portal serve` until the generator is closed."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_DIR": str(folder / "mail"),
        # Webhook tests run their own workers; a server's worker on the same database would race them.
        "DELIVERY_WORKER": "false",
        # The run's database holds every test's objects, many dated by a fixed clock long before
        # today: a real-time scheduler would renew them under those tests. Its tests run their own.
        "BILLING_SCHEDULER": "false",
        **env_extra,
    }
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"server did not start:\n{log.read_text()}")
    yield LiveServer(base, database_url, process)
    process.terminate()
    process.wait(timeout=30)
