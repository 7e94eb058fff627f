"""The hosted invoice page and its PDF: `hosted_invoice_url` and `invoice_pdf` point here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from app.http.call import app_state
from app.objects.invoices import render_invoices
from app.portal.invoice_pdf import invoice_pdf
from app.portal.security import HTML_HEADERS
from app.portal.templating import templates
from app.scope import Scope

router = APIRouter(tags=["hosted pages"], include_in_schema=False)


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
    html = templates.get_template("invoice.html").render(
        invoice=invoice, pdf_url=f"{invoice['hosted_invoice_url']}/pdf"
    )
    return HTMLResponse(html, headers=HTML_HEADERS)


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
