"""Webhook endpoint use cases (the deliveries themselves are app/events/delivery.py's)."""

from __future__ import annotations

import secrets

from app.context import Ctx
from app.domain import webhooks as rules
from app.errors import InvalidRequest, ResourceMissing
from app.ids import new_id
from app.params.webhooks import (
    DeliveryListParams,
    WebhookEndpointCreateParams,
    WebhookEndpointListParams,
    WebhookEndpointUpdateParams,
)
from app.services.common import blank, merge_metadata
from app.store.models import WebhookDelivery, WebhookEndpoint
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


async def get(uow: UnitOfWork, ctx: Ctx, endpoint_id: str, *, lock: bool = False) -> WebhookEndpoint:
    """A live endpoint; `lock` for a change (held until the transaction ends)."""
    repository = uow.webhook_endpoints
    endpoint = await (repository.get_for_update if lock else repository.get)(ctx.scope, endpoint_id)
    if endpoint is None or endpoint.deleted:
        raise ResourceMissing("webhook_endpoint", endpoint_id)
    return endpoint


async def create(uow: UnitOfWork, ctx: Ctx, params: WebhookEndpointCreateParams) -> WebhookEndpoint:
    """Create an endpoint; its `whsec_` secret is in this response only."""
    if params.connect:
        raise InvalidRequest(
            "connect=true is not supported: this service has no connected accounts whose events an endpoint "
            "could receive (Connect is out of scope).",
            code="parameter_unsupported",
            param="connect",
        )
    endpoint = uow.webhook_endpoints.add(
        WebhookEndpoint(
            id=new_id("we", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=ctx.now(),
            url=rules.check_endpoint_url(params.url, livemode=ctx.scope.livemode),
            enabled_events=list(dict.fromkeys(params.enabled_events)),
            description=blank(params.description),
            api_version=params.api_version,
            status="enabled",
            secret=f"whsec_{secrets.token_urlsafe(32)}",
            metadata_=merge_metadata({}, params.metadata),
            deleted=False,
        )
    )
    endpoint.reveal_secret = True  # type: ignore[attr-defined]
    return endpoint


async def update(uow: UnitOfWork, ctx: Ctx, endpoint_id: str, params: WebhookEndpointUpdateParams) -> WebhookEndpoint:
    """Change the URL, events, description, metadata, or disable/enable it."""
    endpoint = await get(uow, ctx, endpoint_id, lock=True)
    sent = params.sent()
    if params.url is not None:
        endpoint.url = rules.check_endpoint_url(params.url, livemode=ctx.scope.livemode)
    if params.enabled_events is not None:
        endpoint.enabled_events = list(dict.fromkeys(params.enabled_events))
    if "description" in sent:
        endpoint.description = blank(params.description)
    if params.disabled is not None:
        endpoint.status = "disabled" if params.disabled else "enabled"
    if "metadata" in sent:
        endpoint.metadata_ = merge_metadata(endpoint.metadata_, params.metadata)
    return endpoint


async def delete(uow: UnitOfWork, ctx: Ctx, endpoint_id: str) -> WebhookEndpoint:
    """Delete an endpoint; nothing more is delivered to it."""
    endpoint = await get(uow, ctx, endpoint_id, lock=True)
    endpoint.deleted = True
    endpoint.status = "disabled"
    return endpoint


async def list_(uow: UnitOfWork, ctx: Ctx, params: WebhookEndpointListParams) -> Page[WebhookEndpoint]:
    """Endpoints newest first."""
    return await uow.webhook_endpoints.find(
        ctx.scope, Cursor(params.limit, params.starting_after, params.ending_before)
    )


async def deliveries(uow: UnitOfWork, ctx: Ctx, endpoint_id: str, params: DeliveryListParams) -> Page[WebhookDelivery]:
    """Every event owed to the endpoint, with its attempts."""
    await get(uow, ctx, endpoint_id)
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.webhook_deliveries.for_endpoint(ctx.scope, endpoint_id, cursor)


async def resend(uow: UnitOfWork, ctx: Ctx, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
    """Try a delivery again now (a failed one is owed again)."""
    await get(uow, ctx, endpoint_id)
    delivery = await uow.webhook_deliveries.get(ctx.scope, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise ResourceMissing("webhook_endpoint.delivery", delivery_id)
    if delivery.status == "pending":
        raise InvalidRequest("This delivery is already scheduled.", code="delivery_pending")
    if delivery.status == "failed":
        event = await uow.events.get(ctx.scope, delivery.event_id)
        if event is not None:
            event.pending_webhooks += 1
    delivery.status, delivery.next_attempt_at, delivery.leased_until = "pending", ctx.now(), 0
    return delivery
