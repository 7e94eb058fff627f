"""Customers, scoped by account and mode."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app.scope import Scope
from app.store.models import Customer
from app.store.repositories.base import Cursor, Page, ScopedRepository, created_filter


class CustomerRepository(ScopedRepository[Customer]):
    model = Customer
    noun = "customer"

    async def find(
        self, scope: Scope, cursor: Cursor, *, email: str | None = None, created: dict[str, int] | None = None
    ) -> Page[Customer]:
        where: list[ColumnElement[bool]] = [Customer.deleted.is_(False), *created_filter(Customer.created, created)]
        if email is not None:
            where.append(Customer.email == email)
        return await self.page(scope, cursor, *where)
