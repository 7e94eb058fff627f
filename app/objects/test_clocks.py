"""The `test_helpers.test_clock` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import TestClock
from app.store.uow import UnitOfWork


class TestClockObject(BaseModel):
    __test__ = False
    id: str
    object: Literal["test_helpers.test_clock"]
    created: int | None = None
    deleted: bool | None = None
    deletes_after: int | None = None
    frozen_time: int | None = None
    livemode: bool | None = None
    name: str | None = None
    status: Literal["advancing", "internal_failure", "ready"] | None = None
    status_details: dict[str, Any] | None = None


def render_test_clock(clock: TestClock) -> dict[str, Any]:
    if clock.deleted:
        return {"id": clock.id, "object": "test_helpers.test_clock", "deleted": True}
    return {
        "id": clock.id,
        "object": "test_helpers.test_clock",
        "created": clock.created,
        "deletes_after": clock.deletes_after,
        "frozen_time": clock.frozen_time,
        "livemode": clock.livemode,
        "name": clock.name,
        "status": clock.status,
        "status_details": {},
    }


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> TestClock | None:
    return await uow.test_clocks.get(scope, object_id)


TEST_CLOCK = register(
    ObjectType(name="test_helpers.test_clock", model=TestClock, render_many=simple(render_test_clock), loader=_load)
)
