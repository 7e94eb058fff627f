"""`make races`: every race of tests/races/scenarios.py, many trials each, on SQLite and on
PostgreSQL, with the number of trials that broke an invariant per race (all should be 0).

    python -m tests.races.run [--trials 200] [--databases sqlite,postgresql] [--postgres URL]

Exits non-zero when any trial broke an invariant; the first few problems of each race are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from app.clock import SystemClock
from app.main import create_app
from app.settings import Settings
from app.store.database import normalize_url
from app.store.migrate import upgrade
from tests.conftest import _admin
from tests.races.scenarios import RACES, Env


async def _run(url: str, trials: int) -> dict[str, list[str]]:
    clock = SystemClock()
    app = create_app(Settings(database_url=url, base_url="http://portal.test", key_cache_seconds=0), clock)
    env = Env(app=app, db=app.state.portal.db, clock=clock)
    broken: dict[str, list[str]] = {}
    try:
        for name, race in RACES.items():
            started, problems, bad = time.monotonic(), [], 0
            for _ in range(trials):
                found = await race(env)
                bad += bool(found)
                problems += found[:1]
            broken[name] = problems
            print(f"  {name:<26} {bad:>4} of {trials} trials broke an invariant  ({time.monotonic() - started:.0f} s)")
            for problem in problems[:3]:
                print(f"      {problem[:300]}")
            sys.stdout.flush()
    finally:
        await env.db.dispose()
    return broken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=int(os.environ.get("RACE_TRIALS", "200")))
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres", default=os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    failed = False
    for kind in args.databases.split(","):
        if kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="races-"))
            url, drop = f"sqlite+aiosqlite:///{folder / 'races.db'}", None
        else:
            name = f"portal_races_{secrets.token_hex(3)}"
            _admin(args.postgres, f'CREATE DATABASE "{name}"')
            url = make_url(normalize_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        print(f"== {kind}: {len(RACES)} races, {args.trials} trials each, N requests at once")
        try:
            upgrade(url)
            broken = asyncio.run(_run(url, args.trials))
            failed |= any(broken.values())
        finally:
            if drop:
                _admin(args.postgres, drop)
    print("races: all invariants held" if not failed else "races: VIOLATIONS (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
