"""The `webhook_endpoint` object and (extension) its deliveries."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import WebhookDelivery, WebhookEndpoint
from app.store.uow import UnitOfWork


class WebhookEndpointObject(BaseModel):
    id: str
    object: Literal["webhook_endpoint"]
    deleted: bool | None = None
    api_version: str | None = None
    application: None = None
    created: int | None = None
    description: str | None = None
    enabled_events: list[str] | None = None
    livemode: bool | None = None
    metadata: dict[str, str] | None = None
    secret: str | None = None
    status: Literal["enabled", "disabled"] | None = None
    url: str | None = None


class DeliveryObject(BaseModel):
    id: str
    object: Literal["webhook_endpoint.delivery"]
    event: str
    webhook_endpoint: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: int | None
    last_attempt_at: int | None
    last_status_code: int | None
    last_error: str | None
    history: list[dict[str, Any]]
    created: int
    livemode: bool


def render_endpoint(e: WebhookEndpoint) -> dict[str, Any]:
    if e.deleted:
        return {"id": e.id, "object": "webhook_endpoint", "deleted": True}
    body = {
        "id": e.id,
        "object": "webhook_endpoint",
        "api_version": e.api_version,
        "application": None,
        "created": e.created,
        "description": e.description,
        "enabled_events": list(e.enabled_events or []),
        "livemode": e.livemode,
        "metadata": dict(e.metadata_ or {}),
        "status": e.status,
        "url": e.url,
    }
    if getattr(e, "reveal_secret", False):
        body["secret"] = e.secret  # only in the response that created it
    return body


def render_delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "object": "webhook_endpoint.delivery",
        "event": d.event_id,
        "webhook_endpoint": d.endpoint_id,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at if d.status == "pending" else None,
        "last_attempt_at": d.last_attempt_at,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "history": list(d.history or []),
        "created": d.created,
        "livemode": d.livemode,
    }


async def _load_endpoint(uow: UnitOfWork, scope: Scope, object_id: str) -> WebhookEndpoint | None:
    return await uow.webhook_endpoints.get(scope, object_id)


async def _load_delivery(uow: UnitOfWork, scope: Scope, object_id: str) -> WebhookDelivery | None:
    return await uow.webhook_deliveries.get(scope, object_id)


ENDPOINT = register(
    ObjectType(
        name="webhook_endpoint", model=WebhookEndpoint, render_many=simple(render_endpoint), loader=_load_endpoint
    )
)
DELIVERY = register(
    ObjectType(
        name="webhook_endpoint.delivery",
        model=WebhookDelivery,
        render_many=simple(render_delivery),
        loader=_load_delivery,
        expandable={"event": "event", "webhook_endpoint": "webhook_endpoint"},
    )
)
