"""Search use cases: Stripe's query language over customers, subscriptions, invoices, prices and
products (https://docs.stripe.com/search). Parsing and field rules are the domain's; the query
runs in the store. Results are read at once (no indexing delay, unlike Stripe's up to a minute)."""

from __future__ import annotations

from app.context import Ctx
from app.domain.search_query import parse_query
from app.params.search import SearchParams
from app.store.repositories.search import RESOURCES, SearchPage
from app.store.uow import UnitOfWork


async def search(uow: UnitOfWork, ctx: Ctx, resource: str, params: SearchParams) -> SearchPage:
    query = parse_query(params.query, resource, RESOURCES[resource].fields)
    return await uow.searches.run(ctx.scope, resource, query, limit=params.limit, page=params.page)
