"""Scoped reads and cursor pagination shared by every resource's repository.

The scope is a required argument of every method, so a forgotten filter is a type error (R2).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, Result, Select, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import ResourceMissing
from app.scope import Scope
from app.store import fast_path
from app.store.base import ScopedRecord

M = TypeVar("M", bound=ScopedRecord)
S = TypeVar("S")


def in_scope(scope: Scope, **values: Any) -> dict[str, Any]:
    """The bind parameters of a `bound()` statement."""
    return {"account_id": scope.account_id, "livemode": scope.livemode, **values}


@dataclass
class Page(Generic[M]):
    data: list[M]
    has_more: bool


@dataclass(frozen=True)
class Shape:
    """A list's filters that carry no value of the call but as bind parameters (`deleted IS
    false`, a status out of a fixed few, `customer_id = :customer`) under a key of their own: the
    first page's statement is built once a process (`ScopedRepository.page`), and on a hit the
    filters are not built either. The key never holds an id or a date (a statement would be kept
    for each): those are `values`."""

    key: Hashable
    where: Callable[[], Sequence[ColumnElement[bool]]]
    # The values of the bind parameters `where` names (`Invoice.customer_id == bindparam("customer")`).
    values: Mapping[str, Any] = field(default_factory=dict)


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

    def bound(self) -> Select[M]:
        """`scoped`, with the scope as the bind parameters `account_id` and `livemode`, for
        statements built once (`fast_path.prepared`); `in_scope` gives their values."""
        return select(self.model).where(
            self.model.account_id == bindparam("account_id"), self.model.livemode == bindparam("livemode")
        )

    def prepared(self, name: str, build: Callable[[], S]) -> S:
        return fast_path.prepared(self.session, (self.model, name), build)

    # On the fast path, one object by id is read with its page's statement (`with_page` and
    # `around_page`: what rendering it reads, in the same round trip) where this is set.
    get_as_page = False

    async def get(self, scope: Scope, object_id: str) -> M | None:
        kept: M | None = fast_path.remembered(self.session, self.model, scope, object_id)
        if kept is not None:
            return kept
        found: M | None
        if self.get_as_page and fast_path.on(self.session):
            stmt = self.prepared(
                "get_as_page",
                lambda: self.around_page(
                    self.with_page(self.bound().where(self.model.id == bindparam("id"))), newest_first=True
                ),
            )
            rows = self.page_rows(scope, await self.session.execute(stmt, in_scope(scope, id=object_id)))
            found = rows[0] if rows else None
        else:
            stmt = self.prepared("get", lambda: self.bound().where(self.model.id == bindparam("id")))
            found = (await self.session.execute(stmt, in_scope(scope, id=object_id))).scalar()
        if found is not None:
            fast_path.remember(self.session, found)
        return found

    async def get_for_update(self, scope: Scope, object_id: str) -> M | None:
        """The row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's write
        transactions hold the only writer), and read again: an instance loaded earlier in this
        unit of work is refreshed, so the caller decides on the state the lock protects. (A row
        this transaction has locked already is not read again: see `fast_path.held`.)"""
        again: M | None = fast_path.held(self.session, self.model, scope, object_id)
        if again is not None:
            return again
        stmt = self.prepared(
            "get_for_update",
            lambda: (
                self.bound()
                .where(self.model.id == bindparam("id"))
                .with_for_update()
                .execution_options(populate_existing=True)
            ),
        )
        found = (await self.session.execute(stmt, in_scope(scope, id=object_id))).scalar()
        fast_path.forget_children(self.session)  # decided on from here: read after the lock
        if found is not None:
            fast_path.remember(self.session, found)
            fast_path.hold(self.session, found)
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
            stmt = self.prepared(
                "many", lambda: self.bound().where(self.model.id.in_(bindparam("ids", expanding=True)))
            )
            rows = list((await self.session.execute(stmt, in_scope(scope, ids=sorted(missing)))).scalars())
            fast_path.remember(self.session, *rows)
            found |= {obj.id: obj for obj in rows}
        return found

    def add(self, obj: M) -> M:
        self.session.add(obj)
        return obj

    async def page(
        self, scope: Scope, cursor: Cursor, *where: ColumnElement[bool], shape: Shape | None = None
    ) -> Page[M]:
        """Newest first, ties broken by insertion order, so pages never skip or repeat a row.
        Filtered by `where`, or by a `shape`'s (whose first page is built once a process, on the
        fast path: the list a dashboard or a merchant's code opens most)."""
        m = self.model
        fast = fast_path.on(self.session)
        first = cursor.starting_after is None and cursor.ending_before is None
        values: Mapping[str, Any] = {}
        if shape is not None:
            if first and fast:
                result = await self.session.execute(
                    self.prepared_first_page(shape), in_scope(scope, limit=cursor.limit + 1, **shape.values)
                )
                found = self.page_rows(scope, result)
                return Page(found[: cursor.limit], len(found) > cursor.limit)
            where, values = (*where, *shape.where()), shape.values
        stmt: Select[Any] = self.scoped(scope).where(*where)
        if fast:
            stmt = self.with_page(stmt)
        if cursor.starting_after is not None:
            anchor = await self._anchor(scope, cursor.starting_after, "starting_after")
            stmt = stmt.where(or_(m.created < anchor[0], and_(m.created == anchor[0], m.pk < anchor[1])))
        if cursor.ending_before is not None:
            anchor = await self._anchor(scope, cursor.ending_before, "ending_before")
            stmt = stmt.where(or_(m.created > anchor[0], and_(m.created == anchor[0], m.pk > anchor[1])))
            stmt = stmt.order_by(m.created.asc(), m.pk.asc()).limit(cursor.limit + 1)
            if fast:
                stmt = self.around_page(stmt, newest_first=False)
            rows = self._rows(scope, await self.session.execute(stmt, values), fast)
            return Page(list(reversed(rows[: cursor.limit])), len(rows) > cursor.limit)
        stmt = stmt.order_by(m.created.desc(), m.pk.desc()).limit(cursor.limit + 1)
        if fast:
            stmt = self.around_page(stmt, newest_first=True)
        rows = self._rows(scope, await self.session.execute(stmt, values), fast)
        return Page(rows[: cursor.limit], len(rows) > cursor.limit)

    def _rows(self, scope: Scope, result: Result[Any], fast: bool) -> list[M]:
        return self.page_rows(scope, result) if fast else list(result.scalars())

    def prepared_first_page(self, shape: Shape) -> Select[Any]:
        m = self.model
        return fast_path.prepared(
            self.session,
            (m, "first_page", shape.key),
            lambda: self.around_page(
                self.with_page(self.bound().where(*shape.where()))
                .order_by(m.created.desc(), m.pk.desc())
                .limit(bindparam("limit", type_=Integer)),
                newest_first=True,
            ),
        )

    def with_page(self, stmt: Select[Any]) -> Select[Any]:
        """What a page reads with its objects on the fast path, in the same statement (a
        repository adds columns and joins here, and takes them back in `page_rows`)."""
        return stmt

    def around_page(self, stmt: Select[Any], *, newest_first: bool) -> Select[Any]:
        """The whole page's statement (filtered, ordered, limited) on the fast path: a repository
        can make it a subquery and join each object's children to it (one round trip for a page
        and what rendering it reads), taking them back in `page_rows`. The objects must come
        out in the page's order."""
        return stmt

    def page_rows(self, scope: Scope, result: Result[Any]) -> list[M]:
        """The objects of a page read with `with_page`."""
        return list(result.scalars())

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
