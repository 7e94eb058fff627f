"""R20: the merchant dashboard, the no-code way to run the portal.

Sign-in with a password; test and live mode switched in the page (R2); the default configuration
edited through the same services and rules as the API (R10, R13, R6, R5); the login link (R7);
branding and custom domain (R11, R12); subscriptions filtered by "collection paused", paused and
resumed (R15), exported as CSV (R16); the latest events. Server-rendered; every form has a CSRF
token; the pages carry the portal's security headers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.context import Ctx
from app.dashboard import i18n
from app.dashboard.forms import configuration_params
from app.domain.revenue_recovery import RetryPolicy
from app.errors import StripeError
from app.http.call import app_state, stream_read
from app.http.state import AppState
from app.http.wire.form import decode_form
from app.objects.configurations import render_configurations
from app.objects.events import render_event
from app.objects.subscriptions import render_subscriptions
from app.params.configurations import AccountUpdateParams, ConfigurationCreateParams, ConfigurationUpdateParams
from app.params.parsing import parse
from app.params.subscriptions import (
    SubscriptionExportParams,
    SubscriptionListParams,
    SubscriptionUpdateParams,
)
from app.portal.security import HTML_HEADERS
from app.portal.templating import templates
from app.scope import Scope
from app.services import account_settings, dashboard_users, subscription_export
from app.services import configurations as configuration_service
from app.services import subscriptions as subscription_service
from app.store.models import DashboardSession
from app.store.repositories.base import Cursor
from app.store.uow import UnitOfWork

router = APIRouter(prefix="/dashboard", include_in_schema=False)
COOKIE = "dashboard_session"


class SignedOut(Exception):
    pass


@dataclass(frozen=True)
class Visit:
    token: str
    session: DashboardSession
    state: AppState
    t: i18n.Translator

    @property
    def scope(self) -> Scope:
        return Scope(self.session.account_id, self.session.livemode)

    def ctx(self, request: Request) -> Ctx:
        return Ctx(
            self.scope,
            self.state.clock,
            request_id=getattr(request.state, "request_id", None),
            base_url=self.state.settings.base_url,
        )

    def _seal(self, message: str) -> str:
        key = self.session.csrf_token.encode()
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]

    def failed(self, message: str) -> dict[str, str]:
        """The redirect's query for an error this dashboard produced: the message with a seal
        only this session can make, so a link with any other `?error=` text shows nothing."""
        return {"error": message, "seal": self._seal(message)}

    def error(self, request: Request) -> str | None:
        """The error to show: only one this session's own redirect carried."""
        message, seal = request.query_params.get("error"), request.query_params.get("seal") or ""
        if message is None or not hmac.compare_digest(seal, self._seal(message)):
            return None
        return message


def _t(request: Request) -> i18n.Translator:
    lang = request.cookies.get("dashboard_lang") or i18n.choose(None, [], request.headers.get("accept-language"))
    return i18n.translator(lang if lang in i18n.SUPPORTED else "en")


