"""Search: a parsed query (app.domain.search_query) as SQL over one resource's table, newest
first, paged by an opaque token (the last row's created time and insertion order)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.search_query import Clause, Field, FieldKind, Join, Operator, Query
from app.errors import InvalidRequest
from app.scope import Scope
from app.store.base import ScopedRecord
from app.store.models import Customer, Invoice, Price, Product, Subscription

Column = Any


@dataclass(frozen=True)
class Resource:
    """What can be searched in one resource: its table, its fields and the column of each."""

    name: str
    model: type[ScopedRecord]
    fields: dict[str, Field]
    columns: dict[str, Callable[[], Column]]
    where: Callable[[], list[ColumnElement[bool]]] = lambda: []


T, N, K, B = FieldKind.TEXT, FieldKind.NUMBER, FieldKind.TOKEN, FieldKind.BOOLEAN

# The fields Stripe allows per resource (https://docs.stripe.com/search#query-fields-for-customers ...).
RESOURCES = {
    "customers": Resource(
        "customers",
        Customer,
        {
            "created": Field(N),
            "email": Field(T, substring=True),
            "metadata": Field(T),
            "name": Field(T, substring=True),
            "phone": Field(T, substring=True),
        },
        {
            "created": lambda: Customer.created,
            "email": lambda: Customer.email,
            "name": lambda: Customer.name,
            "phone": lambda: Customer.phone,
            "metadata": lambda: Customer.metadata_,
        },
        lambda: [Customer.deleted.is_(False)],
    ),
    "subscriptions": Resource(
        "subscriptions",
        Subscription,
        {"created": Field(N), "metadata": Field(T), "status": Field(K)},
        {
            "created": lambda: Subscription.created,
            "status": lambda: Subscription.status,
            "metadata": lambda: Subscription.metadata_,
        },
    ),
    "invoices": Resource(
        "invoices",
        Invoice,
        {
            "created": Field(N),
            "currency": Field(K),
            "customer": Field(K),
            "metadata": Field(T),
            "number": Field(K),
            "status": Field(K),
            "subscription": Field(K),
            "total": Field(N),
        },
        {
            "created": lambda: Invoice.created,
            "currency": lambda: Invoice.currency,
            "customer": lambda: Invoice.customer_id,
            "number": lambda: Invoice.number,
            "status": lambda: Invoice.status,
            "subscription": lambda: Invoice.subscription_id,
            "total": lambda: Invoice.total,
            "metadata": lambda: Invoice.metadata_,
        },
    ),
    "prices": Resource(
        "prices",
        Price,
        {
            "active": Field(B),
            "currency": Field(K),
            "lookup_key": Field(K),
            "metadata": Field(T),
            "product": Field(K),
            "type": Field(K),
        },
        {
            "active": lambda: Price.active,
            "currency": lambda: Price.currency,
            "lookup_key": lambda: Price.lookup_key,
            "product": lambda: Price.product_id,
            "type": lambda: Price.type,
            "metadata": lambda: Price.metadata_,
        },
    ),
    "products": Resource(
        "products",
        Product,
        {
            "active": Field(B),
            "description": Field(T, substring=True),
            "metadata": Field(T),
            "name": Field(T, substring=True),
            "shippable": Field(B),
            "url": Field(T),
        },
        {
            "active": lambda: Product.active,
            "description": lambda: Product.description,
            "name": lambda: Product.name,
            "metadata": lambda: Product.metadata_,
            "shippable": lambda: Product.details["shippable"].as_boolean(),
            "url": lambda: Product.details["url"].as_string(),
        },
    ),
}


def _condition(resource: Resource, clause: Clause) -> ColumnElement[bool]:
    column_of = resource.columns.get(clause.field)
    if column_of is None:
        # A field Stripe allows that is never set here (a product's `shippable`, `url`): null.
        matched: ColumnElement[bool] = true() if clause.value is None else false()
        return not_(matched) if clause.negated else matched
    column = column_of()
    if clause.metadata_key is not None:
        column = column[clause.metadata_key].as_string()
    value = clause.value
    if resource.fields[clause.field].kind == FieldKind.BOOLEAN and isinstance(value, str):
        value = value == "true"
    op = clause.operator
    cond: ColumnElement[bool]
    if value is None:
        cond = column.is_(None)
    elif op == Operator.EQUALS:
        cond = column == value
    elif op == Operator.CONTAINS:
        cond = func.lower(column).contains(str(value).lower(), autoescape=True)
    else:
        cond = {
            Operator.GT: column > value,
            Operator.LT: column < value,
            Operator.GTE: column >= value,
            Operator.LTE: column <= value,
        }[op]
    return not_(cond) if clause.negated else cond


def page_token(created: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created}:{pk}".encode()).decode().rstrip("=")


def _cursor(token: str) -> tuple[int, int]:
    try:
        created, pk = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
        return int(created), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("Invalid page: use the next_page of a previous search.", param="page") from None


@dataclass
class SearchPage:
    """A page of a search: Stripe's `search_result`."""

    data: list[Any]
    next_page: str | None
    url: str

    @property
    def has_more(self) -> bool:
        return self.next_page is not None


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def run(self, scope: Scope, resource: str, query: Query, *, limit: int, page: str | None) -> SearchPage:
        rows, next_page = await search(self.session, scope, RESOURCES[resource], query, limit=limit, page=page)
        return SearchPage(rows, next_page, f"/v1/{resource}/search")


async def search(
    session: AsyncSession, scope: Scope, resource: Resource, query: Query, *, limit: int, page: str | None
) -> tuple[list[Any], str | None]:
    """One page of matches, newest first, and the next page's token (None on the last page)."""
    m = resource.model
    conditions = [_condition(resource, c) for c in query.clauses]
    matched = and_(*conditions) if query.join == Join.AND else or_(*conditions)
    stmt: Select[Any] = select(m).where(
        m.account_id == scope.account_id, m.livemode == scope.livemode, matched, *resource.where()
    )
    if page is not None:
        created, pk = _cursor(page)
        stmt = stmt.where(or_(m.created < created, and_(m.created == created, m.pk < pk)))
    stmt = stmt.order_by(m.created.desc(), m.pk.desc()).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, page_token(rows[-1].created, rows[-1].pk) if more and rows else None
