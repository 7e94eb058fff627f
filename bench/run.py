"""`make bench`: the service's speed as ratios to the floor of this stack, measured in the same run.

For SQLite (the embedded default) and PostgreSQL with 1 and 2 worker processes, it starts the
floor (bench/floor.py) and the service, loads each with wrk from another process (32 connections)
and reports requests/s and p50/p99 for session create, configuration create and the customer
portal overview; the subscription list with the paused filter over BENCH_ROWS subscriptions
(p99 against an unfiltered list of 10); and the CSV export of BENCH_ROWS rows (time, and the
server's peak memory against an export of 10,000). Each load is warmed up for WARMUP seconds,
then the floor is measured, then the load: its ratio is to that floor, taken seconds before.
Results: bench/results/latest.{json,md}. Not part of `make test`; a benchmark is a measurement,
not a pass/fail test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from app.store.migrate import upgrade
from app.store.models import Subscription

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2  # seconds of each load before it is measured
CONNECTIONS = 32
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
SMALL_EXPORT = 10_000
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class Load:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    floor_rps: float = 0.0  # the floor measured just before this load (the ratio's denominator)


@dataclass
class Run:
    backend: str
    workers: int
    floors: list[Load] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    export: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listeners(port: int) -> int:
    """Sockets listening on `port` (each worker has its own: app/http/server.py)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                count += fields[1].endswith(f":{port:04X}") and fields[3] == "0A"
    return count


