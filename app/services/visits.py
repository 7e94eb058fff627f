"""The customer's side of a portal session: open the URL once, then a cookie-held visit (R1, R2).

The URL's secret and the cookie's token are stored hashed; a visit idles out after a while.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from app.clock import Clock, unix
from app.context import Ctx
from app.objects.links import login_page_url, portal_base
from app.scope import Scope
from app.services.portal import Visitor
from app.services.portal.visitor import Seen
from app.services.sessions import hash_secret
from app.store.models import PortalConfiguration, PortalSession, PortalVisit
from app.store.uow import UnitOfWork

SEEN_WRITE_EVERY = 60  # seconds: refresh last_seen at most this often (a write per page view is waste)


@dataclass(frozen=True)
class Opened:
    token: str
    visit: PortalVisit


@dataclass(frozen=True)
class Expired:
    """A used or stale session URL; what the page can still offer."""

    return_url: str | None
    # Where the customer signs in again (after_expiration=customer_login, the login page on).
    login_url: str | None
    locale: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(uow: UnitOfWork, clock: Clock, secret: str) -> Opened | Expired | None:
    """Exchange a session URL's secret for a visit, once, within 5 minutes. None: no such URL."""
    session = await uow.portal_sessions.by_secret_hash(hash_secret(secret))
    if session is None:
        return None
    now = unix(clock)
    if session.opened_at is not None or now > session.expires_at:
        configuration = await uow.configurations.get(
            Scope(session.account_id, session.livemode), session.configuration_id
        )
        return await _expired(uow, session, configuration, now)
    return start_visit(uow, session, now)


def start_visit(uow: UnitOfWork, session: PortalSession, now: int) -> Opened:
    """Use up the session and begin the cookie-held visit (the caller commits)."""
    session.opened_at = now
    token = secrets.token_urlsafe(32)
    visit = uow.portal_visits.add(
        PortalVisit(
            token_hash=_hash(token),
            account_id=session.account_id,
            livemode=session.livemode,
            customer_id=session.customer_id,
            portal_session_id=session.id,
            csrf_token=secrets.token_urlsafe(24),
            created=now,
            last_seen=now,
            flow_done=False,
        )
    )
    return Opened(token, visit)


async def _expired(
    uow: UnitOfWork, session: PortalSession, configuration: PortalConfiguration | None, now: int
) -> Expired:
    return Expired(session.return_url, await _login_url(uow, session, configuration, now), session.locale)


async def _login_url(
    uow: UnitOfWork, session: PortalSession, configuration: PortalConfiguration | None, now: int
) -> str | None:
    """Stripe's after_expiration=customer_login: until its `expires_at` (if any), the customer can
    sign in again through the configuration's login page (when it is on), their email filled in.
    Without it, an expired session offers only the way back to the merchant."""
    recovery = session.after_expiration or {}
    if recovery.get("type") != "customer_login":
        return None
    deadline = (recovery.get("customer_login") or {}).get("expires_at")
    if deadline is not None and now > int(deadline):
        return None
    if configuration is None or configuration.login_page_token is None or not configuration.active:
        return None
    account = await uow.accounts.get(session.account_id)
    url = login_page_url(
        portal_base(uow.base_url, account.settings if account else None), configuration.login_page_token
    )
    customer = await uow.customers.get(Scope(session.account_id, session.livemode), session.customer_id)
    if customer is not None and customer.email:
        url += "?" + urlencode({"prefilled_email": customer.email})
    return url


@dataclass(frozen=True)
class Signed:
    visit: PortalVisit
    visitor: Visitor
    stale: bool  # last_seen is old enough to be written again (see touch)


async def resume(
    uow: UnitOfWork, clock: Clock, token: str, *, idle_timeout: int, request_id: str | None, base_url: str
) -> Signed | Expired | None:
    """The visit behind a cookie, if it has not idled out (reads only)."""
    found = await uow.portal_visits.signed_in(_hash(token))
    if found is None:
        return None
    visit, session = found.visit, found.session
    scope = Scope(visit.account_id, visit.livemode)
    now = unix(clock)
    if now - visit.last_seen > idle_timeout:
        configuration = found.configuration or await uow.configurations.get(scope, session.configuration_id)
        return await _expired(uow, session, configuration, now)
    ctx = Ctx(scope=scope, clock=clock, request_id=request_id, base_url=base_url)
    stale = now - visit.last_seen >= SEEN_WRITE_EVERY
    seen = None
    if found.joined and found.configuration is not None:
        live = found.customer if found.customer is not None and not found.customer.deleted else None
        seen = Seen(found.configuration, found.account, live)
    visitor = Visitor(ctx=ctx, customer_id=visit.customer_id, session=session, flow_done=visit.flow_done, seen=seen)
    return Signed(visit, visitor, stale)


async def touch(uow: UnitOfWork, clock: Clock, token: str) -> None:
    """Record activity (the idle timeout counts from the last write of last_seen)."""
    visit = await uow.portal_visits.by_token_hash(_hash(token))
    if visit is not None:
        visit.last_seen = unix(clock)


async def finish_flow(uow: UnitOfWork, token: str) -> None:
    """A deep-link flow is done: from now on the visit shows the whole portal."""
    visit = await uow.portal_visits.by_token_hash(_hash(token))
    if visit is not None:
        visit.flow_done = True
