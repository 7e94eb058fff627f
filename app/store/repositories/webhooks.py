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

    async def claim_due(self, *, now: int, lease: int, limit: int) -> list[WebhookDelivery]:
        """Take up to `limit` due deliveries no other worker holds, and hold them for `lease` seconds."""
        stmt = (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                WebhookDelivery.leased_until < now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.pk)
            .limit(limit)
        )
        rows = list((await self.session.execute(self._skip_locked(stmt))).scalars())
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
