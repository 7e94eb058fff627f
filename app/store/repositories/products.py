"""Products and prices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from app.scope import Scope
from app.store.models import Price, Product
from app.store.repositories.base import Cursor, Page, ScopedRepository, created_filter


class ProductRepository(ScopedRepository[Product]):
    model = Product
    noun = "product"

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        active: bool | None = None,
        created: dict[str, int] | None = None,
        ids: list[str] | None = None,
        shippable: bool | None = None,
        type: str | None = None,
        url: str | None = None,
    ) -> Page[Product]:
        where: list[ColumnElement[bool]] = [Product.deleted.is_(False), *created_filter(Product.created, created)]
        if active is not None:
            where.append(Product.active.is_(active))
        if ids is not None:
            where.append(Product.id.in_(ids))
        # Descriptive fields live in `details` (JSON on SQLite, JSONB on PostgreSQL).
        if shippable is not None:
            where.append(Product.details["shippable"].as_boolean() == shippable)
        if type is not None:
            where.append(func.coalesce(Product.details["type"].as_string(), "service") == type)
        if url is not None:
            where.append(Product.details["url"].as_string() == url)
        return await self.page(scope, cursor, *where)


class PriceRepository(ScopedRepository[Price]):
    async def exist_for(self, scope: Scope, product_id: str) -> bool:
        stmt = self.scoped(scope).where(Price.product_id == product_id).limit(1)
        return (await self.session.execute(stmt)).first() is not None

    model = Price
    noun = "price"

    async def find(
        self,
        scope: Scope,
        cursor: Cursor,
        *,
        active: bool | None = None,
        product: str | None = None,
        type: str | None = None,
        currency: str | None = None,
        interval: str | None = None,
        lookup_keys: list[str] | None = None,
        created: dict[str, int] | None = None,
    ) -> Page[Price]:
        where: list[ColumnElement[bool]] = [*created_filter(Price.created, created)]
        if active is not None:
            where.append(Price.active.is_(active))
        if product is not None:
            where.append(Price.product_id == product)
        if type is not None:
            where.append(Price.type == type)
        if currency is not None:
            where.append(Price.currency == currency)
        if lookup_keys:
            where.append(Price.lookup_key.in_(lookup_keys))
        if interval is not None:
            where.append(Price.recurring_interval == interval)
        return await self.page(scope, cursor, *where)

    async def with_lookup_key(self, scope: Scope, lookup_key: str) -> list[Price]:
        stmt = self.scoped(scope).where(Price.lookup_key == lookup_key)
        return list((await self.session.execute(stmt)).scalars())

    async def count_for_product(self, scope: Scope, product_id: str) -> int:
        stmt: Any = (
            select(func.count())
            .select_from(Price)
            .where(Price.account_id == scope.account_id, Price.livemode == scope.livemode)
            .where(Price.product_id == product_id)
        )
        return int((await self.session.execute(stmt)).scalar_one())