async def current(request: Request) -> Visit:
    state = app_state(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignedOut()
    async with state.db.transaction() as uow:
        session = await dashboard_users.resume(uow, state.clock, token)
    if session is None:
        raise SignedOut()
    request.state.account_id, request.state.livemode = session.account_id, session.livemode
    return Visit(token, session, state, _t(request))


VisitDep = Annotated[Visit, Depends(current)]


def page(template: str, visit: Visit | None, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    t = visit.t if visit else _t(request)
    html = templates.get_template(f"dashboard/{template}").render(
        t=t,
        locale=t.locale,
        visit=visit,
        csrf=visit.session.csrf_token if visit else "",
        saved=request.query_params.get("saved") == "1",
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HTML_HEADERS)


async def _form(request: Request, visit: Visit) -> dict[str, Any]:
    """The posted form (bracket names, last value wins), after its CSRF token is checked."""
    form = decode_form((await request.body()).decode("utf-8", "replace"), last_wins=True)
    presented = form.pop("csrf_token", "")
    if not isinstance(presented, str) or not secrets.compare_digest(presented, visit.session.csrf_token):
        raise StripeError("The form expired or was not sent from the dashboard.", code="csrf_invalid", status=403)
    return form


def back(path: str, **query: str) -> RedirectResponse:
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"/dashboard{path}{suffix}", status_code=303, headers=HTML_HEADERS)


# --- signing in -------------------------------------------------------------------------------


def _login_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    """The sign-in form, with a double-submit CSRF token in a strict cookie."""
    token = request.cookies.get("dashboard_login_csrf") or secrets.token_urlsafe(24)
    response = page("login.html", None, request, status, error=error, login_csrf=token)
    response.set_cookie("dashboard_login_csrf", token, httponly=True, samesite="strict", path="/dashboard")
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    state = app_state(request)
    expected = request.cookies.get("dashboard_login_csrf") or ""
    presented = str(form.get("csrf_token") or "")
    if not expected or not secrets.compare_digest(presented, expected):
        return _login_page(request, 403, _t(request)("d_login_failed"))
    address = request.client.host if request.client else "unknown"
    async with state.db.transaction() as uow:
        attempt = await dashboard_users.begin_sign_in(uow, state.clock, str(form.get("email") or ""), address)
    signed = None
    if attempt is not None:
        ok = await dashboard_users.password_matches(attempt, str(form.get("password") or ""))
        async with state.db.transaction() as uow:
            signed = await dashboard_users.finish_sign_in(uow, state.clock, attempt, ok)
    if signed is None:
        return _login_page(request, 401, _t(request)("d_login_failed"))
    response = back("/")
    response.set_cookie(
        COOKIE,
        signed.token,
        httponly=True,
        samesite="lax",
        path="/dashboard",
        secure=state.settings.base_url.startswith("https://"),
    )
    response.delete_cookie("dashboard_login_csrf", path="/dashboard")
    return response


@router.post("/logout")
async def logout(request: Request, visit: VisitDep) -> Response:
    await _form(request, visit)
    async with visit.state.db.transaction() as uow:
        await dashboard_users.sign_out(uow, visit.token)
    response = back("/login")
    response.delete_cookie(COOKIE, path="/dashboard")
    return response


@router.post("/mode")
async def switch_mode(request: Request, visit: VisitDep) -> Response:
    """R2: test or live; the dashboard never shows both."""
    form = await _form(request, visit)
    async with visit.state.db.transaction() as uow:
        await dashboard_users.switch_mode(uow, visit.token, form.get("mode") == "live")
    return back(str(form.get("next") or "/").removeprefix("/dashboard") or "/")


@router.post("/language")
async def language(request: Request, visit: VisitDep) -> Response:
    form = await _form(request, visit)
    response = back("/")
    lang = str(form.get("lang") or "en")
    response.set_cookie("dashboard_lang", lang if lang in i18n.SUPPORTED else "en", path="/dashboard", samesite="lax")
    return response


# --- the portal: default configuration and login link (R10, R7) ----------------------------


async def _portal_context(uow: UnitOfWork, visit: Visit) -> dict[str, Any]:
    scope = visit.scope
    account = await uow.accounts.get(scope.account_id)
    default = await uow.configurations.default(scope)
    others = [c for c in (await uow.configurations.find(scope, Cursor(limit=100))).data if not c.is_default]
    rendered = await render_configurations(uow, scope, [default] if default else [])
    products = (await uow.products.find(scope, Cursor(limit=100), active=True)).data
    prices = (await uow.prices.find(scope, Cursor(limit=100), active=True, type="recurring")).data
    return {
        "config": rendered[0] if rendered else None,
        "others": others,
        "products": [{"product": p, "prices": [x for x in prices if x.product_id == p.id]} for p in products],
        "paid_billing": bool(account and account.billing_enabled),
    }


@router.get("/")
async def home(request: Request, visit: VisitDep) -> Response:
    async with visit.state.db.uow(write=False) as uow:
        context = await _portal_context(uow, visit)
        account = await uow.accounts.get(visit.scope.account_id)
    return page("portal.html", visit, request, account=account, **context, error=visit.error(request))


async def _change(
    request: Request, visit: Visit, action: Callable[[UnitOfWork, Ctx], Awaitable[Any]], path: str
) -> Response:
    """One change through the API's own services; its error is shown on the page it came from."""
    try:
        async with visit.state.db.uow() as uow:
            await action(uow, visit.ctx(request))
            await uow.commit()
    except StripeError as exc:
        return back(path, **visit.failed(i18n.error_text(visit.t, exc)))
    return back(path, saved="1")


@router.post("/portal")
async def save_portal(request: Request, visit: VisitDep) -> Response:
    """Save the default configuration (created on first save); same rules and events as the API."""
    form = await _form(request, visit)
    data = configuration_params(form)

    async def save(uow: UnitOfWork, ctx: Ctx) -> None:
        default = await uow.configurations.default(ctx.scope)
        if default is None:
            await configuration_service.create(uow, ctx, parse(ConfigurationCreateParams, data))
        else:
            await configuration_service.update(uow, ctx, default.id, parse(ConfigurationUpdateParams, data))

    return await _change(request, visit, save, "/")


@router.post("/portal/login-page")
async def toggle_login_page(request: Request, visit: VisitDep) -> Response:
    """R7: turn the login page (and its shareable link) on or off."""
    form = await _form(request, visit)
    enabled = form.get("enabled") == "true"

    async def toggle(uow: UnitOfWork, ctx: Ctx) -> None:
        default = await uow.configurations.default(ctx.scope)
        if default is None:
            raise StripeError(visit.t("d_save_portal_first"))
        await configuration_service.update(
            uow, ctx, default.id, parse(ConfigurationUpdateParams, {"login_page": {"enabled": enabled}})
        )

    return await _change(request, visit, toggle, "/")


# --- branding and domain (R11, R12) -----------------------------------------------------------


@router.get("/branding")
async def branding(request: Request, visit: VisitDep) -> Response:
    async with visit.state.db.uow(write=False) as uow:
        account = await account_settings.retrieve(uow, visit.ctx(request))
    settings = account.settings or {}
    return page(
        "branding.html",
        visit,
        request,
        branding=settings.get("branding") or {},
        name=(settings.get("business_profile") or {}).get("name") or account.name or "",
        domain=(settings.get("portal") or {}).get("custom_domain") or "",
        error=visit.error(request),
    )


@router.post("/branding")
async def save_branding(request: Request, visit: VisitDep) -> Response:
    form = await _form(request, visit)
    data = {k: v for k, v in form.items() if k in ("settings", "business_profile")}
    return await _change(
        request,
        visit,
        lambda uow, ctx: account_settings.update(uow, ctx, parse(AccountUpdateParams, data)),
        "/branding",
    )


# --- revenue recovery: the retry schedule of failed payments and what follows it ---------------


@router.get("/revenue-recovery")
async def revenue_recovery(request: Request, visit: VisitDep) -> Response:
    async with visit.state.db.uow(write=False) as uow:
        account = await account_settings.retrieve(uow, visit.ctx(request))
    policy = RetryPolicy.of((account.settings or {}).get("revenue_recovery"))
    return page("recovery.html", visit, request, policy=policy, error=visit.error(request))


@router.post("/revenue-recovery")
async def save_revenue_recovery(request: Request, visit: VisitDep) -> Response:
    form = await _form(request, visit)
    data = {k: v for k, v in form.items() if k == "settings"}
    return await _change(
        request,
        visit,
        lambda uow, ctx: account_settings.update(uow, ctx, parse(AccountUpdateParams, data)),
        "/revenue-recovery",
    )


# --- subscriptions (R15, R16) -----------------------------------------------------------------


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    filters = {k: q[k] for k in ("status", "customer_email") if q.get(k)}
    if q.get("collection_paused") in ("true", "false"):
        filters["collection_paused"] = q["collection_paused"]
    return filters


@router.get("/subscriptions")
async def subscriptions(request: Request, visit: VisitDep) -> Response:
    filters = _filters(request)
    query = dict(filters)
    for key in ("starting_after", "ending_before"):
        if request.query_params.get(key):
            query[key] = request.query_params[key]
    try:
        params = parse(SubscriptionListParams, {**query, "limit": "20"})
        async with visit.state.db.uow(write=False) as uow:
            result = await subscription_service.list_(uow, visit.ctx(request), params)
            rows = await render_subscriptions(uow, visit.scope, list(result.data))
            emails = await uow.customers.many(visit.scope, [r["customer"] for r in rows])
    except StripeError as exc:
        return page(
            "subscriptions.html",
            visit,
            request,
            400,
            rows=[],
            filters=filters,
            error=i18n.error_text(visit.t, exc),
            has_more=False,
            export_query=urlencode(filters),
        )
    for row in rows:
        row["customer_email"] = emails[row["customer"]].email if row["customer"] in emails else None
    return page(
        "subscriptions.html",
        visit,
        request,
        rows=rows,
        filters=filters,
        has_more=result.has_more,
        export_query=urlencode(filters),
        next_query=urlencode({**filters, "starting_after": rows[-1]["id"]}) if rows else "",
        error=visit.error(request),
    )


@router.get("/subscriptions/export.csv")
async def export(request: Request, visit: VisitDep) -> Response:
    """R16: the CSV of the current filter, streamed."""
    params = parse(SubscriptionExportParams, _filters(request))
    ctx = visit.ctx(request)
    return await stream_read(
        visit.state.db,
        lambda uow: subscription_export.csv_chunks(uow, ctx, params),
        media_type="text/csv",
        headers={**HTML_HEADERS, "Content-Disposition": 'attachment; filename="subscriptions.csv"'},
    )


@router.get("/subscriptions/{subscription}")
async def subscription(subscription: str, request: Request, visit: VisitDep) -> Response:
    try:
        async with visit.state.db.uow(write=False) as uow:
            sub = await subscription_service.get(uow, visit.ctx(request), subscription)
            [row] = await render_subscriptions(uow, visit.scope, [sub])
            customer = await uow.customers.get(visit.scope, sub.customer_id)
    except StripeError:
        return page("message.html", visit, request, 404, title=visit.t("d_not_found"))
    return page("subscription.html", visit, request, sub=row, customer=customer, error=visit.error(request))


def _resumes_at(value: Any) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(str(value)).replace(tzinfo=UTC).timestamp())
    except ValueError as exc:
        raise StripeError("Invalid date.", param="pause_collection[resumes_at]") from exc


