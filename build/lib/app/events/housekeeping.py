"""What the worker does beside delivering webhooks: forget what has expired.

Idempotency records are replayed for `IDEMPOTENCY_TTL_HOURS` (Stripe: 24 hours) and then purged,
in batches of their own transactions, so the table does not grow forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.clock import Clock, unix
from app.store.database import Database

log = logging.getLogger("portal.housekeeping")


class Housekeeper:
    def __init__(self, db: Database, clock: Clock, *, idempotency_ttl_hours: int, batch: int = 5000) -> None:
        self.db = db
        self.clock = clock
        self.ttl = idempotency_ttl_hours * 3600
        self.batch = batch

    async def run_once(self) -> int:
        """Purge every idempotency record past its time; how many."""
        purged = 0
        while True:
            async with self.db.transaction() as uow:
                gone = await uow.idempotency.purge(older_than=unix(self.clock) - self.ttl, limit=self.batch)
            purged += gone
            if gone < self.batch:
                return purged

    async def run(self, stop: asyncio.Event, *, every: float = 300.0) -> None:
        while not stop.is_set():
            try:
                if purged := await self.run_once():
                    log.info("purged %d expired idempotency records", purged)
            except Exception:
                log.exception("housekeeping round failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
