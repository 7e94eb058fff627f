"""Customers, scoped by account and mode."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app.scope import Scope
from app.store import fast_path
from app.store.models import Customer
from app.store.repositories.base import Cursor, Page, ScopedRepository, created_filter


class CustomerRepository(ScopedRepository[Customer]):
    model = Customer
    noun = "customer"

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        email: str | None = None,
        created: dict[str, int] | None = None,
        test_clock: str | None = None,
    ) -> Page[Customer]:
        where: list[ColumnElement[bool]] = [Customer.deleted.is_(False), *created_filter(Customer.created, created)]
        if email is not None:
            where.append(Customer.email == email)
        if test_clock is not None:
            where.append(Customer.test_clock_id == test_clock)
        return await self.page(scope, cursor, *where)

    async def on_clock(self, scope: Scope, clock_id: str) -> list[Customer]:
        """The live customers attached to a test clock, locked (the clock moves them all)."""
        stmt = (
            self.scoped(scope)
            .where(Customer.test_clock_id == clock_id, Customer.deleted.is_(False))
            .order_by(Customer.pk)
            .with_for_update()
        )
        locked = list((await self.session.execute(stmt)).scalars())
        fast_path.forget_children(self.session)  # decided on from here: read after the lock
        return locked
