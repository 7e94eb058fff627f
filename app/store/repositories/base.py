"""Scoped reads and cursor pagination shared by every resource's repository.

The scope is a required argument of every method, so a forgotten filter is a type error (R2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import ResourceMissing
from app.scope import Scope
from app.store import fast_path
from app.store.base import ScopedRecord

M = TypeVar("M", bound=ScopedRecord)


@dataclass
class Page(Generic[M]):
    data: list[M]
    has_more: bool


@dataclass(frozen=True)
class Cursor:
    limit: int = 10
    starting_after: str | None = None
    ending_before: str | None = None


class ScopedRepository(Generic[M]):
    model: type[M]
    noun: str

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def scoped(self, scope: Scope) -> Select[M]:
        return select(self.model).where(
            self.model.account_id == scope.account_id, self.model.livemode == scope.livemode
        )

    async def get(self, scope: Scope, object_id: str) -> M | None:
        kept: M | None = fast_path.remembered(self.session, self.model, scope, object_id)
        if kept is not None:
            return kept
        found = (await self.session.execute(self.scoped(scope).where(self.model.id == object_id))).scalar()
        if found is not None:
            fast_path.remember(self.session, found)
        return found

    async def get_for_update(self, scope: Scope, object_id: str) -> M | None:
        """The row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's write
        transactions hold the only writer), and read again: an instance loaded earlier in this
        unit of work is refreshed, so the caller decides on the state the lock protects."""
        stmt = (
            self.scoped(scope)
            .where(self.model.id == object_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found = (await self.session.execute(stmt)).scalar()
        if found is not None:
            fast_path.remember(self.session, found)
        return found

    async def many(self, scope: Scope, ids: list[str]) -> dict[str, M]:
        """Several objects by id in one query (missing ones are simply absent)."""
        if not ids:
            return {}
        found: dict[str, M] = {}
        for object_id in set(ids):
            kept: M | None = fast_path.remembered(self.session, self.model, scope, object_id)
            if kept is not None:
                found[object_id] = kept
        missing = set(ids) - found.keys()
        if missing:
            rows = list((await self.session.execute(self.scoped(scope).where(self.model.id.in_(missing)))).scalars())
            fast_path.remember(self.session, *rows)
            found |= {obj.id: obj for obj in rows}
        return found

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def page(self, scope: Scope, cursor: Cursor, *where: ColumnElement[bool]) -> Page[M]:
        """Newest first, ties broken by insertion order, so pages never skip or repeat a row."""
        m = self.model
        stmt: Select[Any] = self.scoped(scope).where(*where)
        if cursor.starting_after is not None:
            anchor = await self._anchor(scope, cursor.starting_after, "starting_after")
            stmt = stmt.where(or_(m.created < anchor[0], and_(m.created == anchor[0], m.pk < anchor[1])))
        if cursor.ending_before is not None:
            anchor = await self._anchor(scope, cursor.ending_before, "ending_before")
            stmt = stmt.where(or_(m.created > anchor[0], and_(m.created == anchor[0], m.pk > anchor[1])))
            stmt = stmt.order_by(m.created.asc(), m.pk.asc()).limit(cursor.limit + 1)
            rows = list((await self.session.execute(stmt)).scalars())
            return Page(list(reversed(rows[: cursor.limit])), len(rows) > cursor.limit)
        stmt = stmt.order_by(m.created.desc(), m.pk.desc()).limit(cursor.limit + 1)
        rows = list((await self.session.execute(stmt)).scalars())
        return Page(rows[: cursor.limit], len(rows) > cursor.limit)

    async def _anchor(self, scope: Scope, object_id: str, param: str) -> tuple[int, int]:
        m = self.model
        stmt = select(m.created, m.pk).where(
            m.account_id == scope.account_id, m.livemode == scope.livemode, m.id == object_id
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            raise ResourceMissing(self.noun, object_id, param=param)
        return int(row[0]), int(row[1])


def created_filter(
    column: ColumnElement[int] | InstrumentedAttribute[int], bounds: dict[str, int] | None
) -> list[ColumnElement[bool]]:
    """Stripe's `created[gt|gte|lt|lte]` (a bare integer arrives here as `{"eq": n}`)."""
    if not bounds:
        return []
    ops = {
        "eq": column.__eq__,
        "gt": column.__gt__,
        "gte": column.__ge__,
        "lt": column.__lt__,
        "lte": column.__le__,
    }
    return [ops[op](value) for op, value in bounds.items()]
