"""Record events in the caller's transaction: an event exists exactly when its change does."""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.ids import new_id
from app.objects.version import rendered
from app.store.models import Event
from app.store.uow import UnitOfWork


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields whose value changed, with their old values (arrays given in full)."""
    return {key: before.get(key) for key in after if before.get(key) != after[key]}


def record(
    uow: UnitOfWork,
    ctx: Ctx,
    type: str,
    obj: dict[str, Any],
    *,
    previous: dict[str, Any] | None = None,
) -> str:
    """Queue the event for this unit of work's commit; its id."""
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    # Written at commit with a plain INSERT: an event is never changed by the change it records.
    event_id = new_id("evt")
    uow.append(
        Event,
        id=event_id,
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=ctx.now(),
        type=type,
        api_version=rendered(ctx.api_version),
        data=data,
        request_id=ctx.request_id,
        idempotency_key=ctx.idempotency_key,
        pending_webhooks=0,
    )
    return event_id
