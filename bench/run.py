"""`make bench`: the service's speed as ratios to the floors of this stack, measured in the same run.

For SQLite (the embedded default) and PostgreSQL with 1 and 2 worker processes, it starts the
floors (bench/floor.py: a write and a read) and the service, loads each with wrk from another
process (32 connections) and reports requests/s and p50/p99 for the writes (session create,
configuration create, customer create, a plan change through the portal API) against the write
floor and the reads (the portal overview as JSON and as the page, the login page, a subscription
with `expand[]=latest_invoice`, lists of 10, the paused filter over BENCH_ROWS subscriptions)
against the read floor; each load is warmed up for WARMUP seconds, then its floor is measured,
then the load: its ratio is to that floor, taken seconds before. In the same run: localstripe
(bench/peers.py) on the operations both have, webhook deliveries a second with 1 and 2 delivery
workers (bench/delivery.py), and the CSV export of BENCH_ROWS rows (time, and the server's peak
memory against an export of 10,000). Results: bench/results/latest.{json,md}, each target met
or missed. Not part of `make test`; a benchmark is a measurement, not a pass/fail test.
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
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from app.store.migrate import upgrade
from app.store.models import Subscription
from bench import delivery
from bench.floor import READ_KEY
from bench.peers import Localstripe

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2  # seconds of each load before it is measured
CONNECTIONS = 32
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
SMALL_EXPORT = 10_000
PEER_CUSTOMERS = int(os.environ.get("BENCH_PEER_CUSTOMERS", "1000"))
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# While working on one thing: `BENCH_ONLY="overview,localstripe"` runs only the loads whose names
# contain one of these (and the peers, deliveries or export only when named).
ONLY = [part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()]


def wanted(name: str) -> bool:
    return not ONLY or any(part in name for part in ONLY)


@dataclass
class Load:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    floor_rps: float = 0.0  # the floor measured just before this load (the ratio's denominator)
    kind: str = "write"  # which floor: a write is compared with the write floor, a read with the read floor


@dataclass
class Run:
    backend: str
    workers: int
    floors: list[Load] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    export: dict[str, Any] = field(default_factory=dict)
    peers: list[Load] = field(default_factory=list)  # localstripe, in this run
    deliveries: list[dict[str, Any]] = field(default_factory=list)


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
    return _run_wrk(name, url, script, seconds)


def _run_wrk(name: str, url: str, script: str, seconds: int) -> Load:
    """wrk with a Lua script, from another process (two threads, CONNECTIONS connections)."""
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


def wrk_rotating(name: str, base: str, requests: list[list[dict[str, Any]]], *, seconds: int = DURATION) -> Load:
    """wrk over several requests in turn (each: method, path, headers, body): loads that spread over
    many customers, as real ones do. Each wrk thread takes its own list (`requests[thread]`), so
    no two threads change the same customer's subscription at once."""

    def lua(r: dict[str, Any]) -> str:
        headers = ", ".join(f"[{json.dumps(k)}]={json.dumps(v)}" for k, v in (r.get("headers") or {}).items())
        method, path, body = (json.dumps(r.get(k, d)) for k, d in (("method", "GET"), ("path", ""), ("body", "")))
        return f"{{method={method}, path={path}, body={body}, headers={{{headers}}}}}"

    groups = ",\n".join("{" + ",\n".join(lua(r) for r in group) + "}" for group in requests)
    script = f"""
local groups = {{
{groups}
}}
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init(args) mine = groups[(id % #groups) + 1]; counter = 0; last = {{}}; math.randomseed(id * 7919 + os.time()) end
function request()
  counter = counter + 1
  local at = (counter % #mine) + 1
  local r = mine[at]
  -- RANDOM_QUANTITY: a new quantity each time, never the one this thread sent last for this
  -- request (a repeat would be a real "no_change" refusal: 1 in 9,999 before, seen once).
  local quantity = math.random(1, 9999)
  if quantity == last[at] then quantity = quantity % 9999 + 1 end
  last[at] = quantity
  local body = string.gsub(r.body, "RANDOM_QUANTITY", tostring(quantity))
  return wrk.format(r.method, r.path, r.headers, body)
end
"""
    return _run_wrk(name, base, script, seconds)


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
    await _settle(url, vacuum=True)
    return {"keys": {n: k.test_key for n, k in keys.items()}, "accounts": accounts}


