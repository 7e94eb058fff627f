"""/v1/subscriptions, the CSV export (R16), /v1/subscription_schedules and the test helpers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented, documented_csv
from app.objects.subscriptions import SubscriptionObject, SubscriptionScheduleObject
from app.params.base import RetrieveParams
from app.params.subscriptions import (
    ScheduleCreateParams,
    ScheduleReleaseParams,
    SubscriptionCancelParams,
    SubscriptionCreateParams,
    SubscriptionExportParams,
    SubscriptionListParams,
    SubscriptionResumeParams,
    SubscriptionUpdateParams,
    TestHelperAdvanceParams,
    TestHelperStatusParams,
)
from app.services import schedules as schedule_service
from app.services import subscription_export, test_helpers
from app.services import subscriptions as subscription_service

router = APIRouter(tags=["subscriptions"])
SUB = "subscription"


@router.post("/v1/subscriptions", **documented(SubscriptionObject, SubscriptionCreateParams))
async def create_subscription(call: Call) -> Response:
    """Create a subscription (merchant API only: customers cannot create one in the portal, R3)."""
    p = call.parse(SubscriptionCreateParams)
    return await call.write(lambda uow: subscription_service.create(uow, call.ctx, p), SUB, expand=p.expand)


@router.get("/v1/subscriptions", **documented(SubscriptionObject, SubscriptionListParams, is_list=True))
async def list_subscriptions(call: Call) -> Response:
    """List subscriptions, newest first. Extension (R16): `collection_paused=true` finds paused collection."""
    p = call.parse(SubscriptionListParams)
    return await call.read(
        lambda uow: subscription_service.list_(uow, call.ctx, p), SUB, expand=p.expand, url="/v1/subscriptions"
    )


@router.get("/v1/subscriptions/export.csv", **documented_csv(SubscriptionExportParams))
async def export_subscriptions(call: Call) -> Response:
    """Extension (R16): the subscriptions matching the list filters as CSV, streamed."""
    p = call.parse(SubscriptionExportParams)
    return await call.stream(
        lambda uow: subscription_export.csv_chunks(uow, call.ctx, p),
        media_type="text/csv",
        filename="subscriptions.csv",
    )


@router.get("/v1/subscriptions/{subscription}", **documented(SubscriptionObject, RetrieveParams))
async def retrieve_subscription(subscription: str, call: Call) -> Response:
    """Retrieve a subscription."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: subscription_service.get(uow, call.ctx, subscription), SUB, expand=p.expand)


@router.post("/v1/subscriptions/{subscription}", **documented(SubscriptionObject, SubscriptionUpdateParams))
async def update_subscription(subscription: str, call: Call) -> Response:
    """Update items, cancellation, payment method, `pause_collection` (R15; status stays), metadata."""
    p = call.parse(SubscriptionUpdateParams)
    return await call.write(
        lambda uow: subscription_service.update(uow, call.ctx, subscription, p), SUB, expand=p.expand
    )


@router.delete("/v1/subscriptions/{subscription}", **documented(SubscriptionObject, SubscriptionCancelParams))
async def cancel_subscription(subscription: str, call: Call) -> Response:
    """Cancel a subscription now."""
    p = call.parse(SubscriptionCancelParams)
    return await call.write(
        lambda uow: subscription_service.cancel(uow, call.ctx, subscription, p), SUB, expand=p.expand
    )


@router.post("/v1/subscriptions/{subscription}/resume", **documented(SubscriptionObject, SubscriptionResumeParams))
async def resume_subscription(subscription: str, call: Call) -> Response:
    """Resume a subscription whose status is `paused`."""
    p = call.parse(SubscriptionResumeParams)
    return await call.write(
        lambda uow: subscription_service.resume(uow, call.ctx, subscription, p), SUB, expand=p.expand
    )


@router.post("/v1/subscription_schedules", **documented(SubscriptionScheduleObject, ScheduleCreateParams))
async def create_schedule(call: Call) -> Response:
    """Put an existing subscription under a schedule (`from_subscription`)."""
    p = call.parse(ScheduleCreateParams)
    return await call.write(
        lambda uow: schedule_service.create(uow, call.ctx, p), "subscription_schedule", expand=p.expand
    )


@router.get("/v1/subscription_schedules/{schedule}", **documented(SubscriptionScheduleObject, RetrieveParams))
async def retrieve_schedule(schedule: str, call: Call) -> Response:
    """Retrieve a subscription schedule."""
    p = call.parse(RetrieveParams)
    return await call.read(
        lambda uow: schedule_service.get(uow, call.ctx, schedule), "subscription_schedule", expand=p.expand
    )


@router.post(
    "/v1/subscription_schedules/{schedule}/release", **documented(SubscriptionScheduleObject, ScheduleReleaseParams)
)
async def release_schedule(schedule: str, call: Call) -> Response:
    """Release a schedule: the subscription carries on without it."""
    p = call.parse(ScheduleReleaseParams)
    return await call.write(
        lambda uow: schedule_service.release(uow, call.ctx, schedule), "subscription_schedule", expand=p.expand
    )


@router.post(
    "/v1/test_helpers/subscriptions/{subscription}/status", **documented(SubscriptionObject, TestHelperStatusParams)
)
async def set_subscription_status(subscription: str, call: Call) -> Response:
    """Extension, test mode only: move a subscription to `past_due`, `unpaid`, `incomplete_expired` or `active`."""
    p = call.parse(TestHelperStatusParams)
    return await call.write(
        lambda uow: test_helpers.set_status(uow, call.ctx, subscription, p.status), SUB, expand=p.expand
    )


@router.post(
    "/v1/test_helpers/subscriptions/{subscription}/advance", **documented(SubscriptionObject, TestHelperAdvanceParams)
)
async def advance_subscription(subscription: str, call: Call) -> Response:
    """Extension, test mode only: renew a subscription `periods` times (invoices, trial ends, cancellations)."""
    p = call.parse(TestHelperAdvanceParams)
    return await call.write(
        lambda uow: test_helpers.advance(uow, call.ctx, subscription, p.periods), SUB, expand=p.expand
    )
