"""/v1/customers: thin handlers over app.services.customers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.customers import CustomerObject
from app.params.base import RetrieveParams
from app.params.customers import (
    CustomerCreateParams,
    CustomerDeleteParams,
    CustomerListParams,
    CustomerUpdateParams,
)
from app.services import customers as customer_service

router = APIRouter(tags=["customers"])


@router.post("/v1/customers", **documented(CustomerObject, CustomerCreateParams))
async def create_customer(call: Call) -> Response:
    """Create a customer."""
    params = call.parse(CustomerCreateParams)
    return await call.write(
        lambda uow: customer_service.create(uow, call.ctx, params), "customer", expand=params.expand
    )


@router.get("/v1/customers", **documented(CustomerObject, CustomerListParams, is_list=True))
async def list_customers(call: Call) -> Response:
    """List customers, newest first; filter by exact `email` or `created`."""
    params = call.parse(CustomerListParams)
    return await call.read(
        lambda uow: customer_service.list_(uow, call.ctx, params), "customer", expand=params.expand, url="/v1/customers"
    )


@router.get("/v1/customers/{customer}", **documented(CustomerObject, RetrieveParams))
async def retrieve_customer(customer: str, call: Call) -> Response:
    """Retrieve a customer (a deleted one answers `{id, object, deleted: true}`)."""
    params = call.parse(RetrieveParams)
    return await call.read(
        lambda uow: customer_service.retrieve(uow, call.ctx, customer), "customer", expand=params.expand
    )


@router.post("/v1/customers/{customer}", **documented(CustomerObject, CustomerUpdateParams))
async def update_customer(customer: str, call: Call) -> Response:
    """Update a customer: only the parameters sent change; `""` unsets."""
    params = call.parse(CustomerUpdateParams)
    return await call.write(
        lambda uow: customer_service.update(uow, call.ctx, customer, params), "customer", expand=params.expand
    )


@router.delete("/v1/customers/{customer}", **documented(CustomerObject, CustomerDeleteParams))
async def delete_customer(customer: str, call: Call) -> Response:
    """Delete a customer."""
    call.parse(CustomerDeleteParams)
    return await call.write(lambda uow: customer_service.delete(uow, call.ctx, customer), "customer")
