"""Who is visiting the portal: the cookie, the CSRF token, and the visitor dependency."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.errors import AuthenticationFailed, PermissionDenied
from app.http.call import app_state
from app.http.state import AppState
from app.services import visits
from app.services.portal import Visitor

COOKIE = "portal_visit"


class VisitEnded(Exception):
    """No usable visit: no cookie, an unknown one, or one that idled out."""

    def __init__(self, expired: visits.Expired | None = None) -> None:
        super().__init__("the portal visit has ended")
        self.expired = expired


@dataclass(frozen=True)
class Visit:
    token: str
    csrf_token: str
    flow_done: bool
    visitor: Visitor
    state: AppState


async def current_visit(request: Request) -> Visit:
    state = app_state(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise VisitEnded()
    async with state.db.uow(write=False) as uow:
        found = await visits.resume(
            uow,
            state.clock,
            token,
            idle_timeout=state.settings.portal_idle_minutes * 60,
            request_id=getattr(request.state, "request_id", None),
            base_url=state.settings.base_url,
        )
    if found is None:
        raise VisitEnded()
    if isinstance(found, visits.Expired):
        raise VisitEnded(found)
    if found.stale:
        async with state.db.uow() as uow:
            await visits.touch(uow, state.clock, token)
            await uow.commit()
    request.state.account_id = found.visitor.ctx.scope.account_id
    request.state.livemode = found.visitor.ctx.scope.livemode
    return Visit(token, found.visit.csrf_token, found.visit.flow_done, found.visitor, state)


VisitDep = Annotated[Visit, Depends(current_visit)]


def check_csrf(visit: Visit, presented: str | None) -> None:
    """Every state-changing portal request carries the visit's CSRF token."""
    if not presented or not secrets.compare_digest(presented, visit.csrf_token):
        raise PermissionDenied(
            "The form has expired or was not sent from the portal. Reload and try again.", code="csrf_invalid"
        )


def json_visit_error() -> AuthenticationFailed:
    return AuthenticationFailed("Your portal session has ended. Open a new portal link.", code="portal_session_expired")
