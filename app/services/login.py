"""R7: the no-code login page. A customer enters their email and gets a one-time link (and code)
that opens a portal session as the customer with that email, with the page's configuration.

Known and unknown emails get the same answer, and do the same database work; the mail goes out
after the response. Links are built from the service's base URL (or the custom domain), never
from the request's Host header.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from app.clock import Clock, unix
from app.context import Ctx
from app.domain import login as rules
from app.objects.links import login_page_url, portal_base
from app.scope import Scope
from app.services import sessions as session_service
from app.services import visits
from app.store.models import Account, LoginRequest, PortalConfiguration
from app.store.uow import UnitOfWork


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class LoginPage:
    configuration: PortalConfiguration
    account: Account | None
    url: str

    @property
    def scope(self) -> Scope:
        return Scope(self.configuration.account_id, self.configuration.livemode)

    @property
    def branding(self) -> dict[str, Any]:
        settings = (self.account.settings if self.account else None) or {}
        return dict(settings.get("branding") or {})

    @property
    def business_name(self) -> str | None:
        settings = (self.account.settings if self.account else None) or {}
        name = (settings.get("business_profile") or {}).get("name")
        return name or (self.account.name if self.account else None)


async def page(uow: UnitOfWork, token: str) -> LoginPage | None:
    """The login page behind a token, while it is enabled and its configuration active."""
    found = await uow.configurations.by_login_token(token)
    if found is None or not found[0].active:
        return None
    configuration, account = found
    if account is not None:
        uow.accounts.remember(account)
    base = portal_base(uow.base_url, account.settings if account else None)
    return LoginPage(configuration, account, login_page_url(base, token))


@dataclass(frozen=True)
class LoginMail:
    to: str
    link: str
    code: str
    business_name: str | None


@dataclass(frozen=True)
class Limits:
    per_email: int
    per_address: int


async def request_link(
    uow: UnitOfWork, clock: Clock, login: LoginPage, email: str, client_address: str, limits: Limits
) -> LoginMail | None:
    """Record the request; a mail to send when the email is a customer's and the limits allow it."""
    now = unix(clock)
    hour_ago = now - 3600
    configuration = login.configuration
    # Count-then-record is atomic: concurrent requests against the same limits wait for each other.
    await uow.counters.hold(
        [f"login:address:{client_address[:64]}", f"login:email:{configuration.id}:{email}"], now=now
    )
    by_address = await uow.login_requests.count_since(since=hour_ago, client_address=client_address)
    by_email = await uow.login_requests.count_since(since=hour_ago, configuration_id=configuration.id, email=email)
    if by_address >= limits.per_address or by_email >= limits.per_email:
        return None
    customer_id = rules.choose_customer(await uow.login_requests.candidates(login.scope, email))
    link_token, code = secrets.token_urlsafe(32), f"{secrets.randbelow(1_000_000):06d}"
    uow.login_requests.add(
        LoginRequest(
            account_id=configuration.account_id,
            livemode=configuration.livemode,
            configuration_id=configuration.id,
            email=email,
            customer_id=customer_id,
            link_hash=_hash(link_token),
            code_hash=_hash(f"{configuration.id}:{email}:{code}"),
            code_attempts=0,
            client_address=client_address[:64],
            created=now,
            expires_at=now + rules.LINK_LIFETIME,
        )
    )
    if customer_id is None:
        return None
    return LoginMail(to=email, link=f"{login.url}/confirm/{link_token}", code=code, business_name=login.business_name)


async def _sign_in(uow: UnitOfWork, clock: Clock, login: LoginPage, request: LoginRequest) -> visits.Opened:
    assert request.customer_id is not None
    now = unix(clock)
    request.used_at = now
    ctx = Ctx(login.scope, clock, base_url=uow.base_url)
    session = await session_service.start(
        uow,
        ctx,
        customer_id=request.customer_id,
        configuration=login.configuration,
        return_url=login.configuration.default_return_url,
        opened_at=now,
    )
    return visits.start_visit(uow, session, now)


async def confirm_link(uow: UnitOfWork, clock: Clock, login: LoginPage, link_token: str) -> visits.Opened | None:
    """The emailed link, once, within 15 minutes, on the page it was asked on."""
    request = await uow.login_requests.by_link_hash(_hash(link_token))
    if (
        request is None
        or request.configuration_id != login.configuration.id
        or request.customer_id is None
        or request.used_at is not None
        or request.expires_at < unix(clock)
    ):
        return None
    return await _sign_in(uow, clock, login, request)


async def link_is_live(uow: UnitOfWork, clock: Clock, login: LoginPage, link_token: str) -> bool:
    """Whether the confirm page should offer its button (reading burns nothing: mail scanners prefetch)."""
    request = await uow.login_requests.by_link_hash(_hash(link_token))
    return bool(
        request
        and request.configuration_id == login.configuration.id
        and request.customer_id is not None
        and request.used_at is None
        and request.expires_at >= unix(clock)
    )


async def confirm_code(uow: UnitOfWork, clock: Clock, login: LoginPage, email: str, code: str) -> visits.Opened | None:
    """The 6-digit code from the mail, typed on the page; five wrong tries end the request."""
    request = await uow.login_requests.latest_for(login.configuration.id, email, now=unix(clock))
    if request is None:
        return None
    if not secrets.compare_digest(request.code_hash, _hash(f"{login.configuration.id}:{email}:{code.strip()}")):
        request.code_attempts += 1
        if request.code_attempts >= rules.MAX_CODE_ATTEMPTS:
            request.used_at = unix(clock)
        return None
    if request.customer_id is None:
        return None
    return await _sign_in(uow, clock, login, request)
