"""What the worker does beside delivering webhooks: forget what has expired.

Idempotency records are replayed for `IDEMPOTENCY_TTL_HOURS` (Stripe: 24 hours) and then purged,
and the rate limits' throttle rows a day after their last use, in batches of their own
transactions, so neither table grows forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.clock import Clock, unix
from app.store.database import Database
from app.store.uow import UnitOfWork

log = logging.getLogger("portal.housekeeping")
THROTTLE_KEEP = 24 * 3600  # longer than any limit's window (an hour at most)


class Housekeeper:
    def __init__(self, db: Database, clock: Clock, *, idempotency_ttl_hours: int, batch: int = 5000) -> None:
        self.db = db
        self.clock = clock
        self.ttl = idempotency_ttl_hours * 3600
        self.batch = batch

    async def run_once(self) -> int:
        """Purge every idempotency record and throttle row past its time; how many."""
        purged = 0
        for purge in (self._idempotency, self._throttle_keys):
            while True:
                async with self.db.transaction() as uow:
                    gone = await purge(uow)
                purged += gone
                if gone < self.batch:
                    break
        return purged

    async def _idempotency(self, uow: UnitOfWork) -> int:
        return await uow.idempotency.purge(older_than=unix(self.clock) - self.ttl, limit=self.batch)

    async def _throttle_keys(self, uow: UnitOfWork) -> int:
        return await uow.counters.forget_throttle_keys(older_than=unix(self.clock) - THROTTLE_KEEP, limit=self.batch)

    async def run(self, stop: asyncio.Event, *, every: float = 300.0) -> None:
        while not stop.is_set():
            try:
                if purged := await self.run_once():
                    log.info("purged %d expired idempotency records and throttle rows", purged)
            except Exception:
                log.exception("housekeeping round failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