async def _settle(url: str, *, vacuum: bool = False) -> None:
    """What earlier loads wrote flushed out (PostgreSQL's checkpoint, SQLite's WAL, the kernel's dirty
    pages), so that a load is not measured while the one before it is still being written, and on
    PostgreSQL fresh statistics, as its autovacuum keeps them: this machine's PostgreSQL runs with
    autovacuum off (its CI configuration), so the thousands of customers and sessions the write
    loads add were never analyzed, and the customer list that follows them, planned for the few
    rows there were, had a p99 of 0.8-1.4 s (p50 unchanged) with two workers in every run until
    this; a checkpoint alone did not change that. SQLite analyzes only when told to (the service
    does not), so its statistics stay those of the seeded database."""
    db = Database(url)
    if db.is_sqlite:
        with closing(sqlite3.connect(str(make_url(db.url).database), isolation_level=None)) as raw:
            if vacuum:
                raw.execute("ANALYZE")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)" if vacuum else "PRAGMA wal_checkpoint(PASSIVE)")
    else:
        async with db.writer.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE" if vacuum else "ANALYZE"))
            await conn.execute(text("CHECKPOINT"))
    await db.dispose()
    os.sync()


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


PORTAL_CUSTOMERS = 64  # the portal loads spread over these, as many customers' visits do


def _setup_portal(base: str, key: str) -> dict[str, Any]:
    """A plan, a configuration (plan changes, the login page), and PORTAL_CUSTOMERS customers,
    each with a subscription and a portal visit (its cookie and CSRF token)."""
    with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as c:
        product = c.post("/v1/products", data={"name": "Pro"}).json()["id"]
        price = c.post(
            "/v1/prices",
            data={"product": product, "currency": "usd", "unit_amount": "900", "recurring[interval]": "month"},
        ).json()["id"]
        configuration = c.post(
            "/v1/billing_portal/configurations",
            data=CONFIG_BODY_DICT
            | {
                "default_return_url": "https://bench.example/account",
                "login_page[enabled]": "true",
                "features[subscription_update][enabled]": "true",
                "features[subscription_update][default_allowed_updates][0]": "price",
                "features[subscription_update][default_allowed_updates][1]": "quantity",
                "features[subscription_update][products][0][product]": product,
                "features[subscription_update][products][0][prices][0]": price,
            },
        )
        configuration.raise_for_status()
        visits = []
        for i in range(PORTAL_CUSTOMERS):
            customer = c.post(
                "/v1/customers",
                data={
                    "email": f"bench{i}@example.com",
                    "payment_method": "pm_card_visa",
                    "invoice_settings[default_payment_method]": "pm_card_visa",
                },
            ).json()["id"]
            sub = c.post("/v1/subscriptions", data={"customer": customer, "items[0][price]": price}).json()["id"]
            url = c.post("/v1/billing_portal/sessions", data={"customer": customer}).json()["url"]
            with httpx.Client() as browser:
                cookie = browser.get(url).headers["set-cookie"].split(";")[0]
                csrf = browser.get(f"{base}/p/api/overview", headers={"Cookie": cookie}).json()["csrf_token"]
            visits.append({"customer": customer, "subscription": sub, "cookie": cookie, "csrf": csrf})
    login = urlsplit(configuration.json()["login_page"]["url"]).path
    return {"customer": visits[0]["customer"], "cookie": visits[0]["cookie"], "visits": visits, "login": login}


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

    def measure_floor(kind: str, seconds: int = DURATION) -> Load:
        if kind == "read":
            return wrk(
                "read floor",
                f"{floor.base}/floor/read",
                headers={"Authorization": f"Bearer {READ_KEY}"},
                seconds=seconds,
            )
        return wrk(
            "write floor",
            f"{floor.base}/floor",
            method="POST",
            body="email=a%40b.example&name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            seconds=seconds,
        )

    def measured(name: str, kind: str, go: Callable[[int], Load]) -> Load | None:
        if not wanted(name):
            return None
        asyncio.run(_settle(url))
        # Warmed up first, unmeasured: the first requests open the pool's connections (a PostgreSQL
        # backend each) and fill SQLAlchemy's caches; a load's figures are its steady state.
        go(WARMUP)
        before = measure_floor(kind)
        run.floors.append(before)
        result = go(DURATION)
        result.name, result.kind, result.floor_rps = name, kind, before.rps
        run.loads.append(result)
        return result

    def load(name: str, kind: str, url: str, **request: Any) -> Load | None:
        return measured(name, kind, lambda seconds: wrk(name, url, seconds=seconds, **request))

    def rotating(name: str, kind: str, groups: list[list[dict[str, Any]]]) -> Load | None:
        return measured(name, kind, lambda seconds: wrk_rotating(name, server.base, groups, seconds=seconds))

    try:
        measure_floor("write", WARMUP)  # their own warm-up
        measure_floor("read", WARMUP)
        main, form = seed["keys"]["main"], {"Content-Type": "application/x-www-form-urlencoded"}
        auth = {"Authorization": f"Bearer {main}", **form}
        portal = _setup_portal(server.base, main)
        visits = portal["visits"]
        load(
            "session create",
            "write",
            f"{server.base}/v1/billing_portal/sessions",
            method="POST",
            body=_form({"customer": portal["customer"]}),
            headers=auth,
        )
        load(
            "configuration create",
            "write",
            f"{server.base}/v1/billing_portal/configurations",
            method="POST",
            body=_form(CONFIG_BODY_DICT),
            headers=auth,
        )
        load(
            "customer create",
            "write",
            f"{server.base}/v1/customers",
            method="POST",
            body=_form({"email": "load@bench.example", "name": "Load"}),
            headers=auth,
        )
        # Each change sets a random quantity: a real change (prorations) every time, whatever the
        # warm-up left. Each wrk thread has half the customers, so changes of one subscription do
        # not race each other (more than a customer clicking twice would).
        half = len(visits) // 2
        rotating(
            "portal subscription update",
            "write",
            [
                [
                    {
                        "method": "POST",
                        "path": f"/p/api/subscriptions/{v['subscription']}/update",
                        "body": '{"quantity": RANDOM_QUANTITY}',
                        "headers": {
                            "Cookie": v["cookie"],
                            "X-CSRF-Token": v["csrf"],
                            "Content-Type": "application/json",
                        },
                    }
                    for v in part
                ]
                for part in (visits[:half], visits[half:])
            ],
        )
        rotating(
            "portal overview (JSON)",
            "read",
            [[{"path": "/p/api/overview", "headers": {"Cookie": v["cookie"]}} for v in visits]],
        )
        rotating(
            "portal overview page", "read", [[{"path": "/p/", "headers": {"Cookie": v["cookie"]}} for v in visits]]
        )
        load("login page", "read", f"{server.base}{portal['login']}")
        rotating(
            "subscription with latest_invoice",
            "read",
            [
                [
                    {"path": f"/v1/subscriptions/{v['subscription']}?expand[]=latest_invoice", "headers": auth}
                    for v in visits
                ]
            ],
        )
        load("customer list 10", "read", f"{server.base}/v1/customers?limit=10", headers=auth)
        large = {"Authorization": f"Bearer {seed['keys']['large']}"}
        load(f"list 10 of {ROWS:,}", "read", f"{server.base}/v1/subscriptions?limit=10", headers=large)
        load(
            f"list paused of {ROWS:,}",
            "read",
            f"{server.base}/v1/subscriptions?collection_paused=true&limit=10",
            headers=large,
        )
        if wanted("localstripe"):
            run.peers = _peers(run)
        if wanted("deliveries"):
            run.deliveries = _deliveries(env, url, server.base, main)
    finally:
        server.stop()
        floor.stop()
    if wanted("export"):
        run.export = _export(env, seed, ROWS)
    return run


