"""R7: the login page at a configuration's login_page.url, its one-time links and codes."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.domain.login import normalise_email
from app.http.call import app_state
from app.mail import Mail
from app.portal import i18n
from app.portal.routes import page, visit_cookie
from app.portal.security import HTML_HEADERS
from app.portal.templating import render
from app.services import login as login_service
from app.services.visits import Opened

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "login_csrf"


def _t(request: Request) -> i18n.Translator:
    return i18n.translator(i18n.choose(None, [], request.headers.get("accept-language")))


async def _page(request: Request, token: str) -> login_service.LoginPage | None:
    async with app_state(request).db.uow(write=False) as uow:
        return await login_service.page(uow, token)


def _gone(request: Request) -> HTMLResponse:
    t = _t(request)
    return page(
        "message.html",
        404,
        **t.context(),
        title=t("This link is no longer active"),
        body=t("Ask the business for a new link to manage your billing."),
        links={},
    )


def _form(
    request: Request,
    login: login_service.LoginPage,
    step: str,
    *,
    email: str = "",
    link: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The login page; it (re)sets the double-submit CSRF cookie its forms carry."""
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    t = _t(request)
    response = page(
        "login.html",
        status,
        **t.context(),
        brand=login.branding,
        login=login,
        step=step,
        email=email,
        link=link,
        csrf=csrf,
        error=error,
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/p/login")
    return response


def _csrf_ok(request: Request, presented: object) -> bool:
    expected = request.cookies.get(CSRF_COOKIE)
    return bool(expected) and isinstance(presented, str) and secrets.compare_digest(presented, str(expected))


@router.get("/p/login/{token}")
async def login_page(token: str, request: Request) -> Response:
    """The shareable page: an email field (prefilled with ?prefilled_email=, as Stripe's)."""
    login = await _page(request, token)
    if login is None:
        return _gone(request)
    return _form(request, login, "email", email=request.query_params.get("prefilled_email", "")[:512])


@router.post("/p/login/{token}")
async def request_link(token: str, request: Request, background: BackgroundTasks) -> Response:
    """Mail a one-time link and code when the email is a customer's; answer the same either way."""
    login = await _page(request, token)
    if login is None:
        return _gone(request)
    form = await request.form()
    t = _t(request)
    if not _csrf_ok(request, form.get("csrf_token")):
        return _form(request, login, "email", error=t("The form expired. Please try again."), status=403)
    email = normalise_email(str(form.get("email") or ""))
    if email is None:
        return _form(
            request,
            login,
            "email",
            email=str(form.get("email") or "")[:512],
            error=t("Enter a valid email address."),
            status=400,
        )
    state = app_state(request)
    limits = login_service.Limits(
        per_email=state.settings.login_mails_per_email_per_hour,
        per_address=state.settings.login_requests_per_address_per_hour,
    )
    address = request.client.host if request.client else "unknown"
    async with state.db.transaction() as uow:
        mail = await login_service.request_link(uow, state.clock, login, email, address, limits)
    if mail is not None:
        background.add_task(state.mailer.send, _compose(t, login, mail))
    return _form(request, login, "code", email=email)


def _compose(t: i18n.Translator, login: login_service.LoginPage, mail: login_service.LoginMail) -> Mail:
    name = mail.business_name or t("Billing")
    values = {"name": name, "link": mail.link, "code": mail.code, "minutes": 15}
    return Mail(
        to=mail.to,
        subject=t("Your sign-in link for %(name)s", name=name),
        text=render("mail/login.txt", **t.text_context(), **values),
        html=render("mail/login.html", **t.context(), **values),
    )


@router.get("/p/login/{token}/confirm/{link}")
async def confirm_page(token: str, link: str, request: Request) -> Response:
    """Opening the mailed link burns nothing (mail scanners prefetch links): a button completes the sign-in."""
    login = await _page(request, token)
    if login is None:
        return _gone(request)
    state = app_state(request)
    async with state.db.uow(write=False) as uow:
        live = await login_service.link_is_live(uow, state.clock, login, link)
    if not live:
        return _form(
            request,
            login,
            "email",
            error=_t(request)("This sign-in link has been used or has expired. Ask for a new one below."),
            status=410,
        )
    return _form(request, login, "confirm", link=link)


def _signed_in(request: Request, opened: Opened) -> Response:
    response = RedirectResponse("/p/", status_code=303, headers=HTML_HEADERS)
    visit_cookie(response, app_state(request), opened.token)
    return response


@router.post("/p/login/{token}/confirm/{link}")
async def confirm(token: str, link: str, request: Request) -> Response:
    login = await _page(request, token)
    if login is None:
        return _gone(request)
    form = await request.form()
    t = _t(request)
    if not _csrf_ok(request, form.get("csrf_token")):
        return _form(request, login, "confirm", link=link, error=t("The form expired. Please try again."), status=403)
    state = app_state(request)
    async with state.db.transaction() as uow:
        opened = await login_service.confirm_link(uow, state.clock, login, link)
    if opened is None:
        return _form(
            request,
            login,
            "email",
            error=t("This sign-in link has been used or has expired. Ask for a new one below."),
            status=410,
        )
    return _signed_in(request, opened)


@router.post("/p/login/{token}/code")
async def confirm_code(token: str, request: Request) -> Response:
    """The 6-digit code from the mail, for when the mail is read on another device."""
    login = await _page(request, token)
    if login is None:
        return _gone(request)
    form = await request.form()
    t = _t(request)
    email = normalise_email(str(form.get("email") or "")) or ""
    if not _csrf_ok(request, form.get("csrf_token")):
        return _form(request, login, "code", email=email, error=t("The form expired. Please try again."), status=403)
    state = app_state(request)
    async with state.db.transaction() as uow:
        opened = await login_service.confirm_code(uow, state.clock, login, email, str(form.get("code") or ""))
    if opened is None:
        return _form(
            request,
            login,
            "code",
            email=email,
            error=t("That code is not valid. Check the latest email, or ask for a new link."),
            status=400,
        )
    return _signed_in(request, opened)
