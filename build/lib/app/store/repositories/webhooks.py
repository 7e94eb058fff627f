"""Webhook endpoints and the delivery queue.

The queue methods serve the delivery worker, which works for every account: they select by queue
state, and everything they return carries its own account and mode.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, func, select, update

from app.scope import Scope
from app.store.models import Event, WebhookDelivery, WebhookEndpoint
from app.store.repositories.base import Cursor, Page, ScopedRepository


class WebhookEndpointRepository(ScopedRepository[WebhookEndpoint]):
    model = WebhookEndpoint
    noun = "webhook_endpoint"

    async def find(self, scope: Scope, cursor: Cursor) -> Page[WebhookEndpoint]:
        return await self.page(scope, cursor, WebhookEndpoint.deleted.is_(False))

    async def enabled(self, scope: Scope) -> list[WebhookEndpoint]:
        stmt = self.scoped(scope).where(WebhookEndpoint.deleted.is_(False), WebhookEndpoint.status == "enabled")
        return list((await self.session.execute(stmt)).scalars())


class WebhookDeliveryRepository(ScopedRepository[WebhookDelivery]):
    model = WebhookDelivery
    noun = "webhook_delivery"

    def __init__(self, session: Any, *, dialect: str) -> None:
        super().__init__(session)
        self.dialect = dialect

    def _skip_locked(self, stmt: Any) -> Any:
        # PostgreSQL: workers skip rows another worker holds. SQLite has one writer at a time anyway.
        return stmt.with_for_update(skip_locked=True) if self.dialect == "postgresql" else stmt

    async def unfanned_events(self, limit: int) -> list[Event]:
        stmt = select(Event).where(Event.fanned_out.is_(False)).order_by(Event.pk).limit(limit)
        return list((await self.session.execute(self._skip_locked(stmt))).scalars())

    async def claim_due(self, *, now: int, lease: int, limit: int, per_endpoint: int) -> list[WebhookDelivery]:
        """Take up to `limit` due deliveries and hold them for `lease` seconds, at most
        `per_endpoint` in flight per endpoint across all workers, endpoints waiting longest first.
        The endpoints are locked while claiming (PostgreSQL: another worker skips them), so two
        workers cannot both fill one endpoint's quota."""
        if limit <= 0:
            return []
        d = WebhookDelivery
        due = (d.status == "pending", d.next_attempt_at <= now, d.leased_until < now)
        waiting = (
            select(d.endpoint_id).where(*due).group_by(d.endpoint_id).order_by(func.min(d.next_attempt_at)).limit(limit)
        )
        endpoint_ids = list((await self.session.execute(waiting)).scalars())
        if not endpoint_ids:
            return []
        owned_stmt = select(WebhookEndpoint.id).where(WebhookEndpoint.id.in_(endpoint_ids))
        owned = set((await self.session.execute(self._skip_locked(owned_stmt))).scalars())
        if not owned:
            return []
        busy_stmt: Any = (
            select(d.endpoint_id, func.count())
            .where(d.endpoint_id.in_(owned), d.status == "pending", d.leased_until >= now)
            .group_by(d.endpoint_id)
        )
        busy = {endpoint: int(n) for endpoint, n in (await self.session.execute(busy_stmt)).all()}
        rank = func.row_number().over(partition_by=d.endpoint_id, order_by=(d.next_attempt_at, d.pk)).label("rank")
        ranked = select(d.pk, d.endpoint_id, rank).where(*due, d.endpoint_id.in_(owned)).subquery()
        candidates = (
            select(ranked.c.pk, ranked.c.endpoint_id)
            .where(ranked.c.rank <= per_endpoint)
            .order_by(ranked.c.endpoint_id, ranked.c.rank)
        )
        chosen: list[int] = []
        for pk, endpoint in (await self.session.execute(candidates)).all():
            if busy.get(endpoint, 0) < per_endpoint:
                busy[endpoint] = busy.get(endpoint, 0) + 1
                chosen.append(int(pk))
        if not chosen:
            return []
        # Fair across endpoints: the first of each endpoint before the second of any.
        rows = list((await self.session.execute(select(d).where(d.pk.in_(chosen)))).scalars())
        order = {endpoint: i for i, endpoint in enumerate(endpoint_ids)}
        rows.sort(key=lambda r: (r.next_attempt_at, order.get(r.endpoint_id, 0), r.pk))
        rows = _round_robin(rows)[:limit]
        for row in rows:
            row.leased_until = now + lease
        return rows

    async def for_endpoint(self, scope: Scope, endpoint_id: str, cursor: Cursor) -> Page[WebhookDelivery]:
        where: list[ColumnElement[bool]] = [WebhookDelivery.endpoint_id == endpoint_id]
        return await self.page(scope, cursor, *where)

    async def settle(self, settled: Counter[str]) -> None:
        """Lower events' pending_webhooks by the deliveries just settled (one statement per count)."""
        by_count: dict[int, list[str]] = {}
        for event_id, n in settled.items():
            by_count.setdefault(n, []).append(event_id)
        for n, event_ids in by_count.items():
            await self.session.execute(
                update(Event)
                .where(Event.id.in_(event_ids))
                .values(
                    pending_webhooks=func.greatest(Event.pending_webhooks - n, 0)
                    if self.dialect == "postgresql"
                    else func.max(Event.pending_webhooks - n, 0)
                )
                .execution_options(synchronize_session=False)
            )

    async def by_pks(self, pks: list[int]) -> dict[int, WebhookDelivery]:
        rows = await self.session.execute(select(WebhookDelivery).where(WebhookDelivery.pk.in_(pks)))
        return {d.pk: d for d in rows.scalars()}


def _round_robin(rows: list[WebhookDelivery]) -> list[WebhookDelivery]:
    by_endpoint: dict[str, list[WebhookDelivery]] = {}
    for row in rows:
        by_endpoint.setdefault(row.endpoint_id, []).append(row)
    result: list[WebhookDelivery] = []
    while by_endpoint:
        for endpoint in list(by_endpoint):
            result.append(by_endpoint[endpoint].pop(0))
            if not by_endpoint[endpoint]:
                del by_endpoint[endpoint]
    return result