def _peers(run: Run) -> list[Load]:
    """localstripe, on the operations both have: customer create and the list of 10."""
    peer = Localstripe(ROOT, free_port())
    try:
        peer.seed_customers(PEER_CUSTOMERS)
        key = {"Authorization": "Bearer sk_test_peer"}
        form = {"Content-Type": "application/x-www-form-urlencoded", **key}
        loads = []
        for name, request in (
            ("customer create", {"method": "POST", "body": _form({"email": "load@bench.example"}), "headers": form}),
            ("customer list 10", {"headers": key}),
        ):
            path = "/v1/customers" if name == "customer create" else "/v1/customers?limit=10"
            wrk(name, f"{peer.base}{path}", seconds=WARMUP, **request)
            loads.append(wrk(name, f"{peer.base}{path}", **request))
        return loads
    finally:
        peer.stop()


def _deliveries(env: dict[str, str], url: str, base: str, key: str) -> list[dict[str, Any]]:
    """Deliveries a second to a local sink with 1 worker, then 2 (each with new events)."""
    sink = Server(["bench.sink"], {})
    try:
        asyncio.run(_fan_out_all(url))  # what the loads above made is not what is measured
        delivery.endpoints(base, key, sink.base)
        results = []
        for workers in (1, 2):
            before = int(httpx.get(f"{sink.base}/count", timeout=5).text)
            owed = delivery.events(base, key)
            results.append(asdict(delivery.measure(env, str(ROOT), sink.base, owed, workers, before=before)))
        return results
    finally:
        sink.stop()


async def _fan_out_all(url: str) -> None:
    """Mark every event so far as fanned out (no endpoint existed for them)."""
    db = Database(url)
    async with db.writer.begin() as conn:
        await conn.execute(text("UPDATE events SET fanned_out = true WHERE fanned_out = false"))
    await db.dispose()


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