class Server:
    def __init__(self, args: list[str], env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", *args, "--port", str(self.port)],
            env={**os.environ, **env, "PORT": str(self.port), "BASE_URL": self.base, "LOG_LEVEL": "warning"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                # Every worker listening, not just the first: a load started earlier would put
                # all its connections on the workers that were up.
                if listeners(self.port) >= workers and httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server {args} did not start")

    def peak_memory_kb(self) -> int:
        """Peak resident memory (VmHWM) of the serving process and its workers."""
        pids = [self.process.pid, *_children(self.process.pid)]
        peak = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            peak = max(peak, int(match.group(1)) if match else 0)
        return peak

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wrk(
    name: str,
    url: str,
    *,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
    seconds: int = DURATION,
) -> Load:
    script = "\n".join(
        [f'wrk.method = "{method}"', f"wrk.body = {json.dumps(body)}"]
        + [f'wrk.headers["{k}"] = {json.dumps(v)}' for k, v in (headers or {}).items()]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["wrk", f"-t{min(2, CONNECTIONS)}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", f.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    return Load(name, rps, _latency(out, "50%"), _latency(out, "99%"), errors)


def _latency(out: str, quantile: str) -> float:
    match = re.search(rf"{re.escape(quantile)}\s+([\d.]+)(us|ms|s)", out)
    assert match, out
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    name = f"portal_bench_{secrets.token_hex(3)}"
    subprocess.run(["psql", PG_SERVER, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    return PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def _seed(url: str, rows: int) -> dict[str, Any]:
    """An account with a plan, a default configuration, a customer with a visit cookie; and two
    more accounts with `SMALL_EXPORT` and `rows` subscriptions (1% with paused collection)."""
    db = Database(url)
    clock = SystemClock()
    keys = {}
    async with db.transaction() as uow:
        for name in ("main", "small", "large"):
            keys[name] = await account_service.create(uow, clock, name=f"bench {name}", billing=True)
    await db.dispose()
    accounts = {name: new.account.id for name, new in keys.items()}
    for name, count in (("small", SMALL_EXPORT), ("large", rows)):
        await _bulk_subscriptions(url, accounts[name], count)
    # Bulk loads outrun autovacuum; without fresh statistics PostgreSQL plans for 8 rows, not a million.
    # Then settle what the load left behind, so the measured loads do not share the disk and CPU with
    # it: PostgreSQL's autovacuum of the new rows and the checkpoint writing them out, SQLite's WAL.
    db = Database(url)
    if db.is_sqlite:
        with closing(sqlite3.connect(str(make_url(db.url).database), isolation_level=None)) as raw:
            raw.execute("ANALYZE")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        async with db.writer.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
            await conn.execute(text("CHECKPOINT"))
    await db.dispose()
    return {"keys": {n: k.test_key for n, k in keys.items()}, "accounts": accounts}


async def _bulk_subscriptions(url: str, account_id: str, count: int) -> None:
    db = Database(url)
    now = int(time.time())
    batch = 20_000
    for start in range(0, count, batch):
        values = [
            {
                "id": f"sub_bench{account_id[-6:]}{i:09d}",
                "account_id": account_id,
                "livemode": False,
                "created": now - count + i,
                "customer_id": f"cus_bench{i % 5000:06d}",
                "status": "active",
                "currency": "usd",
                "collection_method": "charge_automatically",
                "cancel_at_period_end": False,
                "pause_collection": {"behavior": "void", "resumes_at": None} if i % 100 == 0 else None,
                "collection_paused": i % 100 == 0,
                "billing_cycle_anchor": now,
                "start_date": now,
                "metadata": {},
            }
            for i in range(start, min(start + batch, count))
        ]
        async with db.uow() as uow:
            await uow.session.execute(insert(Subscription), values)
            await uow.commit()
    await db.dispose()


def _setup_portal(base: str, key: str) -> dict[str, str]:
    with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as c:
        product = c.post("/v1/products", data={"name": "Pro"}).json()["id"]
        price = c.post(
            "/v1/prices",
            data={"product": product, "currency": "usd", "unit_amount": "900", "recurring[interval]": "month"},
        ).json()["id"]
        c.post(
            "/v1/billing_portal/configurations",
            data=CONFIG_BODY_DICT
            | {
                "default_return_url": "https://bench.example/account",
                "features[subscription_update][enabled]": "true",
                "features[subscription_update][default_allowed_updates][0]": "price",
                "features[subscription_update][products][0][product]": product,
                "features[subscription_update][products][0][prices][0]": price,
            },
        ).raise_for_status()
        customer = c.post(
            "/v1/customers",
            data={
                "email": "bench@example.com",
                "payment_method": "pm_card_visa",
                "invoice_settings[default_payment_method]": "pm_card_visa",
            },
        ).json()["id"]
        c.post("/v1/subscriptions", data={"customer": customer, "items[0][price]": price}).raise_for_status()
        url = c.post("/v1/billing_portal/sessions", data={"customer": customer}).json()["url"]
    with httpx.Client() as browser:
        r = browser.get(url)
        cookie = r.headers["set-cookie"].split(";")[0]
    return {"customer": customer, "cookie": cookie}


CONFIG_BODY_DICT = {
    "business_profile[privacy_policy_url]": "https://bench.example/privacy",
    "business_profile[terms_of_service_url]": "https://bench.example/terms",
    "features[invoice_history][enabled]": "true",
    "features[subscription_cancel][enabled]": "true",
}


def _form(data: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def bench(backend: str, workers: int, folder: Path) -> Run:
    url = _database(backend, folder)
    try:
        return _bench(url, backend, workers)
    finally:
        if backend != "sqlite":
            name = url.rsplit("/", 1)[1]
            subprocess.run(
                ["psql", PG_SERVER, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], capture_output=True
            )


def _bench(url: str, backend: str, workers: int) -> Run:
    upgrade(url)
    seed = asyncio.run(_seed(url, ROWS))
    run = Run(backend, workers)
    env = {"DATABASE_URL": url, "DELIVERY_WORKER": "false", "WORKERS": str(workers)}
    # The floor is measured again right before each load, and each ratio uses that measurement: this
    # machine's speed drifts by tens of percent within minutes, and a floor measured minutes
    # earlier would compare loads with a different machine.
    floor = Server(["bench.floor", "--workers", str(workers)], env, workers)
    try:
        server = Server(["app.cli", "serve"], env, workers)
    except BaseException:
        floor.stop()
        raise

    def measure_floor(seconds: int = DURATION) -> Load:
        return wrk(
            "floor",
            f"{floor.base}/floor",
            method="POST",
            body="email=a%40b.example&name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            seconds=seconds,
        )

    def load(name: str, url: str, **request: Any) -> None:
        # Warmed up first, unmeasured: the first requests open the pool's connections (a PostgreSQL
        # backend each) and fill SQLAlchemy's caches; a load's figures are its steady state.
        wrk(name, url, seconds=WARMUP, **request)
        before = measure_floor()
        run.floors.append(before)
        measured = wrk(name, url, **request)
        measured.floor_rps = before.rps
        run.loads.append(measured)

    try:
        measure_floor(WARMUP)  # its own warm-up
        main, form = seed["keys"]["main"], {"Content-Type": "application/x-www-form-urlencoded"}
        auth = {"Authorization": f"Bearer {main}", **form}
        portal = _setup_portal(server.base, main)
        load(
            "session create",
            f"{server.base}/v1/billing_portal/sessions",
            method="POST",
            body=_form({"customer": portal["customer"]}),
            headers=auth,
        )
        load(
            "configuration create",
            f"{server.base}/v1/billing_portal/configurations",
            method="POST",
            body=_form(CONFIG_BODY_DICT),
            headers=auth,
        )
        load("portal overview", f"{server.base}/p/api/overview", headers={"Cookie": portal["cookie"]})
        large = {"Authorization": f"Bearer {seed['keys']['large']}"}
        load(f"list 10 of {ROWS:,}", f"{server.base}/v1/subscriptions?limit=10", headers=large)
        load(
            f"list paused of {ROWS:,}", f"{server.base}/v1/subscriptions?collection_paused=true&limit=10", headers=large
        )
    finally:
        server.stop()
        floor.stop()
    run.export = _export(env, seed, ROWS)
    return run


def _export(env: dict[str, str], seed: dict[str, Any], rows: int) -> dict[str, Any]:
    """Export time and the server's peak memory, small export first, then the large one."""
    server = Server(["app.cli", "serve"], {**env, "WORKERS": "1"})
    result: dict[str, Any] = {"baseline_kb": server.peak_memory_kb()}
    try:
        for name, expected in (("small", SMALL_EXPORT), ("large", rows)):
            started = time.perf_counter()
            lines = 0
            with httpx.stream(
                "GET",
                f"{server.base}/v1/subscriptions/export.csv?status=all",
                auth=(seed["keys"][name], ""),
                timeout=600,
            ) as r:
                for chunk in r.iter_bytes():
                    lines += chunk.count(b"\n")
            assert lines - 1 == expected, f"the {name} export had {lines - 1} rows, not {expected}"
            result[name] = {
                "rows": lines - 1,
                "seconds": round(time.perf_counter() - started, 2),
                "peak_kb": server.peak_memory_kb(),
            }
    finally:
        server.stop()
    return result


def report(runs: list[Run]) -> str:
    lines = [
        f"Benchmarks: {DURATION}s per load, {CONNECTIONS} connections, wrk from another process; "
        f"{ROWS:,} subscriptions for the list and export.",
        "",
        "| backend | workers | load | req/s | floor req/s just before | ratio to floor | p50 ms | p99 ms | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        floors = sorted(f.rps for f in run.floors)
        p99s = sorted(f.p99_ms for f in run.floors)
        lines.append(
            f"| {run.backend} | {run.workers} | floor (form + INSERT + 1 KB JSON), {len(floors)} runs | "
            f"{floors[0]:,.0f}-{floors[-1]:,.0f} | | 1.00 | | {p99s[0]:.1f}-{p99s[-1]:.1f} | |"
        )
        unfiltered = next(x for x in run.loads if x.name.startswith("list 10"))
        for load in run.loads:
            ratio = load.rps / load.floor_rps
            target = ""
            if load.name == "session create":
                ok = ratio >= 0.6 and load.p99_ms <= 100
                target = f"{'met' if ok else 'MISSED'} (>= 0.6x, p99 <= 100 ms)"
            elif load.name.startswith("list paused"):
                ok = load.p99_ms <= 2 * unfiltered.p99_ms
                target = f"{'met' if ok else 'MISSED'} (p99 <= 2x unfiltered: {2 * unfiltered.p99_ms:.1f} ms)"
            errors = f" ({load.errors} errors)" if load.errors else ""
            lines.append(
                f"| {run.backend} | {run.workers} | {load.name}{errors} | {load.rps:,.0f} | {load.floor_rps:,.0f} | "
                f"{ratio:.2f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} | {target} |"
            )
    lines += ["", "| backend | export | rows | seconds | server peak memory |", "|---|---|---|---|---|"]
    for run in runs:
        if not run.export:
            continue
        for name in ("small", "large"):
            e = run.export[name]
            lines.append(f"| {run.backend} | {name} | {e['rows']:,} | {e['seconds']} | {e['peak_kb'] / 1024:.0f} MiB |")
    return "\n".join(lines)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk (make bench installs it)")
    backends = os.environ.get("BENCH_BACKENDS", "sqlite:1,postgresql:1,postgresql:2").split(",")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in backends:
            backend, workers = spec.split(":")
            print(f"== {backend}, {workers} worker(s)", flush=True)
            runs.append(bench(backend, int(workers), Path(tmp)))
    table = report(runs)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))
    (RESULTS / "latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
