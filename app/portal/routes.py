"""The hosted portal pages: /p/session/{secret} opens a visit; /p/ is the portal (R1).

Server-rendered, forms that work without JavaScript, CSRF-protected. Every action is one portal
use case in one transaction; a deep-link flow shows only its step, then does what its
`after_completion` says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.errors import StripeError
from app.http.call import app_state
from app.http.state import AppState
from app.params.parsing import parse
from app.params.portal_api import CancelBody, CustomerBody, PaymentMethodBody, PlanChangeBody
from app.portal import i18n
from app.portal.security import HTML_HEADERS
from app.portal.templating import templates
from app.portal.visit import COOKIE, Visit, VisitDep, VisitEnded, check_csrf
from app.services import portal as portal_service
from app.services import visits
from app.store.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
Action = Callable[[UnitOfWork], Awaitable[Any]]


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status, headers=HTML_HEADERS)


def message_page(request: Request, title: str, body: str, *, status: int = 200, **links: str | None) -> HTMLResponse:
    t = i18n.translator(i18n.choose(None, [], request.headers.get("accept-language")))
    return page("message.html", status, t=t, title=t(title), body=t(body), links=links)


def expired_page(request: Request, expired: visits.Expired | None) -> HTMLResponse:
    return message_page(
        request,
        "expired_title",
        "expired_body",
        status=410 if expired else 401,
        return_url=expired.return_url if expired else None,
        login_url=expired.login_url if expired else None,
    )


@router.get("/p/session/{secret}")
async def open_session(secret: str, request: Request) -> Response:
    """Exchange the single-use session URL for a visit cookie."""
    state = app_state(request)
    async with state.db.transaction() as uow:
        opened = await visits.open_session(uow, state.clock, secret)
    if opened is None:
        return message_page(request, "expired_title", "expired_body", status=404)
    if isinstance(opened, visits.Expired):
        return expired_page(request, opened)
    response = RedirectResponse("/p/", status_code=303, headers=HTML_HEADERS)
    visit_cookie(response, state, opened.token)
    return response


def visit_cookie(response: Response, state: AppState, token: str) -> None:
    """The visit's cookie: HttpOnly, SameSite=Lax, Secure behind https, only for the portal's paths."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=state.settings.base_url.startswith("https://"),
        path="/p",
        max_age=state.settings.portal_idle_minutes * 60 * 24,
    )


async def _render_home(
    request: Request,
    visit: Visit,
    *,
    failure: StripeError | None = None,
    preview: dict[str, Any] | None = None,
) -> HTMLResponse:
    async with visit.state.db.uow(write=False) as uow:
        overview = await portal_service.overview(uow, visit.visitor)
    customer = overview["customer"]
    locale = i18n.choose(
        visit.visitor.session.locale, customer["preferred_locales"], request.headers.get("accept-language")
    )
    flow = None if visit.flow_done else overview["session"]["flow"]
    t = i18n.translator(locale)
    return page(
        "home.html",
        failure.status if failure else 200,
        o=overview,
        t=t,
        locale=locale,
        csrf=visit.csrf_token,
        flow=flow,
        error=i18n.error_text(t, failure) if failure else None,
        preview=preview,
    )


@router.get("/p/")
async def home(request: Request, visit: VisitDep) -> Response:
    """The portal: subscriptions, payment methods, invoices, details (or only a flow's step)."""
    return await _render_home(request, visit)


async def _perform(request: Request, visit: Visit, action: Action) -> Response:
    """One action in one transaction; then home, or what the deep-link flow's after_completion says."""
    form = await request.form()
    check_csrf(visit, str(form.get("csrf_token") or ""))
    try:
        async with visit.state.db.uow() as uow:
            await action(uow)
            flow = visit.visitor.session.flow
            if flow and not visit.flow_done:
                await visits.finish_flow(uow, visit.token)
            await uow.commit()
    except StripeError as exc:
        return await _render_home(request, visit, failure=exc)
    flow = visit.visitor.session.flow
    if flow and not visit.flow_done:
        after = flow.get("after_completion") or {}
        if after.get("type") == "redirect":
            return RedirectResponse(after["redirect"]["return_url"], status_code=303, headers=HTML_HEADERS)
        if after.get("type") == "hosted_confirmation":
            return RedirectResponse("/p/done", status_code=303, headers=HTML_HEADERS)
    return RedirectResponse("/p/", status_code=303, headers=HTML_HEADERS)


def _text(value: Any) -> str | None:
    """A form field as text; empty or absent is None (as left out)."""
    return str(value) if value not in (None, "") else None


