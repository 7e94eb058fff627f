"""Signed, at-least-once webhook delivery, fair across endpoints.

1. Fan out: each new event gets one delivery per enabled endpoint that wants it (and existed
   when it happened); the event's `pending_webhooks` counts them.
2. Deliver: a worker keeps up to `concurrency` attempts in flight. Whenever a slot is free it
   claims due deliveries with a lease, at most `per_endpoint` in flight per endpoint across all
   workers (a hanging or failing endpoint holds its own slots only), POSTs each signed, outside
   any transaction, and records that attempt in a transaction of its own as soon as it ends, so
   a slow delivery holds up no other. An attempt (resolving, connecting, the answer) is cut off
   at half its lease, so the lease always outlives it: short of a crash, no other worker takes
   a delivery while it is being attempted, and each event reaches each endpoint once.
3. A 2xx succeeds; anything else is retried with exponential backoff and jitter, then marked
   failed. A worker killed at any moment loses nothing: its lease runs out and another worker (or
   itself, restarted) retries; receivers may see an event twice then, never zero times.
4. Where it connects: app/events/addresses.py resolves the host once, checks every address
   against the mode's policy, connects to the checked address and follows no redirect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.clock import Clock, unix
from app.domain import webhooks as rules
from app.events.addresses import Resolver, Unreachable
from app.events.signing import signature
from app.ids import new_id
from app.objects.events import render_event
from app.objects.version import for_version, rendered
from app.scope import Scope
from app.settings import Settings
from app.store.database import Database
from app.store.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger("portal.webhooks")

TIMEOUT = 10.0
HISTORY = 20
ERROR_CHARS = 300  # what an attempt's error keeps (never the endpoint's answer itself)


@dataclass(frozen=True)
class Job:
    pk: int
    delivery_id: str
    event_id: str
    livemode: bool
    url: str
    secret: str
    payload: bytes
    leased_until: int


@dataclass(frozen=True)
class Result:
    job: Job
    status_code: int | None
    error: str | None
    seconds: float


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        batch: int = 100,
        lease: int = 60,
        concurrency: int = 256,
        per_endpoint: int = 8,
        http: httpx.AsyncClient | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.batch = batch
        self.lease = lease
        self.concurrency = concurrency
        self.per_endpoint = per_endpoint
        # The whole attempt fits in half the lease (and Stripe's 10 s), so the lease outlives it.
        self.attempt_timeout = min(TIMEOUT, lease / 2)
        self._http = http
        self.resolver = resolver or Resolver()

    @classmethod
    def from_settings(cls, db: Database, clock: Clock, settings: Settings) -> DeliveryWorker:
        nameservers = [n for n in settings.dns_nameservers.split(",") if n.strip()]
        return cls(
            db,
            clock,
            lease=settings.webhook_lease_seconds,
            concurrency=settings.webhook_concurrency,
            per_endpoint=settings.webhook_per_endpoint,
            resolver=Resolver(nameservers or None),
        )

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

    async def _claim(self, limit: int) -> list[Job]:
        """Lease up to `limit` due deliveries with their events and endpoints (a few queries)."""
        now = unix(self.clock)
        async with self.db.uow() as uow:
            claimed = await uow.webhook_deliveries.claim_due(
                now=now, lease=self.lease, limit=min(limit, self.batch), per_endpoint=self.per_endpoint
            )
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
                    d.leased_until = 0
                    await uow.webhook_deliveries.settle(Counter({d.event_id: 1}))
                    continue
                # In the endpoint's API version (its own, else the one the event was made in).
                version = rendered(endpoint.api_version or event.api_version)
                body = for_version(render_event(event), version)
                body["api_version"] = version
                body["pending_webhooks"] = event.pending_webhooks
                payload = json.dumps(body, separators=(",", ":")).encode()
                jobs.append(
                    Job(d.pk, d.id, event.id, d.livemode, endpoint.url, endpoint.secret, payload, d.leased_until)
                )
            await uow.commit()
        return jobs

    async def _post(self, http: httpx.AsyncClient, job: Job) -> tuple[int | None, str | None, float]:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.attempt_timeout):
                parts = urlsplit(job.url)
                host = parts.hostname or ""
                address = await self.resolver.target(host, livemode=job.livemode)
                headers = {
                    "Host": parts.netloc.rpartition("@")[2],
                    "Content-Type": "application/json; charset=utf-8",
                    "Stripe-Signature": signature(job.secret, job.payload, unix(self.clock)),
                    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                }
                # Connect to the address that was checked; TLS still checks the certificate of `host`.
                url = httpx.URL(job.url).copy_with(host=address)
                extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
                request = http.build_request("POST", url, content=job.payload, headers=headers, extensions=extensions)
                # The answer's body is never read: its status is all a delivery needs.
                response = await http.send(request, stream=True, follow_redirects=False)
                await response.aclose()
                return response.status_code, None, time.perf_counter() - started
        except TimeoutError:
            error = f"timed out after {self.attempt_timeout:g} s"
        except Unreachable as exc:
            error = str(exc)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        return None, error[:ERROR_CHARS], time.perf_counter() - started

    async def _record(self, results: list[Result]) -> None:
        """Write the attempts that ended together in one transaction (the queue's writes stay
        few under load), each only if its delivery is still held by that attempt's lease."""
        if not results:
            return
        now = unix(self.clock)
        async with self.db.uow() as uow:
            deliveries = await uow.webhook_deliveries.by_pks([result.job.pk for result in results])
            settled: Counter[str] = Counter()
            for result in results:
                job = result.job
                delivery = deliveries.get(job.pk)
                if delivery is None or delivery.status != "pending" or delivery.leased_until != job.leased_until:
                    log.warning("delivery %s was taken over before its attempt was recorded", job.delivery_id)
                    continue
                if _note(delivery, result.status_code, result.error, result.seconds, now):
                    settled[job.event_id] += 1
            await uow.webhook_deliveries.settle(settled)
            await uow.commit()

    async def _attempt(self, http: httpx.AsyncClient, job: Job) -> Result:
        return Result(job, *await self._post(http, job))

    def _client(self) -> httpx.AsyncClient:
        if self._http is not None:
            return self._http
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=min(self.concurrency, 64))
        return httpx.AsyncClient(follow_redirects=False, limits=limits, trust_env=False)

    async def _start(self, http: httpx.AsyncClient, running: set[asyncio.Task[Result]]) -> int:
        """Fill the free slots with claimed deliveries; how many were started."""
        if len(running) >= self.concurrency:
            return 0
        jobs = await self._claim(self.concurrency - len(running))
        running |= {asyncio.create_task(self._attempt(http, job)) for job in jobs}
        return len(jobs)

    async def _finish(self, running: set[asyncio.Task[Result]]) -> set[asyncio.Task[Result]]:
        """Record the attempts that ended; the ones still under way."""
        done = {task for task in running if task.done()}
        results = []
        for task in done:
            if task.cancelled() or task.exception() is not None:
                log.error("a delivery attempt failed", exc_info=None if task.cancelled() else task.exception())
            else:
                results.append(task.result())
        await self._record(results)
        return running - done

    async def deliver_due(self) -> int:
        """Attempt every delivery due now once; the number attempted. Slots are refilled as
        attempts end, so one slow endpoint does not hold back the others."""
        attempted = 0
        running: set[asyncio.Task[Result]] = set()
        http = self._client()
        try:
            while True:
                attempted += await self._start(http, running)
                if not running:
                    return attempted
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                running = await self._finish(running)
        finally:
            for task in running:
                task.cancel()
            if self._http is None:
                await http.aclose()

    async def run_once(self) -> int:
        fanned = await self.fan_out()
        return fanned + await self.deliver_due()

    async def run(self, stop: asyncio.Event, *, idle: float = 0.5) -> None:
        """Work until `stop` is set: fan out, keep the slots filled with due deliveries, record
        attempts as they end; sleep up to `idle` seconds (or until an attempt ends) when idle."""
        running: set[asyncio.Task[Result]] = set()
        http = self._client()
        try:
            while not stop.is_set():
                busy = 0
                try:
                    running = await self._finish(running)
                    busy += await self.fan_out()
                    busy += await self._start(http, running)
                except Exception:
                    log.exception("delivery worker round failed; retrying")
                if busy:
                    continue
                stopped = asyncio.ensure_future(stop.wait())
                await asyncio.wait({stopped, *running}, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
        finally:
            # Attempts under way finish (each is bounded by its timeout) and are recorded.
            if running:
                await asyncio.wait(running)
                await self._finish(running)
            if self._http is None:
                await http.aclose()


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
