"""/v1/webhook_endpoints and (extension) their deliveries."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.webhooks import DeliveryObject, WebhookEndpointObject
from app.params.base import Params, RetrieveParams
from app.params.webhooks import (
    DeliveryListParams,
    WebhookEndpointCreateParams,
    WebhookEndpointListParams,
    WebhookEndpointUpdateParams,
)
from app.services import webhook_endpoints as endpoint_service

router = APIRouter(tags=["webhook_endpoints"])
WE = "webhook_endpoint"


class EmptyParams(Params):
    pass


@router.post("/v1/webhook_endpoints", **documented(WebhookEndpointObject, WebhookEndpointCreateParams))
async def create_endpoint(call: Call) -> Response:
    """Create an endpoint (`enabled_events` may be `*`); the `secret` is returned this once.
    Live mode: https only, never to loopback, private or link-local addresses."""
    p = call.parse(WebhookEndpointCreateParams)
    return await call.write(lambda uow: endpoint_service.create(uow, call.ctx, p), WE, expand=p.expand)


@router.get("/v1/webhook_endpoints", **documented(WebhookEndpointObject, WebhookEndpointListParams, is_list=True))
async def list_endpoints(call: Call) -> Response:
    """List endpoints, newest first."""
    p = call.parse(WebhookEndpointListParams)
    return await call.read(lambda uow: endpoint_service.list_(uow, call.ctx, p), WE, url="/v1/webhook_endpoints")


@router.get("/v1/webhook_endpoints/{endpoint}", **documented(WebhookEndpointObject, RetrieveParams))
async def retrieve_endpoint(endpoint: str, call: Call) -> Response:
    """Retrieve an endpoint."""
    call.parse(RetrieveParams)
    return await call.read(lambda uow: endpoint_service.get(uow, call.ctx, endpoint), WE)


@router.post("/v1/webhook_endpoints/{endpoint}", **documented(WebhookEndpointObject, WebhookEndpointUpdateParams))
async def update_endpoint(endpoint: str, call: Call) -> Response:
    """Update an endpoint; `disabled=true` stops deliveries."""
    p = call.parse(WebhookEndpointUpdateParams)
    return await call.write(lambda uow: endpoint_service.update(uow, call.ctx, endpoint, p), WE, expand=p.expand)


@router.delete("/v1/webhook_endpoints/{endpoint}", **documented(WebhookEndpointObject, EmptyParams))
async def delete_endpoint(endpoint: str, call: Call) -> Response:
    """Delete an endpoint."""
    call.parse(EmptyParams)
    return await call.write(lambda uow: endpoint_service.delete(uow, call.ctx, endpoint), WE)


@router.get(
    "/v1/webhook_endpoints/{endpoint}/deliveries", **documented(DeliveryObject, DeliveryListParams, is_list=True)
)
async def list_deliveries(endpoint: str, call: Call) -> Response:
    """Extension: the events owed to this endpoint, with every attempt."""
    p = call.parse(DeliveryListParams)
    return await call.read(
        lambda uow: endpoint_service.deliveries(uow, call.ctx, endpoint, p),
        "webhook_endpoint.delivery",
        expand=p.expand,
        url=f"/v1/webhook_endpoints/{endpoint}/deliveries",
    )


@router.post("/v1/webhook_endpoints/{endpoint}/deliveries/{delivery}/resend", **documented(DeliveryObject, EmptyParams))
async def resend_delivery(endpoint: str, delivery: str, call: Call) -> Response:
    """Extension: deliver a (failed or delivered) event to this endpoint again, now."""
    call.parse(EmptyParams)
    return await call.write(
        lambda uow: endpoint_service.resend(uow, call.ctx, endpoint, delivery), "webhook_endpoint.delivery"
    )
