"""The hosted portal pages: /p/session/{secret} opens a visit; /p/ is the portal (R1).

Server-rendered, forms that work without JavaScript, CSRF-protected. Each change is a page of its
own with a confirmation step (a review of what it costs or does), then one portal use case in one
transaction, then back home with a message saying what happened. A deep-link flow shows only its
step, then does what its `after_completion` says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.domain.tax_ids import FORMATS
from app.errors import InvalidRequest, StripeError
from app.http.call import app_state
from app.http.state import AppState
from app.params.parsing import parse
from app.params.portal_api import CancelBody, CustomerBody, PayBody, PaymentMethodBody, PlanChangeBody, TaxIdBody
from app.portal import i18n, labels
from app.portal.security import HTML_HEADERS
from app.portal.templating import render
from app.portal.visit import COOKIE, Visit, VisitDep, VisitEnded, check_csrf
from app.services import portal as portal_service
from app.services import visits
from app.services.portal.views import Overview
from app.store.uow import UnitOfWork

router = APIRouter(include_in_schema=False)
Action = Callable[[UnitOfWork], Awaitable[Any]]
# What a page reads besides the overview, in the same transaction (given the overview already read).
Load = Callable[[UnitOfWork, Overview], Awaitable[dict[str, Any]]]


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(name, **context), status_code=status, headers=HTML_HEADERS)


def message_page(
    request: Request, title: str, body: str, *, status: int = 200, locale: str | None = None, **links: str | None
) -> HTMLResponse:
    """A page with a title, a sentence and links (both already marked for the catalogs)."""
    t = i18n.translator(locale or i18n.choose(None, [], request.headers.get("accept-language")))
    return page("message.html", status, **t.context(), title=t(title), body=t(body) if body else "", links=links)


def expired_page(request: Request, expired: visits.Expired | None, status: int | None = None) -> HTMLResponse:
    """A used or expired link: sign in again where the session allows it (`after_expiration`, or
    the merchant's login page), else ask the business for a new link."""
    recover = expired.login_url if expired else None
    return message_page(
        request,
        i18n.N_("This link has expired"),
        i18n.N_("For your security, portal links work once and only for a short time. Sign in again to continue.")
        if recover
        else i18n.N_(
            "For your security, portal links work once and only for a short time. Ask the business for a new link."
        ),
        status=status or (410 if expired else 401),
        locale=expired.locale if expired else None,
        return_url=expired.return_url if expired else None,
        login_url=recover,
    )


@router.get("/p/session/{secret}")
async def open_session(secret: str, request: Request) -> Response:
    """Exchange the single-use session URL for a visit cookie."""
    state = app_state(request)
    async with state.db.transaction() as uow:
        opened = await visits.open_session(uow, state.clock, secret)
    if opened is None:
        return expired_page(request, None, 404)
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


def _translator(request: Request, visit: Visit, overview: Overview | None = None) -> i18n.Translator:
    preferred = overview.customer.preferred_locales if overview else []
    return i18n.translator(i18n.choose(visit.visitor.session.locale, preferred, request.headers.get("accept-language")))


def _flow(visit: Visit) -> dict[str, Any] | None:
    return None if visit.flow_done else visit.visitor.session.flow


async def _render(
    request: Request,
    visit: Visit,
    template: str,
    *,
    load: Load | None = None,
    failure: StripeError | None = None,
    invoices: portal_service.InvoiceCursor | None = None,
) -> HTMLResponse:
    """A portal page: the overview (brand, customer, what they may do) and what the page itself
    loads, read in one transaction; a refusal is shown on the page it came from."""
    async with visit.state.db.uow(write=False) as uow:
        overview = await portal_service.overview(uow, visit.visitor, invoices)
        extra = await load(uow, overview) if load else {}
    t = _translator(request, visit, overview)
    done = labels.DONE.get(request.query_params.get("done") or "")
    return page(
        template,
        failure.status if failure else 200,
        **t.context(),
        o=overview,
        brand=overview.business.branding,
        csrf=visit.csrf_token,
        flow=_flow(visit),
        error=i18n.error_text(t, failure) if failure else None,
        notice=t(done) if done and not failure else None,
        **extra,
    )


async def _shown(
    request: Request, visit: Visit, template: str, load: Load | None = None, failure: StripeError | None = None
) -> HTMLResponse:
    """A page (with the `failure` of what was just tried on it), or, when what the page needs is
    refused (a subscription that cannot be canceled, an invoice paid meanwhile), the portal's
    home with the refusal: the first one when there were two."""
    try:
        return await _render(request, visit, template, load=load, failure=failure)
    except StripeError as exc:
        return await _render(request, visit, "home.html", failure=failure or exc)


@router.get("/p/")
async def home(request: Request, visit: VisitDep) -> Response:
    """The portal: subscriptions, payment methods, billing details, invoices; or a flow's step."""
    flow = _flow(visit)
    if flow:
        return await _flow_page(request, visit, flow)
    try:
        cursor = portal_service.InvoiceCursor(
            after=request.query_params.get("invoices_after"), before=request.query_params.get("invoices_before")
        )
        return await _render(request, visit, "home.html", invoices=cursor)
    except StripeError as exc:
        return await _render(request, visit, "home.html", failure=exc)


async def _flow_page(request: Request, visit: Visit, flow: dict[str, Any]) -> HTMLResponse:
    """A deep link's only step (Stripe's flow types)."""
    kind = flow.get("type")
    target = str((flow.get(str(kind)) or {}).get("subscription") or "")
    if kind == "payment_method_update":
        return await _render(request, visit, "payment_method_new.html")
    if kind == "customer_update":
        return await _customer_page(request, visit)
    if kind == "subscription_cancel":
        return await _cancel_page(request, visit, target)
    if kind == "subscription_update_confirm":
        item = (flow.get("subscription_update_confirm") or {}).get("items", [{}])[0]
        return await _update_page(request, visit, target, item.get("price"), item.get("quantity"), fixed=True)
    return await _update_page(request, visit, target, None, None)


def _own(overview_subs: Any, subscription_id: str) -> Any:
    return next((s for s in overview_subs if s.id == subscription_id), None)


async def _update_page(
    request: Request,
    visit: Visit,
    subscription_id: str,
    price: str | None,
    quantity: str | int | None,
    *,
    fixed: bool = False,
    failure: StripeError | None = None,
) -> HTMLResponse:
    """Choose a plan; with one chosen, the review: amount due today, its proration lines, and the
    next invoice, from the code the change runs."""

    async def load(uow: UnitOfWork, found: Overview) -> dict[str, Any]:
        sub = _own(found.subscriptions, subscription_id)
        if sub is None or not sub.actions.update:
            # Not offered (or not theirs): the same refusal the change itself gives.
            await portal_service.preview_update(uow, visit.visitor, subscription_id, None, None)
            raise InvalidRequest("This subscription cannot be updated here.", code="portal_feature_disabled")
        preview = None
        new_price = None
        if price is not None or quantity is not None:
            change = parse(PlanChangeBody, {"price": price, "quantity": quantity}, strict=False)
            preview = await portal_service.preview_update(
                uow, visit.visitor, subscription_id, change.price, change.quantity
            )
            new_price = next((p for p in sub.update_options if p.id == preview.new.price), sub.items[0].price)
        return {"s": sub, "preview": preview, "new_price": new_price, "fixed": fixed}

    if failure is not None:
        return await _render(
            request, visit, "update.html", load=_without_preview(visit, subscription_id), failure=failure
        )
    try:
        return await _render(request, visit, "update.html", load=load)
    except StripeError as exc:
        if price is None and quantity is None:
            return await _render(request, visit, "home.html", failure=exc)
        return await _render(request, visit, "update.html", load=_without_preview(visit, subscription_id), failure=exc)


def _without_preview(visit: Visit, subscription_id: str) -> Load:
    async def load(uow: UnitOfWork, found: Overview) -> dict[str, Any]:
        sub = _own(found.subscriptions, subscription_id)
        if sub is None:
            raise InvalidRequest("No such subscription.", code="resource_missing")
        return {"s": sub, "preview": None, "new_price": None, "fixed": False}

    return load


@router.get("/p/subscriptions/{subscription}/update")
async def update_page(subscription: str, request: Request, visit: VisitDep) -> Response:
    """The plan chooser, then (with `price`/`quantity`) the review before the customer confirms."""
    q = request.query_params
    return await _update_page(request, visit, subscription, _text(q.get("price")), _text(q.get("quantity")))


async def _cancel_page(
    request: Request, visit: Visit, subscription_id: str, failure: StripeError | None = None
) -> HTMLResponse:
    async def load(uow: UnitOfWork, found: Overview) -> dict[str, Any]:
        review = await portal_service.review_cancel(uow, visit.visitor, subscription_id)
        return {"s": _own(found.subscriptions, subscription_id), "review": review}

    return await _shown(request, visit, "cancel.html", load, failure)


@router.get("/p/subscriptions/{subscription}/cancel")
async def cancel_page(subscription: str, request: Request, visit: VisitDep) -> Response:
    """What canceling does (when it ends), the cancel flow's offer, the survey, and the confirm button."""
    return await _cancel_page(request, visit, subscription)


async def _perform(
    request: Request,
    visit: Visit,
    action: Action,
    done: str | Callable[[], str],
    on_failure: Callable[[StripeError], Awaitable[HTMLResponse]] | None = None,
) -> Response:
    """One action in one transaction; then home with what happened, or what the deep-link flow's
    after_completion says. A refusal re-renders the page the form was on, with its message."""
    form = await request.form()
    try:
        check_csrf(visit, str(form.get("csrf_token") or ""))
        async with visit.state.db.uow() as uow:
            await action(uow)
            flow = visit.visitor.session.flow
            if flow and not visit.flow_done:
                await visits.finish_flow(uow, visit.token)
            await uow.commit()
    except StripeError as exc:
        if on_failure is not None:
            return await on_failure(exc)
        return await _render(request, visit, "home.html", failure=exc)
    flow = visit.visitor.session.flow
    if flow and not visit.flow_done:
        after = flow.get("after_completion") or {}
        if after.get("type") == "redirect":
            return RedirectResponse(after["redirect"]["return_url"], status_code=303, headers=HTML_HEADERS)
        if after.get("type") == "hosted_confirmation":
            return RedirectResponse("/p/done", status_code=303, headers=HTML_HEADERS)
    code = done if isinstance(done, str) else done()
    return RedirectResponse(f"/p/?done={code}", status_code=303, headers=HTML_HEADERS)


def _text(value: Any) -> str | None:
    """A form field as text; empty or absent is None (as left out)."""
    return str(value) if value not in (None, "") else None


@router.post("/p/subscriptions/{subscription}/cancel")
async def cancel(subscription: str, request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    fields = {"reason": _text(form.get("reason")), "comment": _text(form.get("comment"))}
    immediately = False

    async def act(uow: UnitOfWork) -> Any:
        nonlocal immediately
        body = parse(CancelBody, fields, strict=False)
        sub = await portal_service.cancel(uow, visit.visitor, subscription, reason=body.reason, comment=body.comment)
        immediately = sub.status == "canceled"
        return sub

    return await _perform(
        request,
        visit,
        act,
        lambda: "canceled" if immediately else "cancel_scheduled",
        lambda exc: _cancel_page(request, visit, subscription, exc),
    )


@router.post("/p/subscriptions/{subscription}/renew")
async def renew(subscription: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(request, visit, lambda uow: portal_service.renew(uow, visit.visitor, subscription), "renewed")


@router.post("/p/subscriptions/{subscription}/update")
async def update(subscription: str, request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    fields = {"price": _text(form.get("price")), "quantity": _text(form.get("quantity"))}
    scheduled = False

    async def act(uow: UnitOfWork) -> Any:
        nonlocal scheduled
        change = parse(PlanChangeBody, fields, strict=False)
        sub = await portal_service.update(uow, visit.visitor, subscription, change.price, change.quantity)
        scheduled = bool(sub.schedule_id)
        return sub

    return await _perform(
        request,
        visit,
        act,
        lambda: "update_scheduled" if scheduled else "updated",
        lambda exc: _update_page(request, visit, subscription, None, None, failure=exc),
    )


@router.post("/p/subscriptions/{subscription}/resume_collection")
async def resume_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request,
        visit,
        lambda uow: portal_service.resume_collection(uow, visit.visitor, subscription),
        "collection_resumed",
    )


@router.post("/p/subscriptions/{subscription}/pause_collection")
async def pause_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request,
        visit,
        lambda uow: portal_service.pause_collection(uow, visit.visitor, subscription),
        "collection_paused",
    )


@router.post("/p/subscriptions/{subscription}/accept_offer")
async def accept_offer(subscription: str, request: Request, visit: VisitDep) -> Response:
    """The cancel flow's retention offer, accepted: the coupon applies and the subscription stays."""
    return await _perform(
        request, visit, lambda uow: portal_service.accept_offer(uow, visit.visitor, subscription), "offer_accepted"
    )


def _card(form: Any) -> dict[str, Any]:
    return {
        "number": (_text(form.get("number")) or "").replace(" ", "") or None,
        "token": _text(form.get("token")),
        "exp_month": _text(form.get("exp_month")),
        "exp_year": _text(form.get("exp_year")),
    }


@router.get("/p/payment_methods/new")
async def new_payment_method(request: Request, visit: VisitDep) -> Response:
    return await _render(request, visit, "payment_method_new.html")


@router.post("/p/payment_methods")
async def add_payment_method(request: Request, visit: VisitDep) -> Response:
    fields = _card(await request.form())

    async def act(uow: UnitOfWork) -> Any:
        card = parse(PaymentMethodBody, fields, strict=False)
        return await portal_service.add_payment_method(
            uow, visit.visitor, token=card.token, number=card.number, exp_month=card.exp_month, exp_year=card.exp_year
        )

    return await _perform(
        request,
        visit,
        act,
        "payment_method_added",
        lambda exc: _render(request, visit, "payment_method_new.html", failure=exc),
    )


@router.post("/p/payment_methods/{payment_method}/default")
async def default_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request,
        visit,
        lambda uow: portal_service.set_default_payment_method(uow, visit.visitor, payment_method),
        "default_set",
    )


@router.get("/p/payment_methods/{payment_method}/remove")
async def remove_payment_method_page(payment_method: str, request: Request, visit: VisitDep) -> Response:
    """Which method goes, and (R9) whether it can: the last one of an active subscription stays."""
    return await _remove_page(request, visit, payment_method)


async def _remove_page(
    request: Request, visit: Visit, payment_method: str, failure: StripeError | None = None
) -> HTMLResponse:
    async def load(uow: UnitOfWork, found: Overview) -> dict[str, Any]:
        method = next((m for m in found.payment_methods if m.id == payment_method), None)
        if method is None or not found.features.payment_method_update:
            raise InvalidRequest("No such payment method.", code="resource_missing")
        return {"m": method}

    return await _shown(request, visit, "payment_method_remove.html", load, failure)


@router.post("/p/payment_methods/{payment_method}/remove")
async def remove_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request,
        visit,
        lambda uow: portal_service.remove_payment_method(uow, visit.visitor, payment_method),
        "payment_method_removed",
        lambda exc: _remove_page(request, visit, payment_method, exc),
    )


