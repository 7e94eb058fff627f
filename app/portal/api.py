"""The customer portal API (JSON) under /p/api: what the hosted page does, for SPAs with their own UI.

Authenticated by the visit cookie that opening a session URL sets; every change also needs the
visit's CSRF token in `X-CSRF-Token` (GET /p/api/overview returns it). Changes answer with the
fresh overview; errors are Stripe-shaped.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from app.errors import InvalidRequest
from app.http.call import dumps, json_response
from app.portal.visit import Visit, VisitDep, check_csrf
from app.services import portal as portal_service
from app.store.uow import UnitOfWork

router = APIRouter(prefix="/p/api", tags=["customer portal"])
MAX_JSON = 64 * 1024


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_JSON:
        raise InvalidRequest("The request body is too large.", code="request_too_large")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidRequest("The body must be JSON.", code="parameter_invalid_encoding") from exc
    if not isinstance(data, dict):
        raise InvalidRequest("The body must be a JSON object.", code="parameter_invalid_encoding")
    return data


async def _overview(visit: Visit) -> dict[str, Any]:
    async with visit.state.db.uow(write=False) as uow:
        body = await portal_service.overview(uow, visit.visitor)
    body["csrf_token"] = visit.csrf_token
    return body


async def _change(request: Request, visit: Visit, action: Callable[[UnitOfWork], Awaitable[Any]]) -> Response:
    check_csrf(visit, request.headers.get("x-csrf-token"))
    async with visit.state.db.uow() as uow:
        await action(uow)
        await uow.commit()
    return json_response(dumps(await _overview(visit)))


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidRequest(f"`{key}` must be a string.", code="parameter_invalid_string", param=key)
    return value


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidRequest(f"`{key}` must be an integer.", code="parameter_invalid_integer", param=key)
    return value


@router.get("/overview")
async def overview(visit: VisitDep) -> Response:
    """Business profile and branding, the customer, subscriptions with their allowed actions and R4
    limitations, payment methods, invoices (when enabled), and the CSRF token for changes."""
    return json_response(dumps(await _overview(visit)))


@router.post("/subscriptions/{subscription}/cancel")
async def cancel(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Cancel as the configuration says; body `{"reason": ..., "comment": ...}` (both optional)."""
    data = await _body(request)
    reason, comment = _str(data, "reason"), _str(data, "comment")
    return await _change(
        request,
        visit,
        lambda uow: portal_service.cancel(uow, visit.visitor, subscription, reason=reason, comment=comment),
    )


@router.post("/subscriptions/{subscription}/renew")
async def renew(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Undo a pending cancellation at period end."""
    return await _change(request, visit, lambda uow: portal_service.renew(uow, visit.visitor, subscription))


@router.post("/subscriptions/{subscription}/preview")
async def preview(subscription: str, request: Request, visit: VisitDep) -> Response:
    """The amounts before and after switching to `price` and/or `quantity` (changes nothing)."""
    check_csrf(visit, request.headers.get("x-csrf-token"))
    data = await _body(request)
    async with visit.state.db.uow(write=False) as uow:
        body = await portal_service.preview_update(
            uow, visit.visitor, subscription, _str(data, "price"), _int(data, "quantity")
        )
    return json_response(dumps(body))


@router.post("/subscriptions/{subscription}/update")
async def update(subscription: str, request: Request, visit: VisitDep) -> Response:
    """Switch to `price` and/or `quantity` among the configuration's options."""
    data = await _body(request)
    price, quantity = _str(data, "price"), _int(data, "quantity")
    return await _change(
        request, visit, lambda uow: portal_service.update(uow, visit.visitor, subscription, price, quantity)
    )


@router.post("/subscriptions/{subscription}/resume_collection")
async def resume_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    """R17: resume paused payment collection, only where the retired pause setting still allows it."""
    return await _change(request, visit, lambda uow: portal_service.resume_collection(uow, visit.visitor, subscription))


@router.post("/subscriptions/{subscription}/pause_collection")
async def pause_collection(subscription: str, request: Request, visit: VisitDep) -> Response:
    """R14/R17: pause payment collection, only before 2024-03-29 and where the configuration enabled it."""
    return await _change(request, visit, lambda uow: portal_service.pause_collection(uow, visit.visitor, subscription))


@router.post("/payment_methods")
async def add_payment_method(request: Request, visit: VisitDep) -> Response:
    """Add a card (test mode: `{"token": "pm_card_visa"}` or `{"number", "exp_month", "exp_year"}`); it becomes the default."""
    data = await _body(request)
    token, number = _str(data, "token"), _str(data, "number")
    month, year = _int(data, "exp_month"), _int(data, "exp_year")
    return await _change(
        request,
        visit,
        lambda uow: portal_service.add_payment_method(
            uow, visit.visitor, token=token, number=number, exp_month=month, exp_year=year
        ),
    )


@router.post("/payment_methods/{payment_method}/default")
async def default_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    """Make a payment method the customer's default."""
    return await _change(
        request, visit, lambda uow: portal_service.set_default_payment_method(uow, visit.visitor, payment_method)
    )


@router.delete("/payment_methods/{payment_method}")
async def remove_payment_method(payment_method: str, request: Request, visit: VisitDep) -> Response:
    """Remove a payment method (R9: not the last one while a subscription is active)."""
    return await _change(
        request, visit, lambda uow: portal_service.remove_payment_method(uow, visit.visitor, payment_method)
    )


@router.post("/customer")
async def update_customer(request: Request, visit: VisitDep) -> Response:
    """Update the details the configuration allows: `email`, `name`, `phone`, `address`."""
    data = await _body(request)
    fields: dict[str, Any] = {k: data[k] for k in ("email", "name", "phone", "address") if k in data}
    unknown = set(data) - set(fields)
    if unknown:
        raise InvalidRequest(
            f"Received unknown parameter: {sorted(unknown)[0]}", code="parameter_unknown", param=sorted(unknown)[0]
        )
    return await _change(request, visit, lambda uow: portal_service.update_customer(uow, visit.visitor, fields))
