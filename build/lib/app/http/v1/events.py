"""/v1/events: what changed, as recorded in the same transaction as each change."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.events import EventObject
from app.params.base import RetrieveParams
from app.params.events import EventListParams
from app.services import events as event_service

router = APIRouter(tags=["events"])


@router.get("/v1/events", **documented(EventObject, EventListParams, is_list=True))
async def list_events(call: Call) -> Response:
    """List events, newest first; filter by `type`, `types[]` or `created`."""
    params = call.parse(EventListParams)
    return await call.read(lambda uow: event_service.list_(uow, call.ctx, params), "event", url="/v1/events")


@router.get("/v1/events/{event}", **documented(EventObject, RetrieveParams))
async def retrieve_event(event: str, call: Call) -> Response:
    """Retrieve an event."""
    call.parse(RetrieveParams)
    return await call.read(lambda uow: event_service.retrieve(uow, call.ctx, event), "event")
