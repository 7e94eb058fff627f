"""The customer portal API (JSON) under /p/api: what the hosted page does, for SPAs with their own UI.

Authenticated by the visit cookie that opening a session URL sets; every change also needs the
visit's CSRF token in `X-CSRF-Token` (GET /p/api/overview returns it). Changes answer with the
fresh overview; errors are Stripe-shaped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request, Response

from app.http.call import app_state, dumps, json_response
from app.http.wire.form import json_object, read_body
from app.http.wire.openapi import ERRORS, PortalOverview, schema_of
from app.params.parsing import parse
from app.params.portal_api import (
    CancelBody,
    CustomerBody,
    PayBody,
    PaymentMethodBody,
    PlanChangeBody,
    PortalBody,
    TaxIdBody,
)
from app.portal.visit import Visit, VisitDep, check_csrf
from app.services import portal as portal_service
from app.services import visits
from app.store.uow import UnitOfWork

router = APIRouter(prefix="/p/api", tags=["customer portal"])


async def _body(request: Request) -> dict[str, Any]:
    """The JSON body, refused (413) as soon as it passes the API's body limit while being read
    (`MAX_BODY_BYTES`, as for /v1: a body within the schema's lengths always fits)."""
    raw = await read_body(request, app_state(request).settings.max_body_bytes)
    return json_object(raw) if raw else {}


async def _overview_body(
    uow: UnitOfWork,
    visit: Visit,
    visitor: portal_service.Visitor,
    invoices: portal_service.InvoiceCursor | None = None,
) -> bytes:
    found = await portal_service.overview(uow, visitor, invoices)
    return dumps({**found.model_dump(mode="json"), "csrf_token": visit.csrf_token})


async def _change(request: Request, visit: Visit, action: Callable[[UnitOfWork], Awaitable[Any]]) -> Response:
    """The action, then the overview it leads to, in one transaction: the answer is what was
    committed, and what the action read (the subscription, its items and prices) is not read again."""
    check_csrf(visit, request.headers.get("x-csrf-token"))
    visitor = visit.visitor
    async with visit.state.db.uow() as uow:
        await action(uow)
        if visitor.session.flow and not visit.flow_done:
            # The deep-link flow's action is done: the whole portal opens up (as on the hosted page).
            await visits.finish_flow(uow, visit.token)
            visitor = replace(visitor, flow_done=True)
        body = await _overview_body(uow, visit, visitor.after_change())
        await uow.commit()
    return json_response(body)


def _documented(body: type[PortalBody] | None = None, *, change: bool = True, overview: bool = True) -> dict[str, Any]:
    """OpenAPI for a portal API route: the visit cookie (and the CSRF header for changes) as its
    security, its JSON body, and the overview or a Stripe-shaped error as answers."""
    extra: dict[str, Any] = {"security": [{"portalVisit": [], "csrfToken": []} if change else {"portalVisit": []}]}
    if body is not None:
        extra["requestBody"] = {"required": False, "content": {"application/json": {"schema": schema_of(body)}}}
    return {
        "response_model": None,
        "responses": {
            200: {"model": PortalOverview, "description": "The customer's portal overview."}
            if overview
            else {"description": "The amounts before and after the change."},
            **ERRORS,
        },
        "openapi_extra": extra,
    }


@router.get("/overview", **_documented(change=False))
async def overview(
    visit: VisitDep, invoices_starting_after: str | None = None, invoices_ending_before: str | None = None
) -> Response:
    """Business profile and branding, the customer, subscriptions with their allowed actions and R4
    limitations, payment methods, one page of invoices (when enabled; `invoices_starting_after` or
    `invoices_ending_before` an invoice id for the next or previous page), and the CSRF token."""
    cursor = portal_service.InvoiceCursor(after=invoices_starting_after, before=invoices_ending_before)
    async with visit.state.db.uow(write=False) as uow:
        return json_response(await _overview_body(uow, visit, visit.visitor, cursor))


@router.post("/subscriptions/{subscription}/cancel", **_documented(CancelBody))
async def cancel(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Cancel as the configuration says; body `{"reason": ..., "comment": ...}` (both optional)."""
    body = parse(CancelBody, await _body(request))
    return await _change(
        request,
        visit,
        lambda uow: portal_service.cancel(uow, visit.visitor, subscription, reason=body.reason, comment=body.comment),
    )


@router.post("/subscriptions/{subscription}/renew", **_documented())
async def renew(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Undo a pending cancellation at period end."""
    return await _change(request, visit, lambda uow: portal_service.renew(uow, visit.visitor, subscription))


@router.post(
    "/subscriptions/{subscription}/preview",
    **_documented(PlanChangeBody, overview=False),
)
async def preview(subscription: str, request: Request, visit: VisitDep) -> Response:
    """The amounts before and after switching to `price` and/or `quantity` (changes nothing)."""
    check_csrf(visit, request.headers.get("x-csrf-token"))
    change = parse(PlanChangeBody, await _body(request))
    async with visit.state.db.uow(write=False) as uow:
        body = await portal_service.preview_update(uow, visit.visitor, subscription, change.price, change.quantity)
    return json_response(dumps(body.model_dump(mode="json")))


@router.get("/subscriptions/{subscription}/cancel", **_documented(change=False, overview=False))
async def review_cancel(subscription: str, visit: VisitDep) -> Response:
    """What canceling would do (when it ends, whether unused time is credited); changes nothing."""
    async with visit.state.db.uow(write=False) as uow:
        body = await portal_service.review_cancel(uow, visit.visitor, subscription)
    return json_response(dumps(body.model_dump(mode="json")))


@router.post("/subscriptions/{subscription}/update", **_documented(PlanChangeBody))
async def update(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Switch to `price` and/or `quantity` among the configuration's options."""
    change = parse(PlanChangeBody, await _body(request))
    return await _change(
        request,
        visit,
        lambda uow: portal_service.update(uow, visit.visitor, subscription, change.price, change.quantity),
    )


@router.post("/subscriptions/{subscription}/accept_offer", **_documented())
async def accept_offer(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Accept the cancel flow's retention offer: its coupon applies and the subscription stays."""
    return await _change(request, visit, lambda uow: portal_service.accept_offer(uow, visit.visitor, subscription))


@router.post("/subscriptions/{subscription}/resume_collection", **_documented())
async def resume_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    """R17: resume paused payment collection, only where the retired pause setting still allows it."""
    return await _change(request, visit, lambda uow: portal_service.resume_collection(uow, visit.visitor, subscription))


@router.post("/subscriptions/{subscription}/pause_collection", **_documented())
async def pause_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    """R14/R17: pause payment collection, only before 2024-03-29 and where the configuration enabled it."""
    return await _change(request, visit, lambda uow: portal_service.pause_collection(uow, visit.visitor, subscription))


@router.post("/payment_methods", **_documented(PaymentMethodBody))
async def add_payment_method(request: Request, visit: VisitDep) -> Response:
    """Add a card (test mode: `{"token": "pm_card_visa"}` or `{"number", "exp_month", "exp_year"}`); it becomes the default."""
    card = parse(PaymentMethodBody, await _body(request))
    return await _change(
        request,
        visit,
        lambda uow: portal_service.add_payment_method(
            uow, visit.visitor, token=card.token, number=card.number, exp_month=card.exp_month, exp_year=card.exp_year
        ),
    )


@router.post("/payment_methods/{payment_method}/default", **_documented())
async def default_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    """Make a payment method the customer's default."""
    return await _change(
        request, visit, lambda uow: portal_service.set_default_payment_method(uow, visit.visitor, payment_method)
    )


@router.delete("/payment_methods/{payment_method}", **_documented())
async def remove_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    """Remove a payment method (R9: not the last one while a subscription is active)."""
    return await _change(
        request, visit, lambda uow: portal_service.remove_payment_method(uow, visit.visitor, payment_method)
    )


@router.post("/customer", **_documented(CustomerBody))
async def update_customer(request: Request, visit: VisitDep) -> Response:
    """Update the details the configuration allows: `email`, `name`, `phone`, `address`, `shipping`."""
    body = parse(CustomerBody, await _body(request))
    # null leaves a detail as it is (as leaving it out does); "" clears it.
    fields: dict[str, Any] = {k: v for k, v in body.model_dump(include=body.sent()).items() if v is not None}
    return await _change(request, visit, lambda uow: portal_service.update_customer(uow, visit.visitor, fields))


@router.post("/tax_ids", **_documented(TaxIdBody))
async def add_tax_id(request: Request, visit: VisitDep) -> Response:
    """Add a tax ID (`type`, `value`: one of Stripe's types, in its format) when `tax_id` is allowed."""
    body = parse(TaxIdBody, await _body(request))
    return await _change(
        request, visit, lambda uow: portal_service.add_tax_id(uow, visit.visitor, body.type, body.value)
    )


@router.delete("/tax_ids/{tax_id}", **_documented())
async def remove_tax_id(tax_id: str, request: Request, visit: VisitDep) -> Response:
    """Remove one of the customer's tax IDs when `tax_id` is allowed."""
    return await _change(request, visit, lambda uow: portal_service.remove_tax_id(uow, visit.visitor, tax_id))


@router.post("/invoices/{invoice}/pay", **_documented(PayBody))
async def pay_invoice(invoice: str, request: Request, visit: VisitDep) -> Response:
    """Pay an open invoice: with the default payment method, `payment_method` (one of the
    customer's), or a new card (`token`, or `number`, `exp_month`, `exp_year`; test mode)."""
    body = parse(PayBody, await _body(request))
    return await _change(request, visit, lambda uow: portal_service.pay_invoice(uow, visit.visitor, invoice, body))
