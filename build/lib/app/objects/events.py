"""The `event` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import Event
from app.store.uow import UnitOfWork


class EventData(BaseModel):
    object: dict[str, Any]
    previous_attributes: dict[str, Any] | None = None


class EventRequest(BaseModel):
    id: str | None
    idempotency_key: str | None


class EventObject(BaseModel):
    id: str
    object: Literal["event"]
    api_version: str | None
    created: int
    data: EventData
    livemode: bool
    pending_webhooks: int
    request: EventRequest | None
    type: str


def render_event(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "object": "event",
        "api_version": e.api_version,
        "created": e.created,
        "data": e.data,
        "livemode": e.livemode,
        "pending_webhooks": e.pending_webhooks,
        "request": {"id": e.request_id, "idempotency_key": e.idempotency_key},
        "type": e.type,
    }


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> Event | None:
    return await uow.events.get(scope, object_id)


EVENT = register(ObjectType(name="event", model=Event, render_many=simple(render_event), loader=_load))
