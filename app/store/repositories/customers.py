"""Customers, scoped by account and mode."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Result, Select, and_, bindparam, literal, select

from app.domain.invoice_numbers import NUMBER_COUNTER, number_counter
from app.scope import Scope
from app.store import fast_path
from app.store.models import Counter, Customer
from app.store.repositories.base import Cursor, Page, ScopedRepository, Shape, created_filter, in_scope

# What `fast_path.note` calls a customer's test clock, noted with the objects that show it.
TEST_CLOCK = "customer.test_clock"
LIVE = Shape("live", lambda: [Customer.deleted.is_(False)])  # the unfiltered list: not deleted


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
        if email is None and test_clock is None and not created:
            return await self.page(scope, cursor, shape=LIVE)
        where: list[ColumnElement[bool]] = [Customer.deleted.is_(False), *created_filter(Customer.created, created)]
        if email is not None:
            where.append(Customer.email == email)
        if test_clock is not None:
            where.append(Customer.test_clock_id == test_clock)
        return await self.page(scope, cursor, *where)

    def with_page(self, stmt: Select[Any]) -> Select[Any]:
        """Each customer with the value of its invoice-number counter (`next_invoice_sequence`):
        one statement for the page, not a second one for its counters. A customer made before
        its prefix was stored (`invoice_prefix` None) joins nothing; its counter is read apart."""
        return stmt.add_columns(Counter.value).outerjoin(
            Counter,
            and_(
                Counter.account_id == Customer.account_id,
                Counter.livemode == Customer.livemode,
                Counter.name == literal(NUMBER_COUNTER) + Customer.invoice_prefix,
            ),
        )

    def page_rows(self, scope: Scope, result: Result[Any]) -> list[Customer]:
        rows = cast(list[tuple[Customer, int | None]], list(result.all()))
        counters = {number_counter(c.id, c.invoice_prefix): v or 0 for c, v in rows if c.invoice_prefix is not None}
        fast_path.count(self.session, scope, counters)
        return [c for c, _ in rows]

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

    async def test_clocks(self, scope: Scope, ids: list[str]) -> dict[str, str | None]:
        """The test clock of each customer (None or absent: none, or no such customer), for objects that only show
        their customer's clock (a subscription, a schedule): for a page of them, two columns, not
        whole customers with their JSON columns decoded. Customers this unit of work already read
        are not read again; a single one is read whole and kept, as `get` does: one object shown
        alone often has its invoice expanded, which shows the whole customer, and one row's
        columns cost less than a second round trip. Clocks a page of subscriptions was read with
        (`fast_path.noted`) are not read again."""
        found: dict[str, str | None] = fast_path.noted(self.session, scope, TEST_CLOCK, ids)
        if len(found) == len(set(ids)):
            return found
        if len(set(ids)) == 1:
            customer = await self.get(scope, ids[0])
            return {customer.id: customer.test_clock_id} if customer is not None else {}
        for customer_id in set(ids) - found.keys():
            kept: Customer | None = fast_path.remembered(self.session, Customer, scope, customer_id)
            if kept is not None:
                found[customer_id] = kept.test_clock_id
        missing = sorted(set(ids) - found.keys())
        if missing:
            stmt = self.prepared(
                "test_clocks",
                lambda: select(Customer.id, Customer.test_clock_id).where(
                    Customer.account_id == bindparam("account_id"),
                    Customer.livemode == bindparam("livemode"),
                    Customer.id.in_(bindparam("ids", expanding=True)),
                ),
            )
            rows = await self.session.execute(stmt, in_scope(scope, ids=missing))
            found |= {customer_id: clock for customer_id, clock in rows.all()}
        return found
