"""Invoices."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Result, Select, and_, bindparam, select

from app.scope import Scope
from app.store import fast_path
from app.store.models import Customer, Invoice
from app.store.repositories.base import Cursor, Page, ScopedRepository, Shape, created_filter


def _of_customer(customer: str, exclude_status: str | None) -> Shape:
    def where() -> list[ColumnElement[bool]]:
        found = [Invoice.deleted.is_(False), Invoice.customer_id == bindparam("customer")]
        return found if exclude_status is None else [*found, Invoice.status != exclude_status]

    # exclude_status comes from the code (drafts are the merchant's), never from a request.
    return Shape(("customer", exclude_status), where, {"customer": customer})


class InvoiceRepository(ScopedRepository[Invoice]):
    model = Invoice
    noun = "invoice"

    get_as_page = True  # with its customer, whose details it shows (`with_page`)

    def with_page(self, stmt: Select[Any]) -> Select[Any]:
        """Each invoice with its customer (rendering one shows the customer's details)."""
        return stmt.add_columns(Customer).outerjoin(
            Customer,
            and_(
                Customer.account_id == Invoice.account_id,
                Customer.livemode == Invoice.livemode,
                Customer.id == Invoice.customer_id,
            ),
        )

    def page_rows(self, scope: Scope, result: Result[Any]) -> list[Invoice]:
        rows = cast(list[tuple[Invoice, Customer | None]], list(result.all()))
        fast_path.remember(self.session, *{c.id: c for _, c in rows if c is not None}.values())
        return [invoice for invoice, _ in rows]

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
        due_date: dict[str, int] | None = None,
        exclude_status: str | None = None,
    ) -> Page[Invoice]:
        only_customer = subscription is None and status is None and collection_method is None
        if customer is not None and only_customer and not created and not due_date:
            # A customer's history (the portal's, the dashboard's): one statement built once.
            return await self.page(scope, cursor, shape=_of_customer(customer, exclude_status))
        where: list[ColumnElement[bool]] = [
            Invoice.deleted.is_(False),
            *created_filter(Invoice.created, created),
            *created_filter(Invoice.due_date, due_date),  # type: ignore[arg-type]  # NULL never matches
        ]
        if customer is not None:
            where.append(Invoice.customer_id == customer)
        if subscription is not None:
            where.append(Invoice.subscription_id == subscription)
        if status is not None:
            where.append(Invoice.status == status)
        if collection_method is not None:
            where.append(Invoice.collection_method == collection_method)
        if exclude_status is not None:
            where.append(Invoice.status != exclude_status)
        return await self.page(scope, cursor, *where)

    async def waiting_on_clock(self, scope: Scope, clock_id: str) -> list[Invoice]:
        """The open and draft invoices of the customers attached to a test clock, in one query."""
        stmt = (
            self.scoped(scope)
            .join(
                Customer,
                (Customer.account_id == Invoice.account_id)
                & (Customer.livemode == Invoice.livemode)
                & (Customer.id == Invoice.customer_id),
            )
            .where(
                Customer.test_clock_id == clock_id, Invoice.status.in_(("open", "draft")), Invoice.deleted.is_(False)
            )
            .order_by(Invoice.pk)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def with_number(self, scope: Scope, number: str) -> str | None:
        """The id of the invoice with this number (numbers are unique per account and mode)."""
        stmt = select(Invoice.id).where(
            Invoice.account_id == scope.account_id, Invoice.livemode == scope.livemode, Invoice.number == number
        )
        return (await self.session.execute(stmt)).scalar()

    async def by_access_token(self, token: str) -> Invoice | None:
        """The hosted invoice page: the unguessable token is the only credential."""
        return (await self.session.execute(select(Invoice).where(Invoice.access_token == token))).scalar()

    async def has_paid(self, scope: Scope, customer_id: str) -> bool:
        """Whether the customer has ever paid an invoice (a promotion code's first_time_transaction)."""
        stmt = (
            select(Invoice.pk)
            .where(
                Invoice.account_id == scope.account_id,
                Invoice.livemode == scope.livemode,
                Invoice.customer_id == customer_id,
                Invoice.status == "paid",
                Invoice.amount_paid > 0,
            )
            .limit(1)
        )
        return (await self.session.execute(stmt)).first() is not None
