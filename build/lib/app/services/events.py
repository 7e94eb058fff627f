"""Reading recorded events."""

from __future__ import annotations

from app.context import Ctx
from app.errors import InvalidRequest, ResourceMissing
from app.params.base import created_bounds
from app.params.events import EventListParams
from app.store.models import Event
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


async def retrieve(uow: UnitOfWork, ctx: Ctx, event_id: str) -> Event:
    """One event of this scope, or 404."""
    event = await uow.events.get(ctx.scope, event_id)
    if event is None:
        raise ResourceMissing("event", event_id)
    return event


async def list_(uow: UnitOfWork, ctx: Ctx, params: EventListParams) -> Page[Event]:
    """Events newest first."""
    if params.type is not None and params.types is not None:
        raise InvalidRequest(
            "You may pass either `type` or `types`, but not both.", code="parameters_exclusive", param="types"
        )
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    prefix = None
    types = params.types
    if params.type is not None:
        if params.type.endswith("*"):
            prefix = params.type[:-1]
        else:
            types = [params.type]
    return await uow.events.find(ctx.scope, cursor, types=types, prefix=prefix, created=created_bounds(params.created))
