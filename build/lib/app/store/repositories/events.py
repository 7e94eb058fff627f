"""Events: the outbox rows written in the same transaction as the change they describe."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app.scope import Scope
from app.store.models import Event
from app.store.repositories.base import Cursor, Page, ScopedRepository, created_filter


class EventRepository(ScopedRepository[Event]):
    model = Event
    noun = "event"

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        types: list[str] | None = None,
        prefix: str | None = None,
        created: dict[str, int] | None = None,
    ) -> Page[Event]:
        where: list[ColumnElement[bool]] = []
        if types:
            where.append(Event.type.in_(types))
        if prefix is not None:
            where.append(Event.type.startswith(prefix, autoescape=True))
        where.extend(created_filter(Event.created, created))
        return await self.page(scope, cursor, *where)
