"""The billing scheduler: time passing for every object not on a test clock. Each round finds
what has come due (renewals and trial ends, `cancel_at`, trial warnings, incomplete subscriptions
expiring, drafts finalizing an hour after they were made, payment retries, invoices going
overdue) and runs each in its own transaction through the same lifecycle code a test clock's
advance runs (app/services/lifecycle.py), re-checked under its lock: two workers that find the
same thing run it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.clock import Clock, unix
from app.context import Ctx
from app.errors import StripeError
from app.scope import Scope
from app.services import lifecycle
from app.store.database import Database
from app.store.repositories.schedule_due import Candidate
from app.store.uow import UnitOfWork

log = logging.getLogger("portal.scheduler")


class Scheduler:
    def __init__(
        self, db: Database, clock: Clock, *, base_url: str, batch: int = 200, accounts: list[str] | None = None
    ) -> None:
        """`accounts`: only these accounts' objects (a shard of them; the tests' own account)."""
        self.accounts = accounts
        self.db = db
        self.clock = clock
        self.base_url = base_url
        self.batch = batch

    async def run_once(self) -> int:
        """Run everything due now (in rounds of `batch` candidates); how many things ran."""
        ran = 0
        while True:
            now = unix(self.clock)
            async with self.db.uow(write=False) as uow:
                subs = await uow.schedule_due.subscriptions(
                    now,
                    self.batch,
                    incomplete_before=now - lifecycle.INCOMPLETE_LIFETIME,
                    warn_before=now + lifecycle.TRIAL_WARNING,
                    accounts=self.accounts,
                )
                invoices = await uow.schedule_due.invoices(now, self.batch, accounts=self.accounts)
            done = 0
            for candidate in [*subs, *invoices]:
                done += await self._run_candidate(candidate)
            ran += done
            # A round that ran nothing found only things not due after all: wait for the next.
            if done == 0 or (len(subs) < self.batch and len(invoices) < self.batch):
                return ran

    async def _run_candidate(self, candidate: Candidate) -> int:
        """Everything due now for one candidate, earliest first, each in its own transaction."""
        ran = 0
        for _ in range(100):  # bounded: a subscription years behind catches up over rounds
            ctx = Ctx(scope=Scope(candidate.account_id, candidate.livemode), clock=self.clock, base_url=self.base_url)
            try:
                async with self.db.transaction() as uow:
                    due = await self._earliest(uow, ctx, candidate)
                    if due is None or not await lifecycle.run(uow, ctx, due):
                        return ran
            except StripeError as exc:  # a rule refused it (the state moved meanwhile): next round
                log.info("scheduled %s not run: %s", candidate, exc.message)
                return ran
            ran += 1
        return ran

    async def _earliest(self, uow: UnitOfWork, ctx: Ctx, candidate: Candidate) -> lifecycle.Due | None:
        now = ctx.now()
        found: list[lifecycle.Due] = []
        if candidate.invoice_id is not None:
            invoice = await uow.invoices.get(ctx.scope, candidate.invoice_id)
            found += lifecycle.invoice_due(invoice) if invoice is not None else []
        if candidate.subscription_id is not None:
            sub = await uow.subscriptions.get(ctx.scope, candidate.subscription_id)
            if sub is not None:
                found += await lifecycle.due_for(uow, ctx, sub)
                # The renewal it just made may be due to finalize already (a scheduler catching up).
                latest = await uow.invoices.get(ctx.scope, sub.latest_invoice) if sub.latest_invoice else None
                found += lifecycle.invoice_due(latest) if latest is not None else []
        due = [d for d in found if d.at <= now]
        return min(due, key=lambda d: d.at) if due else None

    async def run(self, stop: asyncio.Event, *, every: float = 30.0) -> None:
        while not stop.is_set():
            try:
                if ran := await self.run_once():
                    log.info("ran %d scheduled billing steps", ran)
            except Exception:
                log.exception("billing scheduler round failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