@router.post("/p/subscriptions/{subscription}/cancel")
async def cancel(subscription: str, request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    fields = {"reason": _text(form.get("reason")), "comment": _text(form.get("comment"))}

    async def act(uow: UnitOfWork) -> Any:
        body = parse(CancelBody, fields, strict=False)
        return await portal_service.cancel(uow, visit.visitor, subscription, reason=body.reason, comment=body.comment)

    return await _perform(request, visit, act)


@router.post("/p/subscriptions/{subscription}/renew")
async def renew(subscription: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(request, visit, lambda uow: portal_service.renew(uow, visit.visitor, subscription))


@router.get("/p/subscriptions/{subscription}/update")
async def preview_update(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Show the new amount before the customer confirms."""
    fields = {
        "price": _text(request.query_params.get("price")),
        "quantity": _text(request.query_params.get("quantity")),
    }
    try:
        change = parse(PlanChangeBody, fields, strict=False)
        async with visit.state.db.uow(write=False) as uow:
            preview = await portal_service.preview_update(
                uow, visit.visitor, subscription, change.price, change.quantity
            )
    except StripeError as exc:
        return await _render_home(request, visit, failure=exc)
    return await _render_home(request, visit, preview=preview)


@router.post("/p/subscriptions/{subscription}/update")
async def update(subscription: str, request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    fields = {"price": _text(form.get("price")), "quantity": _text(form.get("quantity"))}

    async def act(uow: UnitOfWork) -> Any:
        change = parse(PlanChangeBody, fields, strict=False)
        return await portal_service.update(uow, visit.visitor, subscription, change.price, change.quantity)

    return await _perform(request, visit, act)


@router.post("/p/subscriptions/{subscription}/resume_collection")
async def resume_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request, visit, lambda uow: portal_service.resume_collection(uow, visit.visitor, subscription)
    )


@router.post("/p/subscriptions/{subscription}/pause_collection")
async def pause_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(request, visit, lambda uow: portal_service.pause_collection(uow, visit.visitor, subscription))


@router.post("/p/payment_methods")
async def add_payment_method(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    fields = {
        "number": (_text(form.get("number")) or "").replace(" ", "") or None,
        "token": _text(form.get("token")),
        "exp_month": _text(form.get("exp_month")),
        "exp_year": _text(form.get("exp_year")),
    }

    async def act(uow: UnitOfWork) -> Any:
        card = parse(PaymentMethodBody, fields, strict=False)
        return await portal_service.add_payment_method(
            uow, visit.visitor, token=card.token, number=card.number, exp_month=card.exp_month, exp_year=card.exp_year
        )

    return await _perform(request, visit, act)


@router.post("/p/payment_methods/{payment_method}/default")
async def default_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request, visit, lambda uow: portal_service.set_default_payment_method(uow, visit.visitor, payment_method)
    )


@router.post("/p/payment_methods/{payment_method}/remove")
async def remove_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request, visit, lambda uow: portal_service.remove_payment_method(uow, visit.visitor, payment_method)
    )


@router.post("/p/customer")
async def update_customer(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    sent: dict[str, Any] = {k: str(form[k]) for k in ("email", "name", "phone") if k in form}
    address = {
        k: str(form[f"address_{k}"]) for k in ("line1", "city", "postal_code", "country") if f"address_{k}" in form
    }
    if address:
        sent["address"] = address

    async def act(uow: UnitOfWork) -> Any:
        body = parse(CustomerBody, sent, strict=False)
        fields = {k: v for k, v in body.model_dump(include=body.sent()).items() if v is not None}
        return await portal_service.update_customer(uow, visit.visitor, fields)

    return await _perform(request, visit, act)


@router.get("/p/done")
async def done(request: Request, visit: VisitDep) -> Response:
    """A flow's hosted confirmation."""
    flow = visit.visitor.session.flow or {}
    custom = ((flow.get("after_completion") or {}).get("hosted_confirmation") or {}).get("custom_message")
    t = i18n.translator(i18n.choose(visit.visitor.session.locale, [], request.headers.get("accept-language")))
    return page(
        "message.html",
        t=t,
        title=t("done_title"),
        body=custom or "",
        links={"return_url": visit.visitor.session.return_url},
    )


async def on_visit_ended(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VisitEnded)
    if request.url.path.startswith("/p/api/"):
        from app.http.wire.errors import error_response
        from app.portal.visit import json_visit_error

        return error_response(json_visit_error())
    return expired_page(request, exc.expired)


@router.post("/p/subscriptions/{subscription}/accept_offer")
async def accept_offer(subscription: str, request: Request, visit: VisitDep) -> Response:
    """The cancel flow's retention offer, accepted: the coupon applies and the subscription stays."""
    return await _perform(request, visit, lambda uow: portal_service.accept_offer(uow, visit.visitor, subscription))
