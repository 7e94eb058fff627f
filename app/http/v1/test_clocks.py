"""/v1/test_helpers/test_clocks (test mode)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.test_clocks import TestClockObject
from app.params.base import RetrieveParams
from app.params.test_clocks import (
    TestClockAdvanceParams,
    TestClockCreateParams,
    TestClockDeleteParams,
    TestClockListParams,
)
from app.services import test_clocks as clock_service

router = APIRouter(tags=["test_clocks"])
TC = "test_helpers.test_clock"


@router.post("/v1/test_helpers/test_clocks", **documented(TestClockObject, TestClockCreateParams))
async def create_test_clock(call: Call) -> Response:
    """Create a test clock at `frozen_time`; attach customers with `test_clock` when creating them."""
    p = call.parse(TestClockCreateParams)
    return await call.write(lambda uow: clock_service.create(uow, call.ctx, p), TC, expand=p.expand)


@router.get("/v1/test_helpers/test_clocks", **documented(TestClockObject, TestClockListParams, is_list=True))
async def list_test_clocks(call: Call) -> Response:
    """List test clocks, newest first."""
    p = call.parse(TestClockListParams)
    return await call.read(
        lambda uow: clock_service.list_(uow, call.ctx, p), TC, expand=p.expand, url="/v1/test_helpers/test_clocks"
    )


@router.get("/v1/test_helpers/test_clocks/{clock}", **documented(TestClockObject, RetrieveParams))
async def retrieve_test_clock(clock: str, call: Call) -> Response:
    """Retrieve a test clock."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: clock_service.get(uow, call.ctx, clock), TC, expand=p.expand)


@router.delete("/v1/test_helpers/test_clocks/{clock}", **documented(TestClockObject, TestClockDeleteParams))
async def delete_test_clock(clock: str, call: Call) -> Response:
    """Delete a test clock and the customers attached to it (their subscriptions canceled first)."""
    call.parse(TestClockDeleteParams)
    return await call.write(lambda uow: clock_service.delete(uow, call.ctx, clock), TC)


@router.post("/v1/test_helpers/test_clocks/{clock}/advance", **documented(TestClockObject, TestClockAdvanceParams))
async def advance_test_clock(clock: str, call: Call) -> Response:
    """Advance to `frozen_time`: everything due on the way runs, in time order; ready on return."""
    p = call.parse(TestClockAdvanceParams)
    return await call.write(lambda uow: clock_service.advance(uow, call.ctx, clock, p), TC, expand=p.expand)
