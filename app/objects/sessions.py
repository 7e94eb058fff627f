"""The `billing_portal.session` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.links import portal_base
from app.objects.registry import ObjectType, register
from app.scope import Scope
from app.store.models import PortalSession
from app.store.uow import UnitOfWork


class SessionObject(BaseModel):
    id: str
    object: Literal["billing_portal.session"]
    configuration: str | dict[str, Any]
    created: int
    customer: str
    customer_account: str | None
    flow: dict[str, Any] | None
    livemode: bool
    locale: str | None
    on_behalf_of: str | None
    return_url: str | None
    url: str


def session_url(base: str, secret: str) -> str:
    return f"{base}/p/session/{secret}"


def render_session(s: PortalSession, base: str) -> dict[str, Any]:
    # The secret exists only on the instance that created it: the URL is shown at creation, never again.
    secret: str | None = getattr(s, "secret", None)
    flow = {"customer_update": None, "subscription_pause": None, **s.flow} if s.flow else None
    return {
        "id": s.id,
        "object": "billing_portal.session",
        "after_expiration": s.after_expiration,
        "configuration": s.configuration_id,
        "created": s.created,
        "customer": s.customer_id,
        "customer_account": None,
        "flow": flow,
        "livemode": s.livemode,
        "locale": s.locale,
        "on_behalf_of": s.on_behalf_of,
        "return_url": s.return_url,
        "url": session_url(base, secret) if secret else f"{base}/p/session/expired",
    }


async def render_sessions(uow: UnitOfWork, scope: Scope, sessions: list[PortalSession]) -> list[dict[str, Any]]:
    account = await uow.accounts.get(scope.account_id)
    base = portal_base(uow.base_url, account.settings if account else None)
    return [render_session(s, base) for s in sessions]


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> PortalSession | None:
    return await uow.portal_sessions.get(scope, object_id)


SESSION = register(
    ObjectType(
        name="billing_portal.session",
        model=PortalSession,
        render_many=render_sessions,
        loader=_load,
        expandable={"configuration": "billing_portal.configuration"},
    )
)
