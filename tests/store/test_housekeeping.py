"""The housekeeper forgets throttle rows a day after their last use (their limits' windows are
an hour at most), and keeps the ones in use."""

from __future__ import annotations

from sqlalchemy import select

from app.clock import FixedClock, unix
from app.events.housekeeping import Housekeeper
from app.store.database import Database
from app.store.models import ThrottleKey


async def test_old_throttle_rows_are_forgotten(db: Database, clock: FixedClock) -> None:
    async with db.transaction() as uow:
        await uow.counters.hold(["housekeeping:old"], now=unix(clock))
    clock.advance(hours=25)
    async with db.transaction() as uow:
        await uow.counters.hold(["housekeeping:new"], now=unix(clock))
    await Housekeeper(db, clock, idempotency_ttl_hours=24).run_once()
    async with db.uow(write=False) as uow:
        stmt = select(ThrottleKey.key).where(ThrottleKey.key.like("housekeeping:%"))
        assert list((await uow.session.execute(stmt)).scalars()) == ["housekeeping:new"]
