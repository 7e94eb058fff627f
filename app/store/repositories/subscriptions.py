"""Subscriptions, their items and schedules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from sqlalchemy import ColumnElement, Result, Select, and_, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from app.scope import Scope
from app.store import fast_path
from app.store.long_reads import LongReads
from app.store.models import (
    Customer,
    Price,
    Product,
    Subscription,
    SubscriptionItem,
    SubscriptionSchedule,
    normalized_email,
)
from app.store.repositories.base import Cursor, Page, ScopedRepository, Shape, created_filter, in_scope
from app.store.repositories.customers import TEST_CLOCK
from app.store.repositories.products import PriceRepository

ACTIVE_STATUSES = ("active", "trialing", "past_due")


def _by_status(statuses: list[str] | None, paused: bool | None) -> list[ColumnElement[bool]]:
    """Filters of the call's values alone (never its scope): a `Shape`'s, kept for every account."""
    where: list[ColumnElement[bool]] = []
    if statuses is not None:
        where.append(Subscription.status.in_(statuses))
    if paused is not None:
        where.append(Subscription.collection_paused.is_(paused))
    return where


class SubscriptionRepository(ScopedRepository[Subscription]):
    model = Subscription
    noun = "subscription"

    def _filters(
        self,
        scope: Scope,
        *,
        customer: str | None,
        price: str | None,
        statuses: list[str] | None,
        collection_method: str | None,
        collection_paused: bool | None,
        created: dict[str, int] | None,
        customer_email: str | None = None,
        test_clock: str | None = None,
        current_period_start: dict[str, int] | None = None,
        current_period_end: dict[str, int] | None = None,
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [*created_filter(Subscription.created, created)]
        if customer is not None:
            where.append(Subscription.customer_id == customer)
        where += _by_status(statuses, collection_paused)
        if collection_method is not None:
            where.append(Subscription.collection_method == collection_method)
        if customer_email is not None:
            # Its own alias: the export's query joins Customer too, and a subquery on the same
            # table would correlate to that join and lose its FROM.
            owner = aliased(Customer)
            where.append(
                exists().where(
                    owner.account_id == scope.account_id,
                    owner.livemode == scope.livemode,
                    owner.id == Subscription.customer_id,
                    owner.email_normalized == normalized_email(customer_email),
                )
            )
        if test_clock is not None:
            clocked = aliased(Customer)
            where.append(
                exists().where(
                    clocked.account_id == scope.account_id,
                    clocked.livemode == scope.livemode,
                    clocked.id == Subscription.customer_id,
                    clocked.test_clock_id == test_clock,
                )
            )
        if current_period_start or current_period_end:
            # The current period lives on the items (they share it): any item's will do.
            where.append(
                exists().where(
                    SubscriptionItem.account_id == scope.account_id,
                    SubscriptionItem.livemode == scope.livemode,
                    SubscriptionItem.subscription_id == Subscription.id,
                    *created_filter(SubscriptionItem.current_period_start, current_period_start),
                    *created_filter(SubscriptionItem.current_period_end, current_period_end),
                )
            )
        if price is not None:
            where.append(
                exists().where(
                    SubscriptionItem.account_id == scope.account_id,
                    SubscriptionItem.livemode == scope.livemode,
                    SubscriptionItem.subscription_id == Subscription.id,
                    SubscriptionItem.price_id == price,
                )
            )
        return where

    get_as_page = True  # with its items, their prices and its customer's test clock (`around_page`)

    def around_page(self, stmt: Select[Any], *, newest_first: bool, products: bool = False) -> Select[Any]:
        """The page as a subquery with each subscription's items, their prices and its customer's
        test clock joined: one round trip for a page and all that rendering it reads (a page's
        items are few: Stripe allows 20 a subscription). With `products`, the prices' products
        too (the portal shows their names)."""
        page = aliased(Subscription, stmt.subquery("page"))
        si = SubscriptionItem
        order = (page.created.desc(), page.pk.desc()) if newest_first else (page.created.asc(), page.pk.asc())
        joined = (
            select(page, Customer.test_clock_id, si, Price)
            .outerjoin(
                Customer,
                and_(
                    Customer.account_id == page.account_id,
                    Customer.livemode == page.livemode,
                    Customer.id == page.customer_id,
                ),
            )
            .outerjoin(
                si, and_(si.account_id == page.account_id, si.livemode == page.livemode, si.subscription_id == page.id)
            )
            .outerjoin(
                Price, and_(Price.account_id == si.account_id, Price.livemode == si.livemode, Price.id == si.price_id)
            )
            .order_by(*order, si.pk)
        )
        if products:
            joined = joined.add_columns(Product).outerjoin(
                Product,
                and_(
                    Product.account_id == Price.account_id,
                    Product.livemode == Price.livemode,
                    Product.id == Price.product_id,
                ),
            )
        return cast(Select[Any], joined)

    def page_rows(self, scope: Scope, result: Result[Any]) -> list[Subscription]:
        subscriptions: dict[str, Subscription] = {}
        clocks: dict[str, str | None] = {}
        items: dict[str, list[SubscriptionItem]] = {}
        prices: dict[str, Price] = {}
        products: dict[str, Product] = {}
        rows = cast(list[tuple[Any, ...]], result.all())
        for subscription, clock, item, price, *product in rows:
            if product and product[0] is not None:
                products[product[0].id] = product[0]
            if subscription.id not in subscriptions:
                subscriptions[subscription.id] = subscription
                clocks[subscription.customer_id] = clock
                items[subscription.id] = []
            if item is not None:
                items[subscription.id].append(item)
            if price is not None:
                prices[price.id] = price
        fast_path.keep_children(self.session, SubscriptionItem, scope, items)
        fast_path.remember(self.session, *prices.values(), *products.values())
        fast_path.note(self.session, scope, TEST_CLOCK, clocks)
        return list(subscriptions.values())

    async def find(self, scope: Scope, cursor: Cursor, **filters: Any) -> Page[Subscription]:
        # By status and paused or not only (the default list is "not canceled"): a shape out of
        # a fixed few, so the first page's statement is built once (`page`).
        fixed = {"statuses", "collection_paused"}
        if not any(value is not None and value != {} for name, value in filters.items() if name not in fixed):
            statuses, paused = filters.get("statuses"), filters.get("collection_paused")
            key = (tuple(sorted(statuses)) if statuses is not None else None, paused)
            return await self.page(scope, cursor, shape=Shape(key, lambda: _by_status(statuses, paused)))
        return await self.page(scope, cursor, *self._filters(scope, **filters))

    async def stream(
        self, scope: Scope, long_reads: LongReads, *, batch: int = 2000, **filters: Any
    ) -> AsyncIterator[list[Any]]:
        """Every matching subscription's export columns and its customer's email, in keyset batches:
        plain rows, not ORM objects (a million of those is minutes of work), memory flat."""
        where = self._filters(scope, **filters)
        last_pk = 0
        while True:
            stmt: Any = (
                select(
                    Subscription.pk,
                    Subscription.id,
                    Subscription.customer_id,
                    Customer.email,
                    Subscription.status,
                    Subscription.collection_paused,
                    Subscription.pause_collection,
                    Subscription.collection_method,
                    Subscription.cancel_at_period_end,
                    Subscription.currency,
                    Subscription.created,
                    Subscription.livemode,
                )
                .outerjoin(
                    Customer,
                    (Customer.id == Subscription.customer_id) & (Customer.account_id == Subscription.account_id),
                )
                .where(Subscription.account_id == scope.account_id, Subscription.livemode == scope.livemode)
                .where(*where, Subscription.pk > last_pk)
                .order_by(Subscription.pk)
                .limit(batch)
            )
            rows = await long_reads.rows(stmt)
            if not rows:
                return
            yield rows
            last_pk = rows[-1].pk

    async def has_active(self, scope: Scope, customer_id: str) -> bool:
        stmt: Any = (
            select(func.count())
            .select_from(Subscription)
            .where(Subscription.account_id == scope.account_id, Subscription.livemode == scope.livemode)
            .where(Subscription.customer_id == customer_id, Subscription.status.in_(ACTIVE_STATUSES))
        )
        return int((await self.session.execute(stmt)).scalar_one()) > 0

    async def for_customer(self, scope: Scope, customer_id: str) -> list[Subscription]:
        """Newest first; on the fast path with their items, prices, products and test clock
        (`around_page`: the portal's overview shows them all)."""
        fast = fast_path.on(self.session)

        def build() -> Select[Any]:
            stmt = self.bound().where(Subscription.customer_id == bindparam("customer_id"))
            stmt = stmt.order_by(Subscription.created.desc(), Subscription.pk.desc())
            return self.around_page(stmt, newest_first=True, products=True) if fast else stmt

        stmt = self.prepared("for_customer", build)
        result = await self.session.execute(stmt, in_scope(scope, customer_id=customer_id))
        return self._rows(scope, result, fast)

    async def on_clock(self, scope: Scope, clock_id: str) -> list[Subscription]:
        """Every subscription of the customers attached to a test clock, in one query."""
        stmt = (
            self.scoped(scope)
            .join(
                Customer,
                (Customer.account_id == Subscription.account_id)
                & (Customer.livemode == Subscription.livemode)
                & (Customer.id == Subscription.customer_id),
            )
            .where(Customer.test_clock_id == clock_id)
            .order_by(Subscription.pk)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def using_payment_method(self, scope: Scope, payment_method_id: str) -> list[Subscription]:
        stmt = self.scoped(scope).where(Subscription.default_payment_method == payment_method_id)
        return list((await self.session.execute(stmt)).scalars())


class SubscriptionItemRepository(ScopedRepository[SubscriptionItem]):
    model = SubscriptionItem
    noun = "subscription_item"

    async def for_subscriptions(self, scope: Scope, subscription_ids: list[str]) -> dict[str, list[SubscriptionItem]]:
        if not subscription_ids:
            return {}
        kept = fast_path.children(self.session, SubscriptionItem, scope, subscription_ids)
        if kept is not None:
            return kept
        stmt = self.prepared(
            "for_subscriptions",
            lambda: (
                self.bound()
                .where(SubscriptionItem.subscription_id.in_(bindparam("subscription_ids", expanding=True)))
                .order_by(SubscriptionItem.pk)
            ),
        )
        grouped: dict[str, list[SubscriptionItem]] = {sid: [] for sid in subscription_ids}
        values = in_scope(scope, subscription_ids=sorted(set(subscription_ids)))
        for item in (await self.session.execute(stmt, values)).scalars():
            grouped[item.subscription_id].append(item)
        fast_path.keep_children(self.session, SubscriptionItem, scope, grouped)
        return grouped

    async def with_prices(
        self, scope: Scope, subscription_ids: list[str]
    ) -> tuple[dict[str, list[SubscriptionItem]], dict[str, Price]]:
        """The items of these subscriptions and their prices: one statement with the fast path
        (the prices are then remembered for the unit of work's later lookups), two without."""
        prices = PriceRepository(self.session)
        if not fast_path.on(self.session) or not subscription_ids:
            items = await self.for_subscriptions(scope, subscription_ids)
            return items, await prices.many(scope, [i.price_id for group in items.values() for i in group])
        kept = fast_path.children(self.session, SubscriptionItem, scope, subscription_ids)
        if kept is not None:
            return kept, await prices.many(scope, [i.price_id for group in kept.values() for i in group])
        si = SubscriptionItem
        stmt = self.prepared(
            "with_prices",
            lambda: (
                select(si, Price)
                .outerjoin(
                    Price,
                    and_(Price.account_id == si.account_id, Price.livemode == si.livemode, Price.id == si.price_id),
                )
                .where(
                    si.account_id == bindparam("account_id"),
                    si.livemode == bindparam("livemode"),
                    si.subscription_id.in_(bindparam("subscription_ids", expanding=True)),
                )
                .order_by(si.pk)
            ),
        )
        grouped: dict[str, list[SubscriptionItem]] = {sid: [] for sid in subscription_ids}
        found: dict[str, Price] = {}
        values = in_scope(scope, subscription_ids=sorted(set(subscription_ids)))
        for item, price in (await self.session.execute(stmt, values)).all():
            grouped[item.subscription_id].append(item)
            if price is not None:
                found[price.id] = price
        fast_path.keep_children(self.session, SubscriptionItem, scope, grouped)
        fast_path.remember(self.session, *found.values())
        return grouped, found

    async def delete(self, item: SubscriptionItem) -> None:
        await self.session.delete(item)


class SubscriptionScheduleRepository(ScopedRepository[SubscriptionSchedule]):
    model = SubscriptionSchedule
    noun = "subscription_schedule"
