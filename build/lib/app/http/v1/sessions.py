"""/v1/billing_portal/sessions and the payment method types the portal supports (R8)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.sessions import SessionObject
from app.params.sessions import SessionCreateParams
from app.services import sessions as session_service

router = APIRouter(tags=["billing_portal"])


@router.post("/v1/billing_portal/sessions", **documented(SessionObject, SessionCreateParams))
async def create_session(call: Call) -> Response:
    """Create a portal session for a customer and redirect them to its `url` (single use, 5 minutes).
    Without `configuration`, the default one is used (R10); a return URL is required (R6)."""
    p = call.parse(SessionCreateParams)
    return await call.write(
        lambda uow: session_service.create(uow, call.ctx, p), "billing_portal.session", expand=p.expand
    )
