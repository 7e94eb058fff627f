"""The hosted invoice page and its PDF: `hosted_invoice_url` and `invoice_pdf` point here."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.context import Ctx
from app.errors import StripeError
from app.http.call import app_state
from app.objects.invoices import render_invoices
from app.portal.invoice_pdf import invoice_pdf
from app.portal.security import HTML_HEADERS
from app.portal.templating import templates
from app.scope import Scope
from app.services import invoices as invoice_service

router = APIRouter(tags=["hosted pages"], include_in_schema=False)
CSRF_COOKIE = "invoice_csrf"


async def _invoice(request: Request, token: str) -> dict[str, Any] | None:
    """The invoice as rendered on the API, with every line (not the first 10) and each discount's
    name, so the page and the PDF can lay out subtotal, discounts, balance and amount due."""
    async with app_state(request).db.uow(write=False) as uow:
        invoice = await uow.invoices.by_access_token(token)
        if invoice is None or invoice.status == "draft":
            return None
        scope = Scope(invoice.account_id, invoice.livemode)
        body = (await render_invoices(uow, scope, [invoice]))[0]
        body["lines"]["data"] = list(invoice.lines or [])
        found = await uow.discounts.many(scope, [d["discount"] for d in body["total_discount_amounts"]])
        coupons = await uow.coupons.many(scope, [d.coupon_id for d in found.values()])
        names = {
            i: (coupons[d.coupon_id].name or d.coupon_id) if d.coupon_id in coupons else i for i, d in found.items()
        }
        # Test mode's stand-in for the bank's 3-D Secure page: a payment waiting for authentication.
        body["authenticate"] = (
            not invoice.livemode and invoice.status == "open" and bool((invoice.details or {}).get("requires_action"))
        )
        body["discount_rows"] = [
            {"name": names.get(d["discount"], d["discount"]), "amount": d["amount"]}
            for d in body["total_discount_amounts"]
        ]
        return body


def _gone() -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><title>Not found</title><p>This invoice link is not valid.</p>", 404, HTML_HEADERS
    )


@router.get("/invoices/{token}")
async def hosted_invoice(token: str, request: Request) -> Response:
    invoice = await _invoice(request, token)
    if invoice is None:
        return _gone()
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    html = templates.get_template("invoice.html").render(
        invoice=invoice,
        pdf_url=f"{invoice['hosted_invoice_url']}/pdf",
        csrf=csrf,
        authenticated=request.query_params.get("authentication"),
    )
    response = HTMLResponse(html, headers=HTML_HEADERS)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/invoices")
    return response


@router.post("/invoices/{token}/authenticate")
async def authenticate(token: str, request: Request) -> Response:
    """The test authentication step (test mode): complete or fail the payment that waits for it."""
    form = await request.form()
    expected = request.cookies.get(CSRF_COOKIE)
    presented = form.get("csrf_token")
    if not expected or not isinstance(presented, str) or not secrets.compare_digest(presented, expected):
        return HTMLResponse(
            "<!doctype html><title>Expired</title><p>This page expired; open the invoice again.</p>", 403, HTML_HEADERS
        )
    state = app_state(request)
    completed = form.get("outcome") == "complete"
    async with state.db.transaction() as uow:
        invoice = await uow.invoices.by_access_token(token)
        if invoice is None or invoice.livemode:
            return _gone()
        ctx = Ctx(
            scope=Scope(invoice.account_id, invoice.livemode), clock=state.clock, base_url=state.settings.base_url
        )
        try:
            await invoice_service.authenticate(uow, ctx, invoice, completed=completed)
        except StripeError:
            return RedirectResponse(f"/invoices/{token}", status_code=303)
    outcome = "completed" if completed else "failed"
    return RedirectResponse(f"/invoices/{token}?authentication={outcome}", status_code=303)


@router.get("/invoices/{token}/pdf")
async def hosted_invoice_pdf(token: str, request: Request) -> Response:
    invoice = await _invoice(request, token)
    if invoice is None:
        return _gone()
    return Response(
        invoice_pdf(invoice),
        media_type="application/pdf",
        headers={**HTML_HEADERS, "Content-Disposition": f'inline; filename="{invoice["number"] or invoice["id"]}.pdf"'},
    )
