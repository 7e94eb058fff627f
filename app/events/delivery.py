"""Signed, at-least-once webhook delivery.

1. Fan out: each new event gets one delivery per enabled endpoint that wants it (and existed
   when it happened); the event's `pending_webhooks` counts them.
2. Deliver: claim due deliveries with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers
   never hold the same delivery at once), POST them signed, outside any transaction, then record
   the attempt. A 2xx within 10 s succeeds; anything else is retried with exponential backoff and
   jitter, then marked failed. A worker killed at any moment loses nothing: its lease runs out and
   another worker (or itself, restarted) retries; receivers may see an event twice, never zero times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.clock import Clock, unix
from app.domain import webhooks as rules
from app.events.signing import signature
from app.ids import new_id
from app.objects.events import render_event
from app.scope import Scope
from app.store.database import Database
from app.store.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger("portal.webhooks")

TIMEOUT = 10.0
HISTORY = 20


@dataclass(frozen=True)
class Job:
    pk: int
    delivery_id: str
    event_id: str
    livemode: bool
    url: str
    secret: str
    payload: bytes


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        batch: int = 100,
        lease: int = 60,
        concurrency: int = 16,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.concurrency = concurrency
        self._http = http

    async def fan_out(self) -> int:
        """Make the deliveries of events not yet fanned out; the number of events handled."""
        now = unix(self.clock)
        async with self.db.uow() as uow:
            events = await uow.webhook_deliveries.unfanned_events(self.batch)
            endpoints: dict[Scope, list[WebhookEndpoint]] = {}
            for event in events:
                scope = Scope(event.account_id, event.livemode)
                if scope not in endpoints:
                    endpoints[scope] = await uow.webhook_endpoints.enabled(scope)
                wanted = [
                    e
                    for e in endpoints[scope]
                    if e.created <= event.created and rules.matches(e.enabled_events, event.type)
                ]
                for endpoint in wanted:
                    uow.webhook_deliveries.add(
                        WebhookDelivery(
                            id=new_id("whd", 24),
                            account_id=event.account_id,
                            livemode=event.livemode,
                            created=now,
                            event_id=event.id,
                            endpoint_id=endpoint.id,
                            status="pending",
                            attempts=0,
                            next_attempt_at=now,
                            leased_until=0,
                            history=[],
                        )
                    )
                event.pending_webhooks = len(wanted)
                event.fanned_out = True
            await uow.commit()
        return len(events)

    async def _claim(self) -> list[Job]:
        """Lease a batch of due deliveries with their events and endpoints (a few queries per batch)."""
        now = unix(self.clock)
        async with self.db.uow() as uow:
            claimed = await uow.webhook_deliveries.claim_due(now=now, lease=self.lease, limit=self.batch)
            events: dict[str, Any] = {}
            endpoints: dict[str, Any] = {}
            by_scope: dict[Scope, list[WebhookDelivery]] = {}
            for d in claimed:
                by_scope.setdefault(Scope(d.account_id, d.livemode), []).append(d)
            for scope, group in by_scope.items():
                events |= await uow.events.many(scope, [d.event_id for d in group])
                endpoints |= await uow.webhook_endpoints.many(scope, [d.endpoint_id for d in group])
            jobs = []
            for d in claimed:
                event, endpoint = events.get(d.event_id), endpoints.get(d.endpoint_id)
                if event is None or endpoint is None or endpoint.deleted or endpoint.status != "enabled":
                    d.status = "failed"
                    d.last_error = "endpoint disabled or deleted"
                    await uow.webhook_deliveries.settle(Counter({d.event_id: 1}))
                    continue
                body = render_event(event)
                body["pending_webhooks"] = event.pending_webhooks
                payload = json.dumps(body, separators=(",", ":")).encode()
                jobs.append(Job(d.pk, d.id, event.id, d.livemode, endpoint.url, endpoint.secret, payload))
            await uow.commit()
        return jobs

    async def _post(self, http: httpx.AsyncClient, job: Job) -> tuple[int | None, str | None, float]:
        started = time.perf_counter()
        try:
            if job.livemode:
                await _check_public(job.url)
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": signature(job.secret, job.payload, unix(self.clock)),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            }
            response = await http.post(job.url, content=job.payload, headers=headers, timeout=TIMEOUT)
            return response.status_code, None, time.perf_counter() - started
        except (httpx.HTTPError, OSError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}"[:1000], time.perf_counter() - started

    async def _record(self, results: list[tuple[Job, int | None, str | None, float]]) -> None:
        """Write a batch's attempts in one transaction."""
        now = unix(self.clock)
        async with self.db.uow() as uow:
            deliveries = await uow.webhook_deliveries.by_pks([job.pk for job, *_ in results])
            settled: Counter[str] = Counter()
            for job, status_code, error, seconds in results:
                delivery = deliveries.get(job.pk)
                if (
                    delivery is not None
                    and delivery.status == "pending"
                    and _note(delivery, status_code, error, seconds, now)
                ):
                    settled[job.event_id] += 1
            await uow.webhook_deliveries.settle(settled)
            await uow.commit()

    async def deliver_due(self) -> int:
        """Attempt every due delivery once; the number attempted."""
        jobs = await self._claim()
        if not jobs:
            return 0
        limit = asyncio.Semaphore(self.concurrency)
        http = self._http or httpx.AsyncClient(follow_redirects=False)
        try:

            async def one(job: Job) -> tuple[Job, int | None, str | None, float]:
                async with limit:
                    return (job, *await self._post(http, job))

            await self._record(list(await asyncio.gather(*(one(job) for job in jobs))))
        finally:
            if self._http is None:
                await http.aclose()
        return len(jobs)

    async def run_once(self) -> int:
        fanned = await self.fan_out()
        return fanned + await self.deliver_due()

    async def run(self, stop: asyncio.Event, *, idle: float = 0.5) -> None:
        """Work until `stop` is set; sleep `idle` seconds whenever there was nothing to do."""
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("delivery worker round failed; retrying")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle)


def _note(delivery: WebhookDelivery, status_code: int | None, error: str | None, seconds: float, now: int) -> bool:
    """Record one attempt; True when the delivery is settled (succeeded, or given up)."""
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_error = error
    entry = {"at": now, "status_code": status_code, "error": error, "duration_ms": round(seconds * 1000, 1)}
    delivery.history = [*(delivery.history or []), entry][-HISTORY:]
    delivery.leased_until = 0
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = "succeeded"
        return True
    delay = rules.retry_delay(delivery.attempts, livemode=delivery.livemode, age=now - delivery.created)
    if delay is None:
        delivery.status = "failed"
        return True
    delivery.next_attempt_at = now + delay
    return False


async def _check_public(url: str) -> None:
    """Live mode: the host must resolve to public addresses only, checked at delivery time."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    infos: list[Any] = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        if not rules.is_public(info[4][0]):
            raise ValueError(f"{host} resolves to a non-public address")
