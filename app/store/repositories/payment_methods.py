"""Payment methods."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select

from app.scope import Scope
from app.store.models import PaymentMethod
from app.store.repositories.base import Cursor, Page, ScopedRepository, in_scope


class PaymentMethodRepository(ScopedRepository[PaymentMethod]):
    model = PaymentMethod
    noun = "payment_method"

    async def find(
        self, scope: Scope, cursor: Cursor, *, customer: str | None = None, type: str | None = None
    ) -> Page[PaymentMethod]:
        where: list[ColumnElement[bool]] = []
        if customer is not None:
            where.append(PaymentMethod.customer_id == customer)
        if type is not None:
            where.append(PaymentMethod.type == type)
        return await self.page(scope, cursor, *where)

    async def attached(self, scope: Scope, customer_id: str) -> list[PaymentMethod]:
        """The customer's methods, newest first."""
        stmt = self.prepared(
            "attached",
            lambda: (
                self.bound()
                .where(PaymentMethod.customer_id == bindparam("customer_id"))
                .order_by(PaymentMethod.created.desc(), PaymentMethod.pk.desc())
            ),
        )
        return list((await self.session.execute(stmt, in_scope(scope, customer_id=customer_id))).scalars())

    async def count_attached(self, scope: Scope, customer_id: str) -> int:
        stmt: Any = (
            select(func.count())
            .select_from(PaymentMethod)
            .where(PaymentMethod.account_id == scope.account_id, PaymentMethod.livemode == scope.livemode)
            .where(PaymentMethod.customer_id == customer_id)
        )
        return int((await self.session.execute(stmt)).scalar_one())
