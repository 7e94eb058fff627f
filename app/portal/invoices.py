"""The hosted invoice page and its PDF: `hosted_invoice_url` and `invoice_pdf` point here."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.context import Ctx
from app.errors import StripeError
from app.http.call import app_state
from app.objects.invoices import render_invoices
from app.portal import i18n
from app.portal.invoice_pdf import invoice_pdf
from app.portal.security import HTML_HEADERS
from app.portal.templating import render
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
        customer = await uow.customers.get(scope, invoice.customer_id) if invoice.customer_id else None
        body["preferred_locales"] = list(customer.preferred_locales or []) if customer else []
        body["merchant"] = _merchant(await uow.accounts.get(scope.account_id))
        return body


def _merchant(account: Any) -> dict[str, Any]:
    """Who the invoice is from: the account's business name, support address and email, and logo."""
    settings = (account.settings if account else None) or {}
    profile = settings.get("business_profile") or {}
    address = profile.get("support_address") or {}
    city = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
    lines = [address.get("line1"), address.get("line2"), city, address.get("state"), address.get("country")]
    return {
        "name": profile.get("name") or (account.name if account else None),
        "address": [str(x) for x in lines if x],
        "email": profile.get("support_email"),
        "logo": (settings.get("branding") or {}).get("logo") or (settings.get("branding") or {}).get("icon"),
    }


def _gone(request: Request) -> HTMLResponse:
    t = i18n.translator(i18n.choose(None, [], request.headers.get("accept-language")))
    html = render("message.html", **t.context(), title=t("This invoice link is not valid"), body="", links={})
    return HTMLResponse(html, 404, HTML_HEADERS)


@router.get("/invoices/{token}")
async def hosted_invoice(token: str, request: Request) -> Response:
    invoice = await _invoice(request, token)
    if invoice is None:
        return _gone(request)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    t = i18n.translator(i18n.choose(None, invoice["preferred_locales"], request.headers.get("accept-language")))
    html = render(
        "invoice.html",
        **t.context(),
        invoice=invoice,
        merchant=invoice["merchant"],
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
        t = i18n.translator(i18n.choose(None, [], request.headers.get("accept-language")))
        html = render(
            "message.html", **t.context(), title=t("This page has expired"), body=t("Open the invoice again."), links={}
        )
        return HTMLResponse(html, 403, HTML_HEADERS)
    state = app_state(request)
    completed = form.get("outcome") == "complete"
    async with state.db.transaction() as uow:
        invoice = await uow.invoices.by_access_token(token)
        if invoice is None or invoice.livemode:
            return _gone(request)
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
        return _gone(request)
    t = i18n.translator(i18n.choose(None, invoice["preferred_locales"], request.headers.get("accept-language")))
    logo = await app_state(request).logos.get(invoice["merchant"]["logo"], livemode=invoice["livemode"])
    return Response(
        await asyncio.to_thread(invoice_pdf, invoice, t, logo),  # font subsetting: CPU-bound
        media_type="application/pdf",
        headers={**HTML_HEADERS, "Content-Disposition": f'inline; filename="{invoice["number"] or invoice["id"]}.pdf"'},
    )
