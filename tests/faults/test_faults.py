"""Faults: the server SIGKILLed mid-load and (PostgreSQL) the database stopped hard. Afterwards
every request that got a 2xx exists exactly once, a retry with its key replays the same object,
nothing that failed left a partial write, and the service answers soon after the database is back.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from tests.conftest import PG, ROOT, free_port

REQUESTS = 240


@dataclass
class Server:
    database_url: str
    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "PORT": str(self.port), "DELIVERY_WORKER": "false"}
        with (self.folder / "serve.log").open("ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve"], env=env, cwd=ROOT, stdout=log, stderr=log
            )
        wait_ready(self.base, 30)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def wait_ready(base: str, timeout: float) -> float:
    """Seconds until /readyz answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} not ready within {timeout}s")


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    s = Server(database_url, free_port(), tmp_path)
    s.start()
    yield s
    s.stop()


@dataclass
class Outcome:
    status: int | None = None
    object_id: str | None = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


async def _load(base: str, key: str, outcomes: dict[int, Outcome], stop_after: float = 90) -> None:
    """Create customers with one idempotency key each, retrying network errors and 5xx like an SDK."""
    deadline = time.monotonic() + stop_after
    limit = asyncio.Semaphore(8)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        outcome = outcomes.setdefault(i, Outcome())
        async with limit:
            while time.monotonic() < deadline:
                outcome.attempts += 1
                try:
                    r = await client.post(
                        "/v1/customers",
                        data={"email": f"fault-{i}@example.com", "metadata[n]": str(i)},
                        headers={"Idempotency-Key": f"fault-{i}"},
                    )
                except httpx.HTTPError as exc:
                    outcome.errors.append(type(exc).__name__)
                    await asyncio.sleep(0.2)
                    continue
                outcome.status = r.status_code
                if r.status_code == 200:
                    outcome.object_id = r.json()["id"]
                    return
                if r.status_code < 500 and r.status_code != 409:
                    return
                await asyncio.sleep(0.2)

    async with httpx.AsyncClient(base_url=base, auth=(key, ""), timeout=10) as client:
        await asyncio.gather(*(one(client, i) for i in range(REQUESTS)))


async def _account(database_url: str) -> str:
    db = Database(database_url)
    async with db.transaction() as uow:
        new = await account_service.create(uow, SystemClock(), name="faults")
    await db.dispose()
    return new.test_key


async def _check(base: str, key: str, outcomes: dict[int, Outcome]) -> None:
    async with httpx.AsyncClient(base_url=base, auth=(key, ""), timeout=30) as client:
        listed = []
        async for page_item in _all_customers(client):
            listed.append(page_item)
        by_email: dict[str, list[str]] = {}
        for c in listed:
            by_email.setdefault(c["email"], []).append(c["id"])
        for i, outcome in outcomes.items():
            ids = by_email.get(f"fault-{i}@example.com", [])
            if outcome.status == 200:
                assert ids == [outcome.object_id], (i, ids, outcome)
                replay = await client.post(
                    "/v1/customers",
                    data={"email": f"fault-{i}@example.com", "metadata[n]": str(i)},
                    headers={"Idempotency-Key": f"fault-{i}"},
                )
                assert replay.json()["id"] == outcome.object_id and replay.headers["idempotent-replayed"] == "true"
            else:
                assert len(ids) <= 1, (i, ids, outcome)  # never a duplicate; at most the one a retry would replay


async def _all_customers(client: httpx.AsyncClient) -> AsyncIterator[dict[str, Any]]:
    after = None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        page = (await client.get("/v1/customers", params=params)).json()
        for c in page["data"]:
            yield c
        if not page["has_more"]:
            return
        after = page["data"][-1]["id"]


def test_sigkill_mid_load_loses_and_duplicates_nothing(server: Server, database_url: str) -> None:
    key = asyncio.run(_account(database_url))
    outcomes: dict[int, Outcome] = {}

    async def scenario() -> None:
        load = asyncio.create_task(_load(server.base, key, outcomes))
        await asyncio.sleep(0.4)
        for _ in range(2):
            await asyncio.to_thread(server.kill)
            await asyncio.sleep(0.3)
            await asyncio.to_thread(server.start)
            await asyncio.sleep(0.4)
        await load

    asyncio.run(scenario())
    assert sum(o.status == 200 for o in outcomes.values()) == REQUESTS, "every request got through in the end"
    assert any(o.errors for o in outcomes.values()), "the kills happened during the load"
    asyncio.run(_check(server.base, key, outcomes))


PG_CTL = shutil.which("pg_ctlcluster")


def _pg(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    args = [PG_CTL or "pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    if action == "stop":
        args += ["-m", "immediate"]
    subprocess.run(args, check=True, capture_output=True)


@pytest.mark.skipif(
    not (PG and PG_CTL and os.path.isdir("/etc/postgresql")),
    reason="needs the local PostgreSQL cluster (pg_ctlcluster) to stop and start",
)
def test_postgres_stopped_hard_mid_load(server: Server, database_url: str) -> None:
    key = asyncio.run(_account(database_url))
    outcomes: dict[int, Outcome] = {}
    recovery: list[float] = []

    async def scenario() -> None:
        load = asyncio.create_task(_load(server.base, key, outcomes))
        await asyncio.sleep(0.4)
        await asyncio.to_thread(_pg, "stop")
        await asyncio.sleep(1.5)
        await asyncio.to_thread(_pg, "start")
        recovery.append(await asyncio.to_thread(wait_ready, server.base, 30))
        await load

    try:
        asyncio.run(scenario())
    finally:
        subprocess.run(
            [
                PG_CTL or "pg_ctlcluster",
                "--skip-systemctl-redirect",
                sorted(os.listdir("/etc/postgresql"))[-1],
                "main",
                "start",
            ],
            capture_output=True,
        )
    assert recovery and recovery[0] < 10, f"answered {recovery} s after the database came back"
    assert sum(o.status == 200 for o in outcomes.values()) == REQUESTS
    assert any(o.status != 200 or o.errors or o.attempts > 1 for o in outcomes.values())
    asyncio.run(_check(server.base, key, outcomes))
