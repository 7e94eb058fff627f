"""/v1/customers/{customer}/tax_ids and /v1/tax_ids: thin handlers over app.services.tax_ids."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.billing_shapes import TaxIdObject
from app.params.base import ExpandParams, ListParams, RetrieveParams
from app.params.tax_ids import CustomerTaxIdCreateParams, TaxIdCreateParams, TaxIdListParams
from app.services import tax_ids as tax_id_service

router = APIRouter(tags=["tax_ids"])
T = "tax_id"


class TaxIdDeleteParams(ExpandParams):
    pass


@router.post("/v1/customers/{customer}/tax_ids", **documented(TaxIdObject, CustomerTaxIdCreateParams))
async def create_customer_tax_id(customer: str, call: Call) -> Response:
    """Add a tax ID to a customer (its format is checked; at most 5 per customer)."""
    p = call.parse(CustomerTaxIdCreateParams)
    return await call.write(
        lambda uow: tax_id_service.create_for_customer(uow, call.ctx, customer, p.type, p.value), T, expand=p.expand
    )


@router.get("/v1/customers/{customer}/tax_ids", **documented(TaxIdObject, ListParams, is_list=True))
async def list_customer_tax_ids(customer: str, call: Call) -> Response:
    """A customer's tax IDs."""
    p = call.parse(ListParams)
    return await call.read(
        lambda uow: tax_id_service.list_for_customer(uow, call.ctx, customer, p),
        T,
        expand=p.expand,
        url=f"/v1/customers/{customer}/tax_ids",
    )


@router.get("/v1/customers/{customer}/tax_ids/{tax_id}", **documented(TaxIdObject, RetrieveParams))
async def retrieve_customer_tax_id(customer: str, tax_id: str, call: Call) -> Response:
    """Retrieve one of a customer's tax IDs."""
    p = call.parse(RetrieveParams)
    return await call.read(
        lambda uow: tax_id_service.retrieve(uow, call.ctx, tax_id, customer_id=customer), T, expand=p.expand
    )


@router.delete("/v1/customers/{customer}/tax_ids/{tax_id}", **documented(TaxIdObject, TaxIdDeleteParams))
async def delete_customer_tax_id(customer: str, tax_id: str, call: Call) -> Response:
    """Delete one of a customer's tax IDs."""
    call.parse(TaxIdDeleteParams)
    return await call.write(lambda uow: tax_id_service.delete(uow, call.ctx, tax_id, customer_id=customer), T)


@router.post("/v1/tax_ids", **documented(TaxIdObject, TaxIdCreateParams))
async def create_tax_id(call: Call) -> Response:
    """Add a tax ID: the merchant's own, or a customer's with `owner[type]=customer`."""
    p = call.parse(TaxIdCreateParams)
    return await call.write(lambda uow: tax_id_service.create(uow, call.ctx, p), T, expand=p.expand)


@router.get("/v1/tax_ids", **documented(TaxIdObject, TaxIdListParams, is_list=True))
async def list_tax_ids(call: Call) -> Response:
    """The merchant's own tax IDs, or a customer's with `owner[type]=customer&owner[customer]=...`."""
    p = call.parse(TaxIdListParams)
    return await call.read(lambda uow: tax_id_service.list_(uow, call.ctx, p), T, expand=p.expand, url="/v1/tax_ids")


@router.get("/v1/tax_ids/{tax_id}", **documented(TaxIdObject, RetrieveParams))
async def retrieve_tax_id(tax_id: str, call: Call) -> Response:
    """Retrieve a tax ID."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: tax_id_service.retrieve(uow, call.ctx, tax_id), T, expand=p.expand)


@router.delete("/v1/tax_ids/{tax_id}", **documented(TaxIdObject, TaxIdDeleteParams))
async def delete_tax_id(tax_id: str, call: Call) -> Response:
    """Delete a tax ID."""
    call.parse(TaxIdDeleteParams)
    return await call.write(lambda uow: tax_id_service.delete(uow, call.ctx, tax_id), T)
