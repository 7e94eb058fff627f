"""/v1/{customers,subscriptions,invoices,prices,products}/search. Registered before each
resource's `/{id}` routes, so `search` is never taken for an id."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.customers import CustomerObject
from app.objects.invoices import InvoiceObject
from app.objects.products import PriceObject, ProductObject
from app.objects.subscriptions import SubscriptionObject
from app.params.search import SearchParams
from app.services import search as search_service

router = APIRouter(tags=["search"])


def _route(resource: str, object_name: str, shape: type) -> None:
    async def handler(call: Call) -> Response:
        p = call.parse(SearchParams)
        return await call.read(
            lambda uow: search_service.search(uow, call.ctx, resource, p),
            object_name,
            expand=p.expand,
            url=f"/v1/{resource}/search",
        )

    handler.__name__ = f"search_{resource}"
    handler.__doc__ = f"Search {resource} with Stripe's query language; `page` is the previous result's next_page."
    router.get(f"/v1/{resource}/search", **documented(shape, SearchParams, is_list=True))(handler)


for _resource, _object, _shape in (
    ("customers", "customer", CustomerObject),
    ("subscriptions", "subscription", SubscriptionObject),
    ("invoices", "invoice", InvoiceObject),
    ("prices", "price", PriceObject),
    ("products", "product", ProductObject),
):
    _route(_resource, _object, _shape)