def _target(run: Run, load: Load) -> str:
    """The issue's targets: every load >= 0.5x its floor with p99 <= 100 ms, session create >= 0.8x;
    the paused filter within 2x the unfiltered list's p99."""
    ratio = load.rps / load.floor_rps if load.floor_rps else 0.0
    wanted = 0.8 if load.name == "session create" else 0.5
    missed = []
    if ratio < wanted:
        missed.append(f"{ratio:.2f}x < {wanted}x")
    if load.p99_ms > 100:
        missed.append(f"p99 {load.p99_ms:.0f} > 100 ms")
    if load.name.startswith("list paused"):
        unfiltered = next((x for x in run.loads if x.name.startswith("list 10 of")), None)
        if unfiltered is not None and load.p99_ms > 2 * unfiltered.p99_ms:  # None: a partial run
            missed.append(f"p99 > 2x unfiltered ({2 * unfiltered.p99_ms:.0f} ms)")
    return "met" if not missed else "MISSED: " + ", ".join(missed)


def report(runs: list[Run]) -> str:
    lines = [
        f"Benchmarks: {DURATION}s per load, {CONNECTIONS} connections, wrk from another process; "
        f"{ROWS:,} subscriptions for the list and export. Writes are compared with the write floor "
        "(form + INSERT + 1 KB JSON), reads with the read floor (bearer key + 10 indexed 1 KB rows "
        "as JSON), each measured just before its load.",
        "",
        "| backend | workers | load | req/s | floor req/s just before | ratio to floor | p50 ms | p99 ms | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for kind in ("write", "read"):
            floors = [f for f in run.floors if f.name == f"{kind} floor"]
            if floors:
                rps, p99 = sorted(f.rps for f in floors), sorted(f.p99_ms for f in floors)
                lines.append(
                    f"| {run.backend} | {run.workers} | {kind} floor, {len(floors)} runs | "
                    f"{rps[0]:,.0f}-{rps[-1]:,.0f} | | 1.00 | | {p99[0]:.1f}-{p99[-1]:.1f} | |"
                )
        for load in run.loads:
            errors = f" ({load.errors} errors)" if load.errors else ""
            lines.append(
                f"| {run.backend} | {run.workers} | {load.name} ({load.kind}){errors} | {load.rps:,.0f} | "
                f"{load.floor_rps:,.0f} | {load.rps / load.floor_rps:.2f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} | "
                f"{_target(run, load)} |"
            )
    one = next((r for r in runs if r.backend == "postgresql" and r.workers == 1), None)
    two = next((r for r in runs if r.backend == "postgresql" and r.workers == 2), None)
    pair = [x for r in (one, two) if r for x in r.loads if x.name == "session create"]
    if len(pair) == 2:
        first, second = pair
        scale = second.rps / first.rps
        verdict = "met" if scale >= 1.5 else "MISSED"
        # What the stack itself gains from a second worker on this machine: the same ratio of the
        # write floors measured just before each session create (wrk and PostgreSQL share the cores).
        floor_scale = second.floor_rps / first.floor_rps if first.floor_rps else 0.0
        lines += [
            "",
            f"PostgreSQL, session create, 2 workers / 1 worker: {scale:.2f}x ({verdict}: >= 1.5x); "
            f"the write floor's own 2 / 1 worker ratio in the same run: {floor_scale:.2f}x.",
        ]
    lines += [
        "",
        "Peers in this run: localstripe (in memory), on the operations both have; "
        f"its store holds {PEER_CUSTOMERS:,} customers.",
        "",
        "| backend | workers | load | req/s | localstripe req/s | ratio | p99 ms | localstripe p99 ms | goal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for peer in run.peers:
            ours = next((x for x in run.loads if x.name == peer.name), None)
            if ours is None:
                continue
            ratio = ours.rps / peer.rps if peer.rps else 0.0
            goal = 8 if peer.name == "customer create" else 3
            lines.append(
                f"| {run.backend} | {run.workers} | {peer.name} | {ours.rps:,.0f} | {peer.rps:,.0f} | {ratio:.1f}x | "
                f"{ours.p99_ms:.1f} | {peer.p99_ms:.1f} | {'met' if ratio >= goal else 'MISSED'} (>= {goal}x) |"
            )
    lines += [
        "",
        "| backend | serving workers | delivery workers | deliveries | seconds | deliveries/s |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        for d in run.deliveries:
            per_second = d["deliveries"] / d["seconds"] if d["seconds"] else 0.0
            lines.append(
                f"| {run.backend} | {run.workers} | {d['workers']} | {d['deliveries']:,} | {d['seconds']:.1f} | "
                f"{per_second:,.0f} |"
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
    if ONLY:
        return  # a partial run is not the latest run
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))
    (RESULTS / "latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
