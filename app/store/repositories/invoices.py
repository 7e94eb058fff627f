"""Invoices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from app.scope import Scope
from app.store.models import Invoice
from app.store.repositories.base import Cursor, Page, ScopedRepository, created_filter


class InvoiceRepository(ScopedRepository[Invoice]):
    model = Invoice
    noun = "invoice"

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        customer: str | None = None,
        subscription: str | None = None,
        status: str | None = None,
        collection_method: str | None = None,
        created: dict[str, int] | None = None,
    ) -> Page[Invoice]:
        where: list[ColumnElement[bool]] = [*created_filter(Invoice.created, created)]
        if customer is not None:
            where.append(Invoice.customer_id == customer)
        if subscription is not None:
            where.append(Invoice.subscription_id == subscription)
        if status is not None:
            where.append(Invoice.status == status)
        if collection_method is not None:
            where.append(Invoice.collection_method == collection_method)
        return await self.page(scope, cursor, *where)

    async def by_access_token(self, token: str) -> Invoice | None:
        """The hosted invoice page: the unguessable token is the only credential."""
        return (await self.session.execute(select(Invoice).where(Invoice.access_token == token))).scalar()

    async def count_numbered(self, scope: Scope, customer_id: str) -> int:
        stmt: Any = (
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.account_id == scope.account_id, Invoice.livemode == scope.livemode)
            .where(Invoice.customer_id == customer_id, Invoice.number.is_not(None))
        )
        return int((await self.session.execute(stmt)).scalar_one())