@router.post("/subscriptions/{subscription}/pause")
async def pause(subscription: str, request: Request, visit: VisitDep) -> Response:
    """R15: pause payment collection (the status stays active)."""
    form = await _form(request, visit)
    path = f"/subscriptions/{subscription}"
    try:
        resumes_at = _resumes_at(form.get("resumes_at"))
        behavior = str(form.get("behavior") or "")
        params = parse(
            SubscriptionUpdateParams,
            {"pause_collection": {"behavior": behavior, **({"resumes_at": resumes_at} if resumes_at else {})}},
        )
    except StripeError as exc:
        return back(path, **visit.failed(i18n.error_text(visit.t, exc)))
    return await _change(
        request, visit, lambda uow, ctx: subscription_service.update(uow, ctx, subscription, params), path
    )


@router.post("/subscriptions/{subscription}/resume")
async def resume(subscription: str, request: Request, visit: VisitDep) -> Response:
    await _form(request, visit)
    return await _change(
        request,
        visit,
        lambda uow, ctx: subscription_service.update(
            uow, ctx, subscription, SubscriptionUpdateParams(pause_collection="")
        ),
        f"/subscriptions/{subscription}",
    )


# --- events ------------------------------------------------------------------------------------


@router.get("/events")
async def events(request: Request, visit: VisitDep) -> Response:
    async with visit.state.db.uow(write=False) as uow:
        found = (await uow.events.find(visit.scope, Cursor(limit=25))).data
    rows = [
        {"event": render_event(e), "json": json.dumps(render_event(e), indent=2, ensure_ascii=False)} for e in found
    ]
    return page("events.html", visit, request, rows=rows)


async def on_signed_out(_request: Request, _exc: Exception) -> Response:
    return RedirectResponse("/dashboard/login", status_code=303, headers=HTML_HEADERS)