async def _customer_page(request: Request, visit: Visit, failure: StripeError | None = None) -> HTMLResponse:
    async def load(uow: UnitOfWork, found: Overview) -> dict[str, Any]:
        if not found.customer.editable:
            raise InvalidRequest("Updating billing information is not enabled.", code="portal_feature_disabled")
        country = (found.customer.address or {}).get("country") or ""
        suggested = next((k for k, f in FORMATS.items() if f.country == country), "eu_vat")
        return {"tax_id_types": sorted(FORMATS.items()), "suggested_tax_type": suggested}

    return await _shown(request, visit, "customer.html", load, failure)


@router.get("/p/customer")
async def customer_page(request: Request, visit: VisitDep) -> Response:
    """The billing details `customer_update.allowed_updates` allows, and the customer's tax IDs."""
    return await _customer_page(request, visit)


def _address_form(form: Any, prefix: str) -> dict[str, str] | None:
    keys = ("line1", "line2", "city", "state", "postal_code", "country")
    found = {k: str(form[f"{prefix}_{k}"]) for k in keys if f"{prefix}_{k}" in form}
    return found or None


@router.post("/p/customer")
async def update_customer(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    sent: dict[str, Any] = {k: str(form[k]) for k in ("email", "name", "phone") if k in form}
    if (address := _address_form(form, "billing")) is not None:
        sent["address"] = address
    if "shipping_name" in form:
        sent["shipping"] = {
            "name": str(form["shipping_name"]),
            "phone": str(form.get("shipping_phone") or ""),
            "address": _address_form(form, "shipping") or {},
        }

    async def act(uow: UnitOfWork) -> Any:
        body = parse(CustomerBody, sent, strict=False)
        fields = {k: v for k, v in body.model_dump(include=body.sent()).items() if v is not None}
        return await portal_service.update_customer(uow, visit.visitor, fields)

    return await _perform(request, visit, act, "details_saved", lambda exc: _customer_page(request, visit, exc))


@router.post("/p/tax_ids")
async def add_tax_id(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    fields = {"type": _text(form.get("type")), "value": _text(form.get("value"))}

    async def act(uow: UnitOfWork) -> Any:
        body = parse(TaxIdBody, fields, strict=False)
        return await portal_service.add_tax_id(uow, visit.visitor, body.type, body.value)

    return await _perform(request, visit, act, "tax_id_added", lambda exc: _customer_page(request, visit, exc))


@router.post("/p/tax_ids/{tax_id}/remove")
async def remove_tax_id(tax_id: str, request: Request, visit: VisitDep) -> Response:
    return await _perform(
        request,
        visit,
        lambda uow: portal_service.remove_tax_id(uow, visit.visitor, tax_id),
        "tax_id_removed",
        lambda exc: _customer_page(request, visit, exc),
    )


async def _pay_page(
    request: Request, visit: Visit, invoice_id: str, failure: StripeError | None = None
) -> HTMLResponse:
    async def load(uow: UnitOfWork, found: Overview) -> dict[str, Any]:
        invoice = await portal_service.payable_invoice(uow, visit.visitor, invoice_id)
        default = next((m.id for m in found.payment_methods if m.default), None)
        return {"invoice": invoice, "default_id": default}

    return await _shown(request, visit, "pay.html", load, failure)


@router.get("/p/invoices/{invoice}/pay")
async def pay_page(invoice: str, request: Request, visit: VisitDep) -> Response:
    """An open invoice: its amount, and the payment methods to pay it with (or a new card)."""
    return await _pay_page(request, visit, invoice)


@router.post("/p/invoices/{invoice}/pay")
async def pay_invoice(invoice: str, request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    chosen = _text(form.get("payment_method"))
    fields: dict[str, Any] = _card(form) if chosen in (None, "new") else {"payment_method": chosen}

    async def act(uow: UnitOfWork) -> Any:
        return await portal_service.pay_invoice(uow, visit.visitor, invoice, parse(PayBody, fields, strict=False))

    return await _perform(request, visit, act, "invoice_paid", lambda exc: _pay_page(request, visit, invoice, exc))


@router.get("/p/done")
async def done(request: Request, visit: VisitDep) -> Response:
    """A flow's hosted confirmation."""
    flow = visit.visitor.session.flow or {}
    custom = ((flow.get("after_completion") or {}).get("hosted_confirmation") or {}).get("custom_message")
    t = i18n.translator(i18n.choose(visit.visitor.session.locale, [], request.headers.get("accept-language")))
    return page(
        "message.html",
        **t.context(),
        title=t("All done"),
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
